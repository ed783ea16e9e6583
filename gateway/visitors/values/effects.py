"""What an accepted event does to the session and to the profile (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.catalogue import Category, CategoryId, Product, ProductId
from gateway.visitors.values.engagement import EngagementPolicy
from gateway.visitors.values.events import Event, EventType
from gateway.visitors.values.profile import INTEREST_WEIGHTS, ProfileChange, decay_factor
from gateway.visitors.values.session import SessionChange

WISHLIST_DELTA = {"Product Added to Wishlist": 1, "Product Removed from Wishlist": -1}
ANCESTOR_SHARE = 0.5  # a view of a trail shoe says less about "Footwear" than about "Trail"


def _lines(event: Event) -> list[tuple[ProductId, int]]:
    props = event.properties
    if event.name == "Order Completed":
        return [(ProductId(str(line["product_id"])), int(line.get("quantity", 1))) for line in props["products"]]
    if "product_id" in props:
        return [(ProductId(str(props["product_id"])), int(props.get("quantity", 1)))]
    return []


def session_change(event: Event) -> SessionChange:
    viewed: ProductId | None = None
    delta: tuple[tuple[ProductId, int], ...] = ()
    clear = False
    search: str | None = None
    if event.type is EventType.TRACK:
        lines = _lines(event)
        if event.name == "Product Viewed":
            viewed = lines[0][0]
        elif event.name in {"Product Added", "Wishlist Product Added to Cart"}:
            delta = tuple(lines)
        elif event.name == "Product Removed":
            delta = tuple((p, -q) for p, q in lines)
        elif event.name == "Order Completed":
            clear = True
        elif event.name == "Products Searched":
            search = str(event.properties["query"]).strip()[:200]
    return SessionChange(event.key, event.timestamp, event.channel, viewed, delta, clear, search)


def profile_change(
    event: Event,
    products: Mapping[ProductId, Product],
    categories: Mapping[CategoryId, Category],
    half_life_days: float,
    engagement: EngagementPolicy | None = None,
) -> ProfileChange:
    mass: dict[str, float] = {}
    weight = INTEREST_WEIGHTS.get(event.name, 0.0) if event.type is EventType.TRACK else 0.0
    if weight:
        factor = decay_factor(event.timestamp, half_life_days)
        for product_id, quantity in _lines(event):
            product = products.get(product_id)
            if product is None:
                continue
            w = weight * factor * (quantity if event.name == "Order Completed" else 1)
            bkey = f"brand:{product.brand_id}"
            mass[bkey] = mass.get(bkey, 0.0) + w
            for cid in product.category_ids:
                category = categories.get(cid)
                path = category.path if category else (cid,)
                for depth, node in enumerate(reversed(path)):
                    ckey = f"category:{node}"
                    mass[ckey] = mass.get(ckey, 0.0) + w * (ANCESTOR_SHARE**depth)
    traits: dict[str, Any] = {}
    if event.type is EventType.IDENTIFY:
        traits = {k: v for k, v in event.properties.items() if k != "traits"}
        nested = event.properties.get("traits")
        if isinstance(nested, Mapping):
            traits.update(nested)
    # Per-channel counts too ("pos:Order Completed"), so online vs in-store behaviour is visible.
    counters = {event.counter_name: 1, f"{event.channel.value}:{event.counter_name}": 1}
    # What is on the wishlist now (the favourite-on-promotion trigger looks it up).
    if event.name in WISHLIST_DELTA:
        counters[f"wishlist:{event.properties['product_id']}"] = WISHLIST_DELTA[event.name]
    points = engagement.mass(event.counter_name, event.timestamp) if engagement else 0.0
    return ProfileChange(event.key, event.timestamp, counters, mass, traits, points)
