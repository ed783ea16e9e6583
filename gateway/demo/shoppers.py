"""Synthetic shoppers with consistent tastes, so a fresh demo has meaningful recommendations.

Each shopper likes one or two leaf categories and one brand, and browses in a narrow price
band: views walk through neighbouring products of the liked categories (so "viewed X, then
Y" repeats across shoppers), some end in a cart, a few in an order. Deterministic for a seed:
one `random.Random`, consumed in a fixed order. Events are raw JSON objects, exactly what a
storefront would send, and go through the normal event intake.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gateway.catalogue import CategoryId, Product

DEFAULT_SHOPPERS = 300
HISTORY_DAYS = 6  # well inside the intake's 30-day window


@dataclass(frozen=True, slots=True)
class Shopper:
    number: int
    events: list[dict[str, Any]]


def _event(name: str, mid: str, at: datetime, **properties: Any) -> dict[str, Any]:
    return {"messageId": mid, "name": name, "timestamp": at.isoformat(), "properties": properties}


def synthetic_shoppers(
    products: Sequence[Product], now: datetime, count: int = DEFAULT_SHOPPERS, seed: int = 20261122
) -> list[Shopper]:
    rng = random.Random(seed)
    by_leaf: dict[CategoryId, list[Product]] = defaultdict(list)
    for p in sorted(products, key=lambda p: p.id):
        if p.category_ids and p.in_stock:
            by_leaf[p.category_ids[0]].append(p)
    leaves = sorted(leaf for leaf, items in by_leaf.items() if len(items) >= 4)
    if not leaves:
        return []
    shoppers: list[Shopper] = []
    for n in range(count):
        liked = rng.sample(leaves, k=min(len(leaves), rng.choice((1, 1, 2))))
        pool = [p for leaf in liked for p in by_leaf[leaf]]
        brands = sorted({p.brand_id for p in pool})
        brand = rng.choice(brands)
        # Mostly the liked brand, in the order a shopper scrolls a category page.
        focus = [p for p in pool if p.brand_id == brand]
        focus = focus if len(focus) >= 3 else pool
        start = rng.randrange(len(focus))
        views = [focus[(start + i) % len(focus)] for i in range(min(len(focus), rng.randint(4, 9)))]
        if rng.random() < 0.3:
            views.insert(rng.randrange(len(views)), rng.choice(pool))  # a look at another brand
        at = now - timedelta(days=rng.uniform(0.1, HISTORY_DAYS))
        events: list[dict[str, Any]] = []
        for i, p in enumerate(views):
            at += timedelta(seconds=rng.randint(20, 240))
            events.append(_event("Product Viewed", f"demo-{n}-v{i}", at, product_id=p.id))
        carted = [p for p in views if rng.random() < 0.25][:3]
        for i, p in enumerate(carted):
            at += timedelta(seconds=rng.randint(10, 90))
            events.append(_event("Product Added", f"demo-{n}-c{i}", at, product_id=p.id, quantity=1))
        if carted and rng.random() < 0.5:
            at += timedelta(seconds=rng.randint(60, 300))
            lines = [{"product_id": p.id, "quantity": 1} for p in carted]
            events.append(_event("Order Completed", f"demo-{n}-o", at, order_id=f"demo-order-{n}", products=lines))
        shoppers.append(Shopper(n, events))
    return shoppers
