"""Event intake: validate each event, store it durably once, then apply it.

Order of work for a batch, and why:
1. Validate every event on its own; a bad one is rejected with a reason, the rest go on.
2. Reject events naming products the catalogue does not know (UNKNOWN_PRODUCT).
3. Accept the valid ones durably, once per (visitor, messageId): a retried event is reported
   DUPLICATE and not applied twice.
   - With an intake journal (Redis; gateway/visitors/durable_intake.py), into
     the journal: this needs only Redis, so MongoDB may be down or hanging. If the journal is
     unavailable, straight into the event log instead.
   - Without one (memory://), into the event log (MongoDB).
   If neither can take them the whole call fails with StoreUnavailable, saying why, and
   nothing is accepted: the client retries.
4. Apply the new events: append them to the event log if they came through the journal, apply
   them to the profile (MongoDB) and the session (Redis), each idempotent per event key, and
   cache the updated profile in the session (read-your-writes).
5. Hand them to the listeners (recommendation signals, segments, triggers...), in order.
6. Mark them applied (and drop them from the journal).
   Journaled events are applied in the request within a time budget (inline mode) or never
   there (deferred mode). Events not applied in the request are *staged* beside the session,
   so their visitor sees them at once (values/staged.py), and the journal's appliers apply
   them in order. If step 4 or 5 fails for events already in the log they stay unapplied
   there and `replay_unapplied` (a background task) applies them later: accepted is never
   lost. So a listener may see an event more than once and must be idempotent per `Event.key`.

Where the caller keeps unknown names (`keep_unknown`, the Segment API), a track name outside the
vocabulary is stored as an *inert* event: steps 3 and 6 only (through the journal like any
other, never staged), reported as kept unused (`EventOutcome.kept_unused`, the
`vitrine_events_kept_unused` metric).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol

from gateway.catalogue import CatalogService, Product, ProductId
from gateway.kernel import InputError, StoreUnavailable, Visitor, VisitorId
from gateway.visitors.durable_intake import FOR_ANOTHER_PERSON, DurableIntake, both_down
from gateway.visitors.stores.protocol import EventStore, JournalEntry, ProfileStore, SessionStore
from gateway.visitors.validation import parse_event, product_ids
from gateway.visitors.values.effects import profile_change, session_change
from gateway.visitors.values.engagement import EngagementPolicy
from gateway.visitors.values.events import Event, EventDraft, RejectCode, Rejection
from gateway.visitors.values.profile import Profile
from gateway.visitors.values.staged import StagedChange
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
        durable: DurableIntake | None = None,
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
        self._durable = durable
        self._skip_apply_until = 0.0  # monotonic: applying in requests is paused until then
        self._log_failed_at = -1e9  # monotonic: the event log last failed then

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

        entry_ids, journaled, waiting = await self._accept(visitor.id, [e for _, e in batch])  # or StoreUnavailable
        fresh = [e for (_, e), entry in zip(batch, entry_ids, strict=True) if entry is not None]
        for (i, event), entry in zip(batch, entry_ids, strict=True):
            new = entry is not None
            status = EventStatus.ACCEPTED if new else EventStatus.DUPLICATE
            outcomes[i] = EventOutcome(i, event.message_id, status, kept_unused=new and event.inert)

        applied = await self._apply_accepted(visitor.id, fresh, entry_ids if journaled else None, waiting, products)
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

    async def _accept(self, visitor_id: VisitorId, events: list[Event]) -> tuple[list[str | None], bool, int]:
        """Per event its journal entry id ("" when it went to the log) or None for a repeat;
        whether the journal took them; how many of the visitor's events wait in it before them."""
        if not events:
            return [], False, 0
        if self._durable is not None:
            try:
                appended = await self._durable.journal.append(visitor_id, events)
                return appended.entry_ids, True, appended.waiting
            except StoreUnavailable as exc:
                if time.monotonic() - self._log_failed_at < self._durable.retry_after_seconds:
                    raise both_down(exc) from exc  # the log failed moments ago: answer at once
                log.warning("intake journal unavailable, accepting into the event log: %s", exc.message)
        try:
            is_new = await self._events.append(events)
        except StoreUnavailable as exc:
            self._log_failed_at = time.monotonic()
            if self._durable is None:
                raise
            raise both_down(exc) from exc
        return ["" if new else None for new in is_new], False, 0

    async def _apply_accepted(
        self,
        visitor_id: VisitorId,
        fresh: list[Event],
        entry_ids: list[str | None] | None,
        waiting: int,
        products: dict[ProductId, Product],
    ) -> bool:
        """Apply newly accepted events now if it can; False when they were left for later.
        `entry_ids`: where the journal keeps them (None: they went to the event log)."""
        if not fresh:
            return True
        if entry_ids is not None:
            entries = [JournalEntry(i, e) for i, e in zip([i for i in entry_ids if i is not None], fresh, strict=True)]
            return await self._apply_now_or_stage(visitor_id, entries, waiting, products)
        try:
            await self._apply(fresh, products)
            return True
        except StoreUnavailable as exc:
            log.warning("events stored but not yet applied (will replay): %s", exc.message)
            return False

    async def _apply_now_or_stage(
        self, visitor_id: VisitorId, entries: list[JournalEntry], waiting: int, products: dict[ProductId, Product]
    ) -> bool:
        """Inline mode: apply journaled events within the budget; else stage them for their visitor.

        Never ahead of the visitor's older events still in the journal (`waiting`): the appliers
        apply those first, in order, and then these.
        """
        durable = self._durable
        assert durable is not None
        events = [x.event for x in entries]
        if not durable.deferred and not waiting and time.monotonic() >= self._skip_apply_until:
            partition = durable.journal.partition_of(visitor_id)
            try:
                await asyncio.wait_for(self._to_log_and_apply(events, products), durable.apply_budget_seconds)
                await durable.journal.remove(partition, entries)
                return True
            except (StoreUnavailable, TimeoutError) as exc:
                self._skip_apply_until = time.monotonic() + durable.retry_after_seconds
                why = exc.message if isinstance(exc, StoreUnavailable) else "it ran over its time budget"
                log.warning("events accepted into the journal, applied later (%s)", why)
        await self._stage(visitor_id, events, products)
        return False

    async def _stage(self, visitor_id: VisitorId, events: Sequence[Event], products: dict[ProductId, Product]) -> None:
        categories = self._catalog.category_map()
        engagement = self._engagement_for(self._vocabulary())  # as `_enrich` will apply them
        staged = [
            StagedChange(
                e.key,
                session_change(e),
                profile_change(e, products, categories, self._half_life, engagement),
            )
            for e in events
            if FOR_ANOTHER_PERSON not in e.properties and not e.inert  # inert events change nothing
        ]
        if not staged:
            return
        try:
            await self._sessions.stage(visitor_id, staged)
        except StoreUnavailable as exc:  # accepted all the same; the visitor sees them once applied
            log.warning("accepted events not shown to their visitor until applied: %s", exc.message)

    async def _to_log_and_apply(self, events: Sequence[Event], products: dict[ProductId, Product]) -> None:
        """Append journaled events to the log, then apply those new there or still pending there."""
        is_new = await self._events.append(events)
        todo = [e for e, new in zip(events, is_new, strict=True) if new]
        repeats = [e for e, new in zip(events, is_new, strict=True) if not new]
        if repeats:  # an earlier attempt stored them, or the client repeated them after the journal forgot
            todo += await self._events.pending(repeats)
        if todo:
            await self._apply(todo, products)

    async def apply_journaled(self, entries: Sequence[JournalEntry]) -> None:
        """Apply what a journal partition holds (its appliers call this, in order), and unstage it.

        Afterwards the event log holds every one of these events, applied: the caller may drop
        them from the journal. Raises StoreUnavailable (nothing to drop) if a store is down.
        """
        events = [x.event for x in entries]
        if not events:
            return
        vocabulary = self._vocabulary()
        products = await self._products({pid for e in events for pid in product_ids(e, vocabulary)})
        await self._to_log_and_apply(events, products)
        applied: dict[VisitorId, list[str]] = defaultdict(list)
        for event in events:
            applied[event.visitor_id].append(event.key)
        try:
            await self._sessions.unstage(applied)
        except StoreUnavailable as exc:  # staged copies are idempotent: harmless until they expire
            log.warning("could not unstage applied events: %s", exc.message)

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
