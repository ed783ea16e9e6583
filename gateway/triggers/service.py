"""Trigger timers from events, firing them once across instances, and the decision to send.

Scheduling (an EventService listener, idempotent: timers are keyed per profile and only move
later): a cart change sets `abandoned_cart:<profile>` to fire T after it, holding the cart; a
checkout or order cancels it; every event moves `inactivity:<profile>` to N days after it.
Catalogue changes schedule `promotion_scan` timers (see `stores.price_watch`).

Firing (`fire_due`, run by the worker): due timers are claimed in the store, so each fires
on one instance only; a timer is removed only after its deliveries are in the outbox, so a
crash in between fires it again, and the idempotency key makes that harmless.

Deciding (per profile): marketing consent -> frequency cap -> holdout. Held-out profiles get
a HOLDOUT record (never sent) so lift can be measured against them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.catalogue import CatalogStore, Product, ProductId
from gateway.identity import IdentityDirectory
from gateway.kernel import Channel, InputError, StoreUnavailable, VisitorId
from gateway.triggers.lift import Lift, trigger_lift
from gateway.triggers.payloads import build_payload, product_json
from gateway.triggers.stores.protocol import OutboxStore, TimerStore
from gateway.triggers.values import Delivery, DeliveryStatus, Timer, TriggerKind, in_holdout
from gateway.triggers.webhooks import WebhookSender
from gateway.visitors import (
    Event,
    EventStore,
    Profile,
    ProfileIndex,
    ProfileStore,
    Purpose,
    SessionStore,
    allows,
    decay_factor,
)

log = logging.getLogger(__name__)

CART_CHANGES = frozenset({"Product Added", "Product Removed", "Wishlist Product Added to Cart"})
CHECKOUT = frozenset({"Checkout Started", "Order Completed"})
CLAIM_SECONDS = 120.0
FAN_OUT_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class TriggerPolicy:
    abandoned_cart_after: timedelta = timedelta(minutes=60)
    inactivity_after: timedelta = timedelta(days=30)
    holdout_percent: float = 10.0
    cap_count: int = 1
    cap_window: timedelta = timedelta(days=7)
    affinity_score: float = 5.0
    consent_required: bool = False
    interest_half_life_days: float = 14.0


class TriggerService:
    """Reads products from the catalogue store itself (not the mirror), so payloads carry the
    prices of the import that fired them."""

    def __init__(
        self,
        timers: TimerStore,
        outbox: OutboxStore,
        profiles: ProfileStore,
        index: ProfileIndex,
        sessions: SessionStore,
        events: EventStore,
        identity: IdentityDirectory,
        catalog: CatalogStore,
        policy: TriggerPolicy,
        webhooks: WebhookSender | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        claim_seconds: float = CLAIM_SECONDS,
    ) -> None:
        self._webhooks = webhooks
        self._claim_seconds = claim_seconds  # a claimed timer is this instance's for so long
        self._timers = timers
        self._outbox = outbox
        self._profiles = profiles
        self._index = index
        self._sessions = sessions
        self._events = events
        self._identity = identity
        self._catalog = catalog
        self.policy = policy
        self._clock = clock
        self._me = secrets.token_hex(8)

    # --- what operators ask ----------------------------------------------------------------

    async def deliveries(
        self, status: DeliveryStatus | None, profile_id: VisitorId | None, limit: int
    ) -> list[Delivery]:
        """Webhook deliveries, oldest first (DEAD lists the dead letters)."""
        return await self._outbox.find(status=status, profile_id=profile_id, limit=limit)

    async def lift(self, kind: TriggerKind, days: float) -> Lift:
        """Conversion of messaged people against the held-out group (see `gateway.triggers.lift`)."""
        return await trigger_lift(self._outbox, self._events, self._identity, kind, days)

    async def retry_delivery(self, delivery_id: str) -> Delivery:
        """Queue a dead delivery again with a fresh attempt budget."""
        if self._webhooks is None:
            raise InputError("no webhook receiver is configured (VITRINE_WEBHOOK_URL)")
        return await self._webhooks.retry(delivery_id)

    # --- scheduling from events ------------------------------------------------------------

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        carts: dict[VisitorId, Event] = {}
        latest: dict[VisitorId, datetime] = {}
        visitors = list(dict.fromkeys(e.visitor_id for e in events))
        roots = dict(zip(visitors, await self._identity.roots(visitors), strict=True))  # one read per batch
        for event in events:  # in timestamp order
            card = event.properties.get("loyalty_card_id")
            if event.channel in (Channel.POS, Channel.BEACON) and isinstance(card, str) and card:
                pid = await self._identity.profile_for(f"loyalty:{card}")
            else:
                pid = roots[event.visitor_id]
            latest[pid] = max(latest.get(pid, event.timestamp), event.timestamp)
            if event.name in CHECKOUT:
                await self._timers.cancel(f"{TriggerKind.ABANDONED_CART.value}:{pid}")
                carts.pop(pid, None)
            elif event.name in CART_CHANGES:
                carts[pid] = event
        for pid, at in latest.items():
            inactivity = Timer(
                f"{TriggerKind.INACTIVITY.value}:{pid}",
                TriggerKind.INACTIVITY,
                pid,
                at + self.policy.inactivity_after,
                {"last_event_at": at.isoformat()},
            )
            await self._timers.schedule(inactivity)
        for pid, event in carts.items():
            await self._schedule_cart(pid, event)

    async def _schedule_cart(self, profile_id: VisitorId, event: Event) -> None:
        # The session expires after 30 minutes, before the timer fires: keep the cart with it.
        (session,) = await self._sessions.get_many([event.visitor_id])
        cart = [[line.product_id, line.quantity] for line in (session.cart if session else ())]
        key = f"{TriggerKind.ABANDONED_CART.value}:{profile_id}"
        if not cart:
            await self._timers.cancel(key)
            return
        data = {"visitor_id": event.visitor_id, "changed_at": event.timestamp.isoformat(), "cart": cart}
        due = event.timestamp + self.policy.abandoned_cart_after
        await self._timers.schedule(Timer(key, TriggerKind.ABANDONED_CART, profile_id, due, data))

    # --- firing ------------------------------------------------------------------------------

    async def fire_due(self, now: datetime | None = None, limit: int = 100) -> int:
        """Fire due timers this instance manages to claim; answers how many fired."""
        now = now or self._clock()
        fired = 0
        for timer in await self._timers.claim_due(now, self._me, self._claim_seconds, limit):
            try:
                await self._fire(timer, now)
            except StoreUnavailable as exc:  # the claim expires and the timer fires again later
                log.warning("trigger %s deferred: %s", timer.kind.value, exc.message)
                continue
            await self._timers.done(timer)
            fired += 1
        return fired

    async def _fire(self, timer: Timer, now: datetime) -> None:
        if timer.kind is TriggerKind.PROMOTION_SCAN:
            await self._promotion_scan(timer, now)
            return
        assert timer.profile_id is not None
        profile = await self._live_profile(timer.profile_id)
        if profile is None:
            return
        if timer.kind is TriggerKind.ABANDONED_CART:
            changed_at = datetime.fromisoformat(str(timer.data["changed_at"]))
            if await self._checked_out_since(profile, changed_at):
                return
            lines = [(ProductId(str(p)), int(q)) for p, q in timer.data.get("cart", [])]
            found = await self._catalog.get_products([p for p, _ in lines])
            items = [product_json(p, q) for (_, q), p in zip(lines, found, strict=True) if p is not None]
            if items:
                key = f"{timer.kind.value}:{profile.visitor_id}:{changed_at.isoformat()}"
                await self.decide(timer.kind, profile, key, items, now)
        elif timer.kind is TriggerKind.INACTIVITY:
            if profile.last_seen and profile.last_seen + self.policy.inactivity_after > now:
                return  # active since (the timer was moved, this is a stale claim)
            key = f"{timer.kind.value}:{profile.visitor_id}:{timer.data.get('last_event_at')}"
            await self.decide(timer.kind, profile, key, [], now)

    async def _live_profile(self, profile_id: VisitorId) -> Profile | None:
        (profile,) = await self._profiles.get_many([profile_id])
        return profile

    async def _checked_out_since(self, profile: Profile, since: datetime) -> bool:
        idents = await self._identity.identifiers_of(profile.visitor_id)
        visitors = [VisitorId(i.partition(":")[2]) for i in idents if i.startswith("visitor:")]
        cards = [i.partition(":")[2] for i in idents if i.startswith("loyalty:")]
        history = await self._events.history([profile.visitor_id, *visitors], cards, since, 500)
        return any(s.event.name in CHECKOUT and s.event.timestamp >= since for s in history)

    async def _promotion_scan(self, timer: Timer, now: datetime) -> None:
        pid = ProductId(str(timer.data["product_id"]))
        (product,) = await self._catalog.get_products([pid])
        if product is None:
            return
        wishlisted = await self._index.with_counter(f"wishlist:{pid}", 1, FAN_OUT_LIMIT)
        mass = self.policy.affinity_score * decay_factor(now, self.policy.interest_half_life_days)
        affine: list[Profile] = []
        for key in (f"brand:{product.brand_id}", *(f"category:{c}" for c in product.category_ids)):
            affine += await self._index.with_interest(key, mass, FAN_OUT_LIMIT)
        reasons: dict[VisitorId, tuple[Profile, str]] = {p.visitor_id: (p, "affinity") for p in affine}
        reasons.update({p.visitor_id: (p, "wishlist") for p in wishlisted})
        for profile, why in reasons.values():
            key = f"{TriggerKind.FAVOURITE_ON_PROMOTION.value}:{profile.visitor_id}:{pid}:{product.price.amount}"
            extra = {"promotion": timer.data.get("why"), "matchedBy": why}
            await self.decide(TriggerKind.FAVOURITE_ON_PROMOTION, profile, key, [product_json(product)], now, extra)

    async def decide(
        self,
        kind: TriggerKind,
        profile: Profile,
        key: str,
        products: Sequence[dict[str, Any]],
        now: datetime,
        extra: Mapping[str, Any] | None = None,
    ) -> DeliveryStatus | None:
        """Consent, frequency cap, holdout; enqueue the delivery. None when nothing is recorded."""
        if not allows(profile.consent, Purpose.MARKETING, required=self.policy.consent_required):
            return None
        if (
            await self._outbox.count_since(profile.visitor_id, kind, now - self.policy.cap_window)
            >= self.policy.cap_count
        ):
            return None
        status = (
            DeliveryStatus.HOLDOUT
            if in_holdout(kind, profile.visitor_id, self.policy.holdout_percent)
            else (DeliveryStatus.PENDING)
        )
        idents = await self._identity.identifiers_of(profile.visitor_id)
        payload = build_payload(
            delivery_id=key,
            kind=kind,
            profile=profile,
            identifiers=idents,
            products=products,
            created_at=now,
            interest_half_life_days=self.policy.interest_half_life_days,
            extra=extra,
        )
        await self._outbox.enqueue(Delivery(key, kind, profile.visitor_id, payload, now, status, next_attempt_at=now))
        return status
