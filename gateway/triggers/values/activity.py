"""What a person's history says for messages (pure): their cart across devices, the hour they
are most active (the best hour to send), the products they bought or viewed, events since a
moment, and when their engagement score decays into the next lower tier."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from gateway.audiences import ENTERED, EXITED
from gateway.catalogue import ProductId
from gateway.visitors import EngagementPolicy, Event, Tier

CART_ADD = frozenset({"Product Added", "Wishlist Product Added to Cart"})
CART_REMOVE = "Product Removed"
ORDER = "Order Completed"
BEST_HOUR_MIN_EVENTS = 5
BEST_HOUR_HALF_LIFE_DAYS = 30.0
SYSTEM_EVENTS = frozenset({ENTERED, EXITED})  # written by the gateway, not done by the person


def _lines(event: Event) -> list[tuple[ProductId, int]]:
    props = event.properties
    if isinstance(props.get("products"), list):
        return [
            (ProductId(str(line.get("product_id"))), int(line.get("quantity", 1)))
            for line in props["products"]
            if isinstance(line, Mapping) and line.get("product_id") is not None
        ]
    if isinstance(props.get("product_id"), str):
        quantity = props.get("quantity", 1)
        return [(ProductId(props["product_id"]), quantity if isinstance(quantity, int) else 1)]
    return []


def products_of(event: Event) -> list[tuple[ProductId, int]]:
    """The products an event names, with quantities (an order's lines, a product event's one)."""
    return _lines(event)


def cart_of(history: Sequence[Event]) -> list[tuple[ProductId, int]]:
    """The person's cart, replayed from their events on every device (oldest first): adds and
    removals since their last order. A device's session forgets its cart after 30 minutes; the
    event log does not, so a message an hour or a day later still knows what was left."""
    quantities: dict[ProductId, int] = {}
    for event in sorted(history, key=lambda e: e.timestamp):
        if event.name == ORDER:
            quantities = {}
        elif event.name in CART_ADD:
            for pid, qty in _lines(event):
                quantities[pid] = quantities.get(pid, 0) + qty
        elif event.name == CART_REMOVE:
            for pid, qty in _lines(event):
                left = quantities.get(pid, 0) - qty
                if left > 0:
                    quantities[pid] = left
                else:
                    quantities.pop(pid, None)
    return list(quantities.items())


def recent_products(history: Sequence[Event], names: Iterable[str], limit: int) -> list[ProductId]:
    """Products of the named events, most recent first, each once (history is newest first)."""
    wanted = frozenset(names)
    found: list[ProductId] = []
    for event in history:
        if event.name in wanted:
            found += [pid for pid, _ in _lines(event) if pid not in found]
    return found[:limit]


def best_send_hour(history: Sequence[Event], now: datetime) -> int | None:
    """The hour of the day (UTC) the person is most active, recent activity weighing more
    (half-life 30 days); None with fewer than 5 events to go by. Ties go to the earlier hour."""
    weights = [0.0] * 24
    counted = 0
    for event in history:
        if event.name in SYSTEM_EVENTS:
            continue
        age_days = max(0.0, (now - event.timestamp).total_seconds() / 86400)
        weights[event.timestamp.hour] += 0.5 ** (age_days / BEST_HOUR_HALF_LIFE_DAYS)
        counted += 1
    if counted < BEST_HOUR_MIN_EVENTS:
        return None
    return max(range(24), key=lambda h: (weights[h], -h))


def next_at_hour(now: datetime, hour: int) -> datetime:
    """`now` if it is within that hour already, else the next time the clock reaches it (UTC)."""
    if now.hour == hour:
        return now
    start = now.replace(minute=0, second=0, microsecond=0)
    ahead = (hour - now.hour) % 24
    return start + timedelta(hours=ahead)


def count_since(history: Sequence[Event], names: Iterable[str], since: datetime) -> dict[str, int]:
    wanted = frozenset(names)
    counts = dict.fromkeys(wanted, 0)
    for event in history:
        if event.name in wanted and event.timestamp >= since:
            counts[event.name] += 1
    return counts


def next_tier_drop(policy: EngagementPolicy, score: float, now: datetime) -> datetime | None:
    """When a score of `score` now decays (with no new event) below its tier's lower bound; None
    for the lowest tier. Exponential decay: score * 2^(-t / half-life) = bound."""
    tier = policy.tier(score)
    bound = {Tier.ACTIVE: policy.active_at, Tier.LAPSING: policy.lapsing_at}.get(tier)
    if bound is None or bound <= 0 or score <= 0:
        return None
    days = policy.half_life_days * math.log2(score / bound)
    return now + timedelta(days=days, seconds=1)  # a second past the crossing: the tier has changed
