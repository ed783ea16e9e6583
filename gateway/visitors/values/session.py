"""Live session state and the pure rule for applying an event's change to it.

The memory store applies `apply_change` directly; the Redis store implements the same
rule in one Lua script, and the shared contract tests hold both to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from gateway.catalogue import ProductId
from gateway.kernel import Channel, VisitorId
from gateway.visitors.values.profile import Profile, ProfileChange

RECENTLY_VIEWED_CAP = 20
RECENT_SEARCHES_CAP = 10
SESSION_TTL_SECONDS = 30 * 60
MAX_LINE_QUANTITY = 999


@dataclass(frozen=True, slots=True)
class CartLine:
    product_id: ProductId
    quantity: int


@dataclass(frozen=True, slots=True)
class SessionChange:
    """What one event does to the session. `event_key` makes re-application a no-op."""

    event_key: str
    at: datetime
    channel: Channel
    viewed: ProductId | None = None
    cart_delta: tuple[tuple[ProductId, int], ...] = ()
    cart_clear: bool = False
    search: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    visitor_id: VisitorId
    recently_viewed: tuple[ProductId, ...] = ()
    cart: tuple[CartLine, ...] = ()
    recent_searches: tuple[str, ...] = ()
    last_activity: datetime | None = None
    channel: Channel | None = None
    applied_event_keys: frozenset[str] = frozenset()
    profile: Profile | None = None
    # Which stored version of this session, its profile copy and its staged changes was read:
    # equal fingerprints mean nothing in any of them changed (set by the store; None when
    # unknown, e.g. never stored).
    fingerprint: int | None = field(default=None, compare=False)
    # Profile changes of events the intake accepted but has not applied yet (values/staged.py):
    # whoever reads the profile for this session applies them on top.
    pending: tuple[ProfileChange, ...] = ()


def _push_front(items: tuple[str, ...], item: str, cap: int) -> tuple[str, ...]:
    return (item, *(i for i in items if i != item))[:cap]


def apply_change(session: Session, change: SessionChange) -> Session:
    """The session after `change`; unchanged if the change was already applied."""
    if change.event_key in session.applied_event_keys:
        return session
    viewed = session.recently_viewed
    if change.viewed is not None:
        viewed = tuple(ProductId(p) for p in _push_front(viewed, change.viewed, RECENTLY_VIEWED_CAP))
    searches = session.recent_searches
    if change.search:
        searches = _push_front(searches, change.search, RECENT_SEARCHES_CAP)
    quantities = {line.product_id: line.quantity for line in session.cart}
    if change.cart_clear:
        quantities = {}
    for product_id, delta in change.cart_delta:
        qty = min(quantities.get(product_id, 0) + delta, MAX_LINE_QUANTITY)
        if qty > 0:
            quantities[product_id] = qty
        else:
            quantities.pop(product_id, None)
    # Cart order: first added first; a product keeps its place while it stays in the cart.
    order = [line.product_id for line in session.cart if line.product_id in quantities]
    order += [p for p, _ in change.cart_delta if p in quantities and p not in order]
    last = session.last_activity
    if last is None or change.at > last:
        last = change.at
    return replace(
        session,
        recently_viewed=viewed,
        recent_searches=searches,
        cart=tuple(CartLine(p, quantities[p]) for p in order),
        last_activity=last,
        channel=change.channel,
        applied_event_keys=session.applied_event_keys | {change.event_key},
    )
