"""Behaviour counts in time windows: which counters an event bumps, which a query reads (pure).

Counts are kept per visitor and UTC day, per (event name, scope) where the scope is nothing
(every such event), a category (the product's categories and all their ancestors, so
"viewed >= 3 running shoes" counts views of every shoe under Running), a brand, or a
product. A query "within N days" sums today and the N-1 days before it (UTC days), so
windows are day-granular: "withinDays: 7" on a Sunday covers Monday 00:00 UTC onwards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from gateway.audiences import BehaviourQuery
from gateway.catalogue import Category, CategoryId, Product
from gateway.visitors import Event

MAX_WINDOW_DAYS = 366


def day_key(day: date) -> str:
    return day.strftime("%Y%m%d")


def event_fields(event: Event, product: Product | None, categories: Mapping[CategoryId, Category]) -> list[str]:
    """The counter fields (within its day) that `event` increments."""
    name = event.counter_name
    fields = [f"{name}|"]
    if product is not None:
        scopes: dict[str, None] = {}
        for cid in product.category_ids:
            node = categories.get(cid)
            for ancestor in node.path if node else (cid,):
                scopes[f"c:{ancestor}"] = None
        scopes[f"b:{product.brand_id}"] = None
        scopes[f"p:{product.id}"] = None
        fields += [f"{name}|{scope}" for scope in scopes]
    return fields


def query_field(query: BehaviourQuery) -> str:
    for prefix, value in (("c", query.category), ("b", query.brand), ("p", query.product)):
        if value:
            return f"{query.event}|{prefix}:{value}"
    return f"{query.event}|"


def query_days(query: BehaviourQuery, now: datetime) -> list[str]:
    """The day keys a query sums, newest first."""
    days = min(MAX_WINDOW_DAYS, max(1, math.ceil(query.within_days)))
    today = now.date()
    return [day_key(today - timedelta(days=i)) for i in range(days)]
