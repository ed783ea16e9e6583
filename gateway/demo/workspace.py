"""The demo's personalization: what an editor finds in the console of a fresh demo.

- `home-hero`: a banner slot with two variants for two audiences (runners, home cooks), each
  matched from what shoppers viewed in the last days, over a default welcome banner.
- `home-promo`: a second banner under it, where a running A/B test (`promo-copy`) shows
  "Free delivery" (control) against "Free returns", with a 10% holdout.
- `home-for-you`: a FOR_YOU product carousel.
- The segment `customers` (at least one order), kept by events.

The experiment gets traffic that makes its results mean something: a few thousand simulated
visitors are served `home-promo` (the slot service logs their exposures) and some click and
order, through the normal intake, so the experiment tracker counts them as it counts shoppers.
Everything is drawn from one seeded `random.Random`: the same demo gives the same numbers.
Banner images are the samples shipped with the console (`/console/img/`), so nothing is fetched.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gateway.audiences import SegmentService
from gateway.catalogue import CatalogueContents, Product
from gateway.kernel import Visitor, VisitorId
from gateway.slots import RequestFacts, SlotDefinitions, SlotService
from gateway.visitors import EventService, VisitorService

log = logging.getLogger(__name__)

PUBLISHER = "demo"
IMAGES = "/console/img"
EXPERIMENT_VISITORS = 4000
SEED = 20261122
# Chances per arm (the holdout sees the default, so it is measured like control).
# "Free returns" is clicked more and converts better: about 6.8% of its visitors order against
# 4.7% for control, a difference 4,000 visitors show clearly (P(best) near 1, uplift above 0).
CLICK = {"control": 0.08, "returns": 0.11, "holdout": 0.05}
ORDER_AFTER_CLICK = {"control": 0.45, "returns": 0.52, "holdout": 0.45}
ORDER_WITHOUT_CLICK = 0.012


def _banner(title: str, subtitle: str, image: str, alt: str, cta: str, link: str, **colours: str) -> dict[str, Any]:
    return {
        "title": title,
        "subtitle": subtitle,
        "imageUrl": f"{IMAGES}/{image}",
        "altText": alt,
        "cta": cta,
        "link": link,
        **colours,
    }


def _viewed(category: str, at_least: int, days: int) -> dict[str, Any]:
    spec = {"event": "Product Viewed", "category": category, "withinDays": days}
    return {"behaviour": spec, "op": "gte", "value": at_least}


SLOTS: list[dict[str, Any]] = [
    {
        "key": "home-hero",
        "description": "Top of the home page: one banner, chosen per visitor",
        "channels": ["web", "app"],
        "contentType": "banner",
        "timeZone": "Europe/Warsaw",
        "default": _banner(
            "Welcome to Vitrine", "New season, new routes", "sample-calm.svg", "A quiet shop window",
            "Explore", "/new", textColour="#1d3557", backgroundColour="#f1faee",
        ),
    },
    {
        "key": "home-promo",
        "description": "A slim banner under the hero: the A/B test of the promise we make",
        "channels": ["web", "app"],
        "contentType": "banner",
        "default": _banner(
            "Free delivery over 200 zł", "On every order, to your door or a parcel locker", "sample-calm.svg",
            "A quiet shop window", "Shop now", "/delivery",
        ),
    },
    {
        "key": "home-for-you",
        "description": "Products picked for this visitor from what they viewed and bought",
        "contentType": "productCarousel",
        "default": {"title": "Picked for you", "strategy": "FOR_YOU"},
    },
]  # fmt: skip
AUDIENCES: list[dict[str, Any]] = [
    {
        "key": "runners",
        "name": "Runners",
        "conditions": {"any": [
            _viewed("c-running-shoes", 2, 7),
            {"field": "profile.interests.categories", "op": "contains", "value": "c-running-shoes"},
        ]},
    },
    {
        "key": "home-cooks",
        "name": "Home cooks",
        "conditions": {"any": [
            _viewed("c-kitchen", 2, 14),
            {"field": "profile.interests.categories", "op": "contains", "value": "c-kitchen"},
        ]},
    },
]  # fmt: skip
VARIANTS: list[dict[str, Any]] = [
    {
        "id": "hero-runners",
        "slot": "home-hero",
        "name": "Trail season, for runners",
        "status": "published",
        "priority": 20,
        "audience": "runners",
        "content": _banner(
            "Trail season is here", "New running shoes from Nordvik and friends", "sample-hero.svg",
            "A runner on a city street at dawn", "Find your pair", "/c/running-shoes", textColour="#ffffff",
            backgroundColour="#1d3557",
        ),
    },
    {
        "id": "hero-home-cooks",
        "slot": "home-hero",
        "name": "Cook more at home",
        "status": "published",
        "priority": 10,
        "audience": "home-cooks",
        "content": _banner(
            "Cook more at home", "Pans, knives and coffee for every kitchen", "sample-kitchen.svg",
            "A pan on a stove with steam rising", "See the kitchen", "/c/kitchen", textColour="#ffffff",
            backgroundColour="#264653",
        ),
    },
    {
        "id": "promo-returns",
        "slot": "home-promo",
        "name": "Free returns (A/B test arm)",
        "status": "published",
        "priority": 5,
        "content": _banner(
            "Free returns for 30 days", "Not the right fit? Send it back, on us", "sample-calm.svg",
            "A quiet shop window", "Shop now", "/returns", textColour="#ffffff", backgroundColour="#7a1020",
        ),
    },
]  # fmt: skip
EXPERIMENT: dict[str, Any] = {
    "key": "promo-copy",
    "name": "Free delivery or free returns?",
    "type": "ab",
    "status": "running",
    "slot": "home-promo",
    "arms": [
        {"key": "control", "variant": None, "weight": 50},
        {"key": "returns", "variant": "promo-returns", "weight": 50},
    ],
    "traffic": 100,
    "holdout": 10,
    "attributionDays": 7,
}  # fmt: skip
SEGMENT = {"field": "profile.purchases", "op": "gte", "value": 1}


async def seed_segments(segments: SegmentService) -> None:
    """Segments first: memberships then fill in as the demo's events arrive."""
    await segments.save("customers", "Customers", "Visitors who ordered at least once.", SEGMENT)


async def seed_workspace(definitions: SlotDefinitions) -> int:
    """Save every definition and publish them as one release; returns its version."""
    for kind, items in (("slots", SLOTS), ("audiences", AUDIENCES), ("variants", VARIANTS)):
        for item in items:
            await definitions.put(kind, item, PUBLISHER)
    await definitions.publish("Demo home page: hero per audience, promo banner, picks for you", PUBLISHER)
    await definitions.put("experiments", EXPERIMENT, PUBLISHER)
    release = await definitions.publish("Start the A/B test of the promo banner", PUBLISHER)
    return release.version


@dataclass(frozen=True, slots=True)
class Traffic:
    exposures: int
    clicks: int
    orders: int


async def simulate_experiment(
    visitors: VisitorService,
    slots: SlotService,
    events: EventService,
    products: Sequence[Product],
    now: datetime,
    count: int = EXPERIMENT_VISITORS,
    seed: int = SEED,
) -> Traffic:
    """`count` new visitors are served `home-promo` an hour ago; some click it and order."""
    rng = random.Random(seed)
    for_sale = sorted((p for p in products if p.in_stock), key=lambda p: p.id)
    seen_at = now - timedelta(hours=1)
    exposures = clicks = orders = 0
    for n in range(count):
        vid = VisitorId(f"v_demoab{n:015d}")
        (state,) = await visitors.load([vid], cache=False)
        (decision,) = await slots.decide(state, ["home-promo"], RequestFacts(channel="web"), now=seen_at)
        assignment = decision.assignment if decision else None
        if decision is None or assignment is None:
            continue
        exposures += 1
        arm = assignment.arm
        clicked = rng.random() < CLICK[arm]
        ordered = rng.random() < (ORDER_AFTER_CLICK[arm] if clicked else ORDER_WITHOUT_CLICK)
        batch: list[dict[str, Any]] = []
        at = seen_at + timedelta(minutes=5)
        if clicked:
            clicks += 1
            batch.append(_event("Promotion Clicked", f"ab-click-{n}", at, decision_id=decision.id))
        if ordered:
            orders += 1
            product = rng.choice(for_sale)
            line = {"product_id": product.id, "quantity": 1}
            order_at = at + timedelta(minutes=20)
            batch.append(_event("Order Completed", f"ab-order-{n}", order_at, order_id=f"ab-{n}", products=[line]))
        if batch:
            await events.track(Visitor(vid, is_new=False), batch, now=now)
    log.info("demo A/B test traffic: %d exposures, %d clicks, %d orders", exposures, clicks, orders)
    return Traffic(exposures, clicks, orders)


def _event(name: str, mid: str, at: datetime, **properties: Any) -> dict[str, Any]:
    return {"messageId": mid, "name": name, "timestamp": at.isoformat(), "properties": properties}


def example_visitors(
    shoppers: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], catalog: CatalogueContents
) -> dict[str, str]:
    """One demo shopper per audience of the hero (who viewed two products under its category),
    to preview as a real visitor: audience key -> visitor id."""
    paths = {c.id: c.path for c in catalog.categories}
    under: dict[str, set[str]] = {
        p.id: {a for c in p.category_ids for a in paths.get(c, (c,))} for p in catalog.products
    }
    wanted = {"runners": "c-running-shoes", "home-cooks": "c-kitchen"}
    found: dict[str, str] = {}
    for visitor_id, events in shoppers:
        viewed = [str(e["properties"].get("product_id")) for e in events if e.get("name") == "Product Viewed"]
        for audience, category in wanted.items():
            if audience not in found and sum(category in under.get(pid, set()) for pid in viewed) >= 2:
                found[audience] = visitor_id
    return found
