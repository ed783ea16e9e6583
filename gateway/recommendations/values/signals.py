"""Collaborative signals derived from events (pure): what one event adds to the shared lists.

Every signal is a bounded sorted list of (product, score) named by a `SignalKey`:
- `view:<p>`  products viewed after `p` by the same visitor (viewed-then-viewed), weighted by
  closeness in the visitor's sequence; a smaller weight flows backwards (viewed-before);
- `buy:<p>`   products bought in the same order as `p`, or carted together with it;
- `popular:<scope>` / `trending:<scope>`  forward-decayed interaction mass per category
  (`scope` is a category id, or `all`), with a long and a short half-life.
Scores are forward-decayed (see `gateway.visitors.values.profile`): adding is a plain increment, so
a store applies an update atomically with ZINCRBY, and several instances can share it.

Each visitor also has a short recency-ordered history (`HistoryEntry`), which is how the next
view finds its predecessors. An update carries the event key: stores apply it once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gateway.catalogue import Category, CategoryId, Product, ProductId
from gateway.kernel import VisitorId
from gateway.recommendations.values.recommendations import strategy_of
from gateway.visitors import Event, EventType

SIGNAL_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# Forward-decayed masses grow by 2**(days / half_life): float64 stays finite for ~1000
# half-lives, so trending (2 days) lasts until ~2031, when the epoch must move (and stored
# masses be rescaled by the same factor). Documented in docs/recommendations.md.

BOARD_FAMILIES = ("popular", "trending")
ALL_SCOPE = "all"

# Interaction weights for popularity boards, and which history kind each event records.
BOARD_WEIGHTS: Mapping[str, float] = {
    "Product Viewed": 1.0,
    "Product Added": 3.0,
    "Wishlist Product Added to Cart": 3.0,
    "Product Added to Wishlist": 1.5,
    "Order Completed": 5.0,
}


@dataclass(frozen=True, slots=True)
class SignalConfig:
    """How events become signals. The defaults are what the gateway serves and evaluates."""

    view_window: int = 5  # a view is paired with this many preceding views of the visitor
    view_max_gap_seconds: float = 3 * 86400.0  # ... if they happened within this time
    backward_weight: float = 0.6  # weight of b -> a when a was viewed before b
    basket_weight: float = 0.5  # weight of "carted together" relative to "bought together"
    neighbour_cap: int = 200  # each neighbour list keeps its top entries (trimmed at 125%)
    board_cap: int = 1000
    history_cap: int = 100
    popular_half_life_days: float = 14.0
    trending_half_life_days: float = 2.0
    epoch: datetime = field(default=SIGNAL_EPOCH)

    def forward(self, at: datetime, half_life_days: float) -> float:
        return math.pow(2.0, (at - self.epoch).total_seconds() / 86400.0 / half_life_days)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    product_id: ProductId
    at: float  # unix seconds
    kind: str  # "view", "cart" or "buy"


@dataclass(frozen=True, slots=True)
class SignalUpdate:
    """Everything one event changes, applied atomically and at most once (per `event_key`)."""

    event_key: str
    visitor_id: VisitorId
    history: tuple[HistoryEntry, ...] = ()  # pushed in order (the last becomes the most recent)
    increments: tuple[tuple[str, ProductId, float], ...] = ()  # (signal key, member, amount)
    clicks: tuple[str, ...] = ()  # strategies credited with a click (attribution)


def neighbour_key(family: str, product_id: str) -> str:
    return f"{family}:{product_id}"


def board_key(family: str, scope: str) -> str:
    return f"{family}:{scope}"


def per_key(keys: Sequence[str], k: int | Sequence[int]) -> list[int]:
    """`SignalStore.lookup`'s limit for each key: one for all, or one per key (checked)."""
    if isinstance(k, int):
        return [k] * len(keys)
    if len(k) != len(keys):
        raise ValueError(f"{len(k)} limits for {len(keys)} keys")
    return list(k)


def cap_of(key: str, config: SignalConfig) -> int:
    return config.board_cap if key.split(":", 1)[0] in BOARD_FAMILIES else config.neighbour_cap


def _lines(event: Event) -> list[ProductId]:
    props = event.properties
    if event.name == "Order Completed":
        return [ProductId(str(line["product_id"])) for line in props.get("products", [])]
    if "product_id" in props:
        return [ProductId(str(props["product_id"]))]
    return []


def _scopes(product: Product | None, categories: Mapping[CategoryId, Category]) -> list[str]:
    scopes = [ALL_SCOPE]
    if product is not None:
        for cid in product.category_ids:
            category = categories.get(cid)
            for node in category.path if category else (cid,):
                if node not in scopes:
                    scopes.append(node)
    return scopes


def updates_for(
    events: Sequence[Event],
    history: Sequence[HistoryEntry],
    products: Mapping[ProductId, Product],
    categories: Mapping[CategoryId, Category],
    config: SignalConfig,
) -> list[SignalUpdate]:
    """The updates of one visitor's `events` (in time order), given their history before them.

    `history` is most recent first; it is advanced locally as events are processed, so a batch
    pairs its own views with each other exactly as one-by-one delivery would.
    """
    recent = list(history)
    out: list[SignalUpdate] = []
    for event in events:
        if event.type is not EventType.TRACK:
            continue
        at = event.timestamp.timestamp()
        lines = _lines(event)
        increments: list[tuple[str, ProductId, float]] = []
        pushed: list[HistoryEntry] = []
        clicks: tuple[str, ...] = ()
        weight = BOARD_WEIGHTS.get(event.name, 0.0)
        if weight and lines:
            popular = weight * config.forward(event.timestamp, config.popular_half_life_days)
            trending = weight * config.forward(event.timestamp, config.trending_half_life_days)
            for pid in lines:
                for scope in _scopes(products.get(pid), categories):
                    increments.append((board_key("popular", scope), pid, popular))
                    increments.append((board_key("trending", scope), pid, trending))
        if event.name == "Product Viewed" and lines:
            pushed.append(_pair_views(lines[0], at, recent, config, increments))
        elif event.name in {"Product Added", "Wishlist Product Added to Cart"} and lines:
            pushed.append(_pair_basket(lines[0], at, recent, config, increments))
        elif event.name == "Order Completed" and lines:
            pushed.extend(_pair_order(lines, at, increments))
        elif event.name == "Product Clicked":
            clicks = _clicked(event)
        if increments or pushed or clicks:
            out.append(SignalUpdate(event.key, event.visitor_id, tuple(pushed), tuple(increments), clicks))
            for entry in pushed:
                recent.insert(0, entry)
            del recent[config.history_cap :]
    return out


# One kind of event each, for `updates_for`: they append their pair signals to the event's
# `increments` (no list of their own per event) and return what the visitor's history records.


def _pair_views(
    pid: ProductId,
    at: float,
    recent: Sequence[HistoryEntry],
    config: SignalConfig,
    increments: list[tuple[str, ProductId, float]],
) -> HistoryEntry:
    """Viewed-then-viewed with the visitor's preceding views, closer ones weighing more."""
    views = [h for h in recent if h.kind == "view" and h.product_id != pid]
    for distance, prev in enumerate(views[: config.view_window], start=1):
        if at - prev.at > config.view_max_gap_seconds:
            break
        w = 1.0 / distance
        increments.append((neighbour_key("view", prev.product_id), pid, w))
        increments.append((neighbour_key("view", pid), prev.product_id, w * config.backward_weight))
    return HistoryEntry(pid, at, "view")


def _pair_basket(
    pid: ProductId,
    at: float,
    recent: Sequence[HistoryEntry],
    config: SignalConfig,
    increments: list[tuple[str, ProductId, float]],
) -> HistoryEntry:
    """Carted together: both ways with every product carted within the gap."""
    carted = {h.product_id for h in recent if h.kind == "cart" and at - h.at <= config.view_max_gap_seconds}
    for other in sorted(carted - {pid}):
        increments.append((neighbour_key("buy", other), pid, config.basket_weight))
        increments.append((neighbour_key("buy", pid), other, config.basket_weight))
    return HistoryEntry(pid, at, "cart")


def _pair_order(
    lines: Sequence[ProductId], at: float, increments: list[tuple[str, ProductId, float]]
) -> list[HistoryEntry]:
    """Bought together: every pair of distinct products in the order, both ways."""
    distinct = sorted(set(lines))
    for a in distinct:
        for b in distinct:
            if a != b:
                increments.append((neighbour_key("buy", a), b, 1.0))
    return [HistoryEntry(pid, at, "buy") for pid in distinct]


def _clicked(event: Event) -> tuple[str, ...]:
    """The strategy credited with a recommendation click, if the click names one."""
    rec_id = event.properties.get("recommendation_id")
    strategy = strategy_of(rec_id) if isinstance(rec_id, str) else None
    return (strategy.value,) if strategy is not None else ()


def push_history(history: Sequence[HistoryEntry], pushed: Sequence[HistoryEntry], cap: int) -> tuple[HistoryEntry, ...]:
    """The history after pushing entries (most recent first), capped: the rule every store follows."""
    return (*reversed(pushed), *history)[:cap]


def trimmed(scores: dict[str, float], cap: int) -> None:
    """Bound a list in place: past 125% of `cap`, keep the `cap` best (ties: larger member wins).

    The same order as Redis' ZREVRANGE, so memory and Redis keep the same entries.
    """
    if len(scores) <= cap + cap // 4:
        return
    keep = sorted(scores.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:cap]
    scores.clear()
    scores.update(keep)
