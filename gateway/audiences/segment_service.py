"""Segment definitions, membership kept current in real time and on a schedule, and sizes.

Real time: as an EventService listener, every profile touched by a batch is evaluated
against every segment and its membership diffed. Scheduled: `reevaluate_all` pages through
live profiles for segments whose truth changes with time alone ("no purchase in 30 days"),
under a lease so one instance runs it at a time. Each real change of membership appends a
`Segment Entered` / `Segment Exited` event to the profile's event log, exactly once (the
membership store reports only changes it really made). Re-evaluating is idempotent.
The change listeners hear of each real change once, after it is recorded (automation rules
start from them: "when a person enters the segment ...").
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from gateway.audiences.references import ReferenceCheck
from gateway.audiences.stores.protocol import MembershipStore, SegmentStore
from gateway.audiences.values.condition_evaluation import evaluate
from gateway.audiences.values.problems import ConditionError, problems_of
from gateway.audiences.values.profile_facts import behaviour_counter, profile_facts
from gateway.audiences.values.references import condition_references
from gateway.audiences.values.segments import ENTERED, EXITED, Segment, build_segment, history_days
from gateway.catalogue import CatalogService, Product, ProductId
from gateway.identity import IdentityDirectory, IdKind, kind_of
from gateway.kernel import Channel, InputError, NotFound, StoreUnavailable, VisitorId
from gateway.platform.leases.protocol import LeaseStore
from gateway.visitors import (
    EngagementPolicy,
    Event,
    EventStore,
    EventType,
    Profile,
    ProfileIndex,
    ProfileStore,
    Purpose,
    allows,
    empty_profile,
)

log = logging.getLogger(__name__)

DEFINITIONS_TTL_SECONDS = 5.0
HISTORY_DAYS = 365
HISTORY_LIMIT = 5000
SCAN_PAGE = 500
LEASE = "segments-reevaluate"


class SegmentInvalid(InputError):
    """A segment an editor must fix: `problems` holds every (path, message); paths are `key`,
    `name`, `description` or `conditions...` (the definition's JSON path)."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        path, message = problems[0]
        super().__init__(message, field=path)
        self.problems = tuple(problems)


class SegmentChangeListener(Protocol):
    """Hears each real change of a profile's memberships, once, after it is recorded.

    Should do little (record the change durably for later work): a failure is logged, never
    undone, and never retried.
    """

    async def on_segments_changed(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Person:
    """A profile with the device ids and loyalty cards its events were sent under."""

    profile: Profile
    visitor_ids: tuple[VisitorId, ...]
    loyalty_cards: tuple[str, ...]


class SegmentService:
    def __init__(
        self,
        segments: SegmentStore,
        members: MembershipStore,
        profiles: ProfileStore,
        index: ProfileIndex,
        events: EventStore,
        identity: IdentityDirectory,
        catalog: CatalogService,
        leases: LeaseStore,
        *,
        interest_half_life_days: float,
        engagement: EngagementPolicy,
        consent_required: bool,
        references: ReferenceCheck | None = None,
        change_listeners: Sequence[SegmentChangeListener] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`references` checks the events and catalogue ids a definition names (None: unchecked)."""
        self._segments = segments
        self._members = members
        self._profiles = profiles
        self._index = index
        self._events = events
        self._identity = identity
        self._catalog = catalog
        self._leases = leases
        self._half_life = interest_half_life_days
        self._engagement = engagement
        self._consent_required = consent_required
        self._references = references
        self._change_listeners = list(change_listeners)
        self._clock = clock
        self._cached: tuple[float, list[Segment]] | None = None

    # --- definitions (admin) ---------------------------------------------------------------

    async def definitions(self) -> list[Segment]:
        """All segments; cached for a few seconds (another instance's edit shows up within that)."""
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] > DEFINITIONS_TTL_SECONDS:
            self._cached = (now, await self._segments.all())
        return self._cached[1]

    async def save(self, key: str, name: str, description: str, definition: Mapping[str, Any]) -> Segment:
        """Validate and store; raises SegmentInvalid with every problem (key, name, conditions...),
        including names of events, categories, brands and products that do not exist."""
        try:
            segment = build_segment(key, name, description, definition, self._clock())
        except ConditionError as exc:
            raise SegmentInvalid([(p.path, p.message) for p in problems_of(exc)]) from None
        if self._references is not None:
            unknown = await self._references.problems(condition_references(definition))
            if unknown:
                raise SegmentInvalid(unknown)
        await self._segments.save(segment)
        self._cached = None
        return segment

    async def delete(self, key: str) -> None:
        if not await self._segments.delete(key):
            raise NotFound(f"no segment {key!r}")
        await self._members.drop_segment(key)
        self._cached = None

    async def sizes(self) -> dict[str, int]:
        return await self._members.sizes()

    async def of(self, profile_ids: Sequence[VisitorId]) -> list[frozenset[str]]:
        return await self._members.memberships(profile_ids)

    # --- evaluation -----------------------------------------------------------------------

    async def person(self, profile_id: VisitorId, *, with_devices: bool = True) -> Person:
        (profile,) = await self._profiles.get_many([profile_id])
        profile = profile or empty_profile(profile_id)
        if not with_devices:
            return Person(profile, (profile.visitor_id,), ())
        idents = await self._identity.identifiers_of(profile.visitor_id)
        visitors = [VisitorId(i.partition(":")[2]) for i in idents if kind_of(i) is IdKind.VISITOR]
        cards = [i.partition(":")[2] for i in idents if kind_of(i) is IdKind.LOYALTY]
        return Person(profile, tuple(dict.fromkeys([profile.visitor_id, *visitors])), tuple(cards))

    async def facts_for(
        self, person: Person, current: frozenset[str], now: datetime, window_days: float = HISTORY_DAYS
    ) -> tuple[dict[str, Any], Any]:
        facts = profile_facts(
            person.profile,
            now,
            interest_half_life_days=self._half_life,
            engagement=self._engagement,
            segments=current,
        )
        if window_days <= 0:  # no behaviour condition: no need to read the event log
            return facts, lambda query: 0
        stored = await self._events.history(
            person.visitor_ids, person.loyalty_cards, now - timedelta(days=window_days), HISTORY_LIMIT
        )
        history = [s.event for s in stored]
        ids = sorted({pid for e in history for pid in _product_ids(e)})
        products = {p.id: p for p in await self._catalog.get_raw([ProductId(i) for i in ids]) if p is not None}
        ancestors = {cid: tuple(c.path) for cid, c in self._catalog.category_map().items()}
        return facts, behaviour_counter(history, products, ancestors, now)

    async def evaluate(self, profile_id: VisitorId, *, time_based_only: bool = False) -> tuple[list[str], list[str]]:
        """Bring one profile's membership up to date; answers (entered, exited) keys."""
        now = self._clock()
        segments = await self.definitions()
        if time_based_only:
            segments = [s for s in segments if s.time_based]
        window = max(history_days(s.condition) for s in segments) if segments else 0.0
        person = await self.person(profile_id, with_devices=window > 0)
        pid = person.profile.visitor_id
        (current,) = await self._members.memberships([pid])
        if not segments:
            return [], []
        if not allows(person.profile.consent, Purpose.PERSONALIZATION, required=self._consent_required):
            should: set[str] = set()
        else:
            facts, counter = await self.facts_for(person, current, now, window)
            should = {s.key for s in segments if evaluate(s.condition, facts, counter).matched}
        keys = {s.key for s in segments}
        entered, exited = await self._members.update(
            pid, sorted(should - current), sorted((current & keys) - should), now
        )
        await self._announce(pid, entered, exited, now)
        return entered, exited

    async def _announce(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> None:
        events = [
            Event(
                message_id=f"segment:{name}:{key}:{at.isoformat()}",
                visitor_id=profile_id,
                type=EventType.TRACK,
                name=name,
                channel=Channel.WEB,
                timestamp=at,
                received_at=at,
                properties={"segment": key},
            )
            for name, keys in ((ENTERED, entered), (EXITED, exited))
            for key in keys
        ]
        if events:
            await self._events.append(events)
            await self._events.mark_applied([e.key for e in events])
            for listener in self._change_listeners:
                try:
                    await listener.on_segments_changed(profile_id, entered, exited, at)
                except StoreUnavailable as exc:
                    log.error("a segment change of a profile was not passed on: %s", exc.message)

    # --- real time and schedule -------------------------------------------------------------

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        if not events or not await self.definitions():
            return
        profile_ids: list[VisitorId] = []
        for event in events:
            card = event.properties.get("loyalty_card_id")
            if event.channel in (Channel.POS, Channel.BEACON) and isinstance(card, str) and card:
                profile_ids.append(await self._identity.profile_for(f"loyalty:{card}"))
            else:
                profile_ids.append(event.visitor_id)
        for pid in dict.fromkeys(await self._identity.roots(list(dict.fromkeys(profile_ids)))):
            await self.evaluate(pid)

    async def after_merge(self, target: VisitorId, sources: Sequence[VisitorId]) -> None:
        for source in sources:
            await self._members.erase(source)
        await self.evaluate(target)

    async def reevaluate_all(self, *, time_based_only: bool = True) -> int:
        """Re-evaluate every live profile (one instance at a time); answers how many changed."""
        if not [s for s in await self.definitions() if s.time_based or not time_based_only]:
            return 0
        me = secrets.token_hex(8)
        if not await self._leases.acquire(LEASE, me, 300):
            return 0  # another instance is on it
        changed = 0
        try:
            after: VisitorId | None = None
            while True:
                page = await self._index.scan(after, SCAN_PAGE)
                if not page:
                    break
                for profile in page:
                    entered, exited = await self.evaluate(profile.visitor_id, time_based_only=time_based_only)
                    changed += bool(entered or exited)
                await self._leases.acquire(LEASE, me, 300)  # renew while working
                after = page[-1].visitor_id
        finally:
            await self._leases.release(LEASE, me)
        if changed:
            log.info("segment re-evaluation changed %d profiles", changed)
        return changed


def _product_ids(event: Event) -> list[str]:
    props = event.properties
    if isinstance(props.get("products"), list):
        return [str(p.get("product_id")) for p in props["products"] if isinstance(p, Mapping)]
    return [str(props["product_id"])] if "product_id" in props else []
