"""Event intake: validate each event, store it durably once, then apply it.

Order of work for a batch, and why:
1. Validate every event on its own; a bad one is rejected with a reason, the rest go on.
2. Reject events naming products the catalogue does not know (UNKNOWN_PRODUCT).
3. Append the valid ones to the event log. The log's key is (visitor, messageId), so a
   retried event is reported DUPLICATE and not applied twice. If the log is unavailable the
   whole call fails with StoreUnavailable and nothing is accepted: the client retries.
4. Apply the new events to the profile (MongoDB) and the session (Redis), each idempotent
   per event key, and cache the updated profile in the session (read-your-writes).
5. Hand them to the listeners (recommendation signals, segments, triggers...), in order.
6. Mark them applied. If step 4 or 5 fails the events stay unapplied in the log and
   `replay_unapplied` (a background task) applies them later: accepted is never lost.
   So a listener may see an event more than once and must be idempotent per `Event.key`.

Where the caller keeps unknown names (`keep_unknown`, the Segment API), a track name outside the
vocabulary is stored as an *inert* event: steps 3 and 6 only, reported as kept unused
(`EventOutcome.kept_unused`, the `vitrine_events_kept_unused` metric).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol

from gateway.catalogue import CatalogService, Product, ProductId
from gateway.kernel import InputError, StoreUnavailable, Visitor, VisitorId
from gateway.visitors.stores.protocol import EventStore, ProfileStore, SessionStore
from gateway.visitors.validation import parse_event, product_ids
from gateway.visitors.values.effects import profile_change, session_change
from gateway.visitors.values.engagement import EngagementPolicy
from gateway.visitors.values.events import Event, EventDraft, RejectCode, Rejection
from gateway.visitors.values.profile import Profile
from gateway.visitors.values.vocabulary import EMPTY, Vocabulary

log = logging.getLogger(__name__)


class EventStatus(Enum):
    ACCEPTED = "ACCEPTED"
    DUPLICATE = "DUPLICATE"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class EventOutcome:
    index: int
    message_id: str | None
    status: EventStatus
    code: RejectCode | None = None
    reason: str | None = None
    kept_unused: bool = False  # ACCEPTED and stored, but inert: its name is outside the vocabulary


@dataclass(frozen=True, slots=True)
class TrackResult:
    outcomes: list[EventOutcome]
    applied: bool  # False when the effects were deferred to the replayer (a store was down)

    def count(self, status: EventStatus) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def kept_unused(self) -> int:
        """Accepted events that were stored but change nothing (names outside the vocabulary)."""
        return sum(1 for o in self.outcomes if o.kept_unused)


class EventListener(Protocol):
    """Reacts to applied events. Called after the profile and session are updated.

    Must be idempotent per `Event.key` (a replay after an outage delivers again) and raise
    StoreUnavailable (not swallow it) when its own store is down, so the events are replayed.
    """

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None: ...


@dataclass(frozen=True, slots=True)
class Target:
    """Where one event's effects go: the profile to enrich (None: none) and whether the
    device's session takes it (not for a POS event attributed to a loyalty card)."""

    profile_id: VisitorId | None
    session: bool = True


class EventGate(Protocol):
    """Checks a batch before it is stored (consent, identify signatures) and may rewrite
    events (hash emails). Answers per event the event to store or a Rejection with a reason."""

    async def admit(
        self, visitor: Visitor, events: Sequence[Event], *, trusted: bool = False
    ) -> list[Event | Rejection]: ...


class Attribution(Protocol):
    """Which profile each event enriches (identity merges, loyalty cards, consent)."""

    async def targets(self, events: Sequence[Event]) -> list[Target]: ...

    async def applied(self, profiles: Sequence[Profile]) -> None:
        """Called with the profiles just enriched (e.g. to refresh other devices' cached copies)."""
        ...


class EventService:
    def __init__(
        self,
        events: EventStore,
        profiles: ProfileStore,
        sessions: SessionStore,
        catalog: CatalogService,
        *,
        max_batch: int,
        half_life_days: float,
        listeners: Sequence[EventListener] = (),
        personal_listeners: Sequence[EventListener] = (),
        engagement: EngagementPolicy | None = None,
        gate: EventGate | None = None,
        attribution: Attribution | None = None,
        on_outcomes: Callable[[list[str], list[str]], None] | None = None,
        on_kept_unused: Callable[[int], None] | None = None,
        vocabulary: Callable[[], Vocabulary] | None = None,
    ) -> None:
        """`vocabulary` answers the shop's declared events and channels now (they change with
        each automation release, without a restart)."""
        self._events = events
        self._profiles = profiles
        self._sessions = sessions
        self._catalog = catalog
        self._max_batch = max_batch
        self._half_life = half_life_days
        # `personal_listeners` keep per-person state used to personalize (recommendation history,
        # slot behaviour counts, experiment metrics): they hear only the events the person allows
        # to personalize; `listeners` (identity links, segments, triggers) hear every applied event.
        self._personal_listeners = list(personal_listeners)
        self._listeners = list(listeners)
        self._engagement = engagement
        self._gate = gate
        self._attribution = attribution
        # Told each batch's statuses and the reason codes of its rejections (metrics).
        self._on_outcomes = on_outcomes or (lambda statuses, reasons: None)
        self._on_kept_unused = on_kept_unused or (lambda count: None)
        self._vocabulary = vocabulary or (lambda: EMPTY)
        self._policies: tuple[Vocabulary, EngagementPolicy | None] = (EMPTY, engagement)

    def vocabulary(self) -> Vocabulary:
        """The events and channels the shop has declared now."""
        return self._vocabulary()

    def _engagement_for(self, vocabulary: Vocabulary) -> EngagementPolicy | None:
        """The engagement policy with the declared events' points added (kept per vocabulary)."""
        if self._policies[0] is not vocabulary:
            policy = self._engagement
            if policy is not None and vocabulary.points:
                policy = replace(policy, points={**policy.points, **vocabulary.points})
            self._policies = (vocabulary, policy)
        return self._policies[1]

    async def track(
        self,
        visitor: Visitor,
        raw_events: Sequence[EventDraft | Mapping[str, Any]],
        now: datetime | None = None,
        *,
        trusted: bool = False,
        keep_unknown: bool = False,
    ) -> TrackResult:
        """Validate, store once and apply a batch. `trusted`: a server sent it with an ingest API
        key, which vouches for the identifiers its events name (see the identity gate).
        `keep_unknown`: track names outside the vocabulary are stored inert, not rejected."""
        if not raw_events:
            raise InputError("send at least one event", field="events")
        if len(raw_events) > self._max_batch:
            raise InputError(
                f"a batch holds at most {self._max_batch} events, got {len(raw_events)}; split it", field="events"
            )
        now = now or datetime.now(UTC)
        vocabulary = self._vocabulary()
        outcomes: dict[int, EventOutcome] = {}
        valid: list[tuple[int, Event]] = []
        for i, raw in enumerate(raw_events):
            parsed = parse_event(raw, i, visitor.id, visitor.channel, now, vocabulary, keep_unknown=keep_unknown)
            if isinstance(parsed, Rejection):
                outcomes[i] = EventOutcome(i, parsed.message_id, EventStatus.REJECTED, parsed.code, parsed.reason)
            else:
                valid.append((i, parsed))

        valid = await self._admitted(visitor, valid, outcomes, trusted)
        products = await self._products({pid for _, e in valid for pid in product_ids(e, vocabulary)})
        known: list[tuple[int, Event]] = []
        for i, event in valid:
            unknown = [pid for pid in product_ids(event, vocabulary) if pid not in products]
            if unknown:
                reason = f"unknown product id {unknown[0]!r}: send ids from the catalogue (Product.id)"
                outcomes[i] = EventOutcome(
                    i, event.message_id, EventStatus.REJECTED, RejectCode.UNKNOWN_PRODUCT, reason
                )
            else:
                known.append((i, event))

        # Duplicate message ids inside one batch count once, like a retry.
        seen: set[str] = set()
        batch: list[tuple[int, Event]] = []
        for i, event in known:
            if event.key in seen:
                outcomes[i] = EventOutcome(i, event.message_id, EventStatus.DUPLICATE)
            else:
                seen.add(event.key)
                batch.append((i, event))

        is_new = await self._events.append([e for _, e in batch])  # StoreUnavailable: nothing accepted
        fresh = [e for (_, e), new in zip(batch, is_new, strict=True) if new]
        for (i, event), new in zip(batch, is_new, strict=True):
            status = EventStatus.ACCEPTED if new else EventStatus.DUPLICATE
            outcomes[i] = EventOutcome(i, event.message_id, status, kept_unused=new and event.inert)

        applied = True
        if fresh:
            try:
                await self._apply(fresh, products)
            except StoreUnavailable as exc:
                applied = False
                log.warning("events stored but not yet applied (will replay): %s", exc.message)
        ordered = [outcomes[i] for i in sorted(outcomes)]
        self._on_outcomes([o.status.value for o in ordered], [o.code.value for o in ordered if o.code is not None])
        result = TrackResult(ordered, applied)
        if result.kept_unused:
            self._on_kept_unused(result.kept_unused)
        return result

    async def _admitted(
        self, visitor: Visitor, valid: list[tuple[int, Event]], outcomes: dict[int, EventOutcome], trusted: bool
    ) -> list[tuple[int, Event]]:
        """The events the gate lets through (as it rewrote them); the others' rejections go to `outcomes`."""
        if self._gate is None or not valid:
            return valid
        admitted = await self._gate.admit(visitor, [e for _, e in valid], trusted=trusted)
        kept: list[tuple[int, Event]] = []
        for (i, _), verdict in zip(valid, admitted, strict=True):
            if isinstance(verdict, Rejection):
                outcomes[i] = EventOutcome(i, verdict.message_id, EventStatus.REJECTED, verdict.code, verdict.reason)
            else:
                kept.append((i, verdict))
        return kept

    async def _products(self, ids: set[str]) -> dict[ProductId, Product]:
        if not ids:
            return {}
        ordered = [ProductId(i) for i in sorted(ids)]
        found = await self._catalog.get_raw(ordered)
        return {p.id: p for p in found if p is not None}

    async def _apply(self, events: Sequence[Event], products: dict[ProductId, Product]) -> None:
        live = [e for e in events if not e.inert]  # inert events are kept, never applied
        if live:
            await self._enrich(live, products)
        await self._events.mark_applied([e.key for e in events])

    async def _enrich(self, events: Sequence[Event], products: dict[ProductId, Product]) -> None:
        ordered = sorted(events, key=lambda e: e.timestamp)
        if self._attribution is not None:
            targets = await self._attribution.targets(ordered)
        else:
            targets = [Target(e.visitor_id) for e in ordered]
        by_profile: dict[VisitorId, list[Event]] = defaultdict(list)
        by_visitor: dict[VisitorId, list[Event]] = defaultdict(list)
        for event, target in zip(ordered, targets, strict=True):
            if target.profile_id is not None:
                by_profile[target.profile_id].append(event)
            if target.session:
                by_visitor[event.visitor_id].append(event)
        categories = self._catalog.category_map()
        engagement = self._engagement_for(self._vocabulary())
        profiles: dict[VisitorId, Profile] = {}
        for profile_id, mine in by_profile.items():
            changes = [profile_change(e, products, categories, self._half_life, engagement) for e in mine]
            profiles[profile_id] = await self._profiles.apply(profile_id, changes)
        for visitor_id, mine in by_visitor.items():
            await self._sessions.apply(visitor_id, [session_change(e) for e in mine])
            profile = profiles.get(visitor_id)
            if profile is None:  # enriched under a merged profile id: cache what the device sees
                found = [t.profile_id for e, t in zip(ordered, targets, strict=True) if e.visitor_id == visitor_id]
                profile = next((profiles[p] for p in found if p in profiles), None)
            if profile is not None:
                await self._sessions.cache_profile(visitor_id, profile)
        if self._attribution is not None and profiles:
            await self._attribution.applied(list(profiles.values()))
        allowed = [e for e, t in zip(ordered, targets, strict=True) if t.profile_id is not None]
        for listener in self._personal_listeners:
            if allowed:
                await listener.on_events(allowed, products)
        for listener in self._listeners:
            await listener.on_events(ordered, products)

    async def replay_unapplied(self, older_than_seconds: float = 30.0, limit: int = 500) -> int:
        """Apply events that were stored but not applied. Safe to run anywhere, any time."""
        pending = [s.event for s in await self._events.unapplied(older_than_seconds, limit)]
        if not pending:
            return 0
        vocabulary = self._vocabulary()
        products = await self._products({pid for e in pending for pid in product_ids(e, vocabulary)})
        await self._apply(pending, products)
        log.info("replayed %d unapplied events", len(pending))
        return len(pending)
