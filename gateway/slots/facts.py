"""The facts audiences are evaluated against, gathered from the visitor's state and the request.

Field names are those of `gateway.audiences.values.conditions.FIELDS`. Profile traits appear both as
`profile.traits.<name>` and, for the demographic ones, under their own names. Other
modules (segments, engagement scores) add facts through `FactProvider`s registered on the
slot service, so this module does not need to know them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from gateway.catalogue import CatalogService, Category, CategoryId, Product, ProductId
from gateway.visitors import VisitorState

# Extra facts about a visitor (e.g. {"segments": [...]}); must fail open (return {}) on outages.
FactProvider = Callable[[VisitorState], Awaitable[Mapping[str, Any]]]

TRAIT_FIELDS = {
    "ageBand": "profile.ageBand",
    "gender": "profile.gender",
    "city": "profile.city",
    "country": "profile.country",
    "campaigns": "profile.campaigns",
}


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the storefront tells about this page view (all optional)."""

    channel: str | None = None
    device: str | None = None
    country: str | None = None
    city: str | None = None
    utm_source: str | None = None
    utm_campaign: str | None = None
    referrer: str | None = None


def _with_ancestors(ids: tuple[CategoryId, ...], categories: Mapping[CategoryId, Category]) -> list[str]:
    found: dict[str, None] = {}
    for cid in ids:
        node = categories.get(cid)
        for ancestor in node.path if node else (cid,):
            found[str(ancestor)] = None
    return list(found)


def build_facts(
    state: VisitorState,
    request: RequestFacts,
    products: Mapping[ProductId, Product],
    categories: Mapping[CategoryId, Category],
    now: datetime,
    half_life_days: float,
) -> dict[str, Any]:
    profile, session = state.profile, state.session
    traits = profile.traits
    facts: dict[str, Any] = {
        "visitor.id": state.visitor_id,
        "session.channel": request.channel or (session.channel.value if session.channel else None),
        "session.device": request.device,
        "session.country": request.country,
        "session.city": request.city,
        "session.utmSource": request.utm_source,
        "session.utmCampaign": request.utm_campaign,
        "session.referrer": request.referrer,
        "session.recentlyViewed": list(session.recently_viewed),
        "profile.firstSeen": profile.first_seen,
        "profile.lastSeen": profile.last_seen,
        "profile.purchases": profile.counters.get("Order Completed", 0),
    }
    customer = traits.get("customerId") or traits.get("customer_id")
    if isinstance(customer, str | int):
        facts["customer.id"] = str(customer)
    for name, value in traits.items():
        facts[f"profile.traits.{name}"] = value
    for trait, field in TRAIT_FIELDS.items():
        if traits.get(trait) is not None:
            facts[field] = traits[trait]
    interests = profile.interests(now, half_life_days, 20)
    facts["profile.interests.categories"] = [i.key for i in interests if i.kind == "category"]
    facts["profile.interests.brands"] = [i.key for i in interests if i.kind == "brand"]
    viewed: dict[str, None] = {}
    for pid in session.recently_viewed:
        product = products.get(pid)
        if product is not None:
            viewed.update(dict.fromkeys(_with_ancestors(product.category_ids, categories)))
    facts["session.viewedCategories"] = list(viewed)
    value = Decimal(0)
    for line in session.cart:
        product = products.get(line.product_id)
        if product is not None:
            value += product.price.amount * line.quantity
    facts["cart.value"] = float(value)
    facts["cart.items"] = [str(line.product_id) for line in session.cart]
    facts["cart.itemCount"] = sum(line.quantity for line in session.cart)
    # Carts stay per device (what this device checks out); a person's other carts are visible here.
    person_cart = state.person_cart or session.cart
    facts["person.cart.items"] = list(dict.fromkeys(str(line.product_id) for line in person_cart))
    facts["person.cart.itemCount"] = sum(line.quantity for line in person_cart)
    return {k: v for k, v in facts.items() if v is not None}


async def visitor_facts(
    state: VisitorState,
    request: RequestFacts,
    catalog: CatalogService,
    providers: Sequence[FactProvider],
    now: datetime,
    half_life_days: float,
) -> dict[str, Any]:
    """Every fact about this visitor and page view: their state, the products of their session
    (one catalogue lookup), and what each provider adds (segments, engagement...)."""
    session = state.session
    ids = list(dict.fromkeys([*session.recently_viewed, *(line.product_id for line in session.cart)]))
    found = await catalog.get_raw(ids) if ids else []
    products = {p.id: p for p in found if p is not None}
    facts = build_facts(state, request, products, catalog.category_map(), now, half_life_days)
    for provider in providers:
        facts.update(await provider(state))
    return facts
