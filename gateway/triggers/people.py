"""A person as rules see them: their profile, devices and cards, history, segments, and the facts
their conditions are evaluated on.

Facts are those of segments and audiences (`profile.*`, `segments`, `customer.id`, behaviour
counts), the person's cart across devices (`cart.*`, replayed from the event log), the time
(`time.*`, UTC), the occasion (`event.name`, `event.channel`, `event.properties.*`) and, in a
journey, `journey.enteredAt` and `journey.events.<name>`. Only what a condition names is read:
a rule on `event.properties.reason` costs no history read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.audiences import (
    Condition,
    MembershipStore,
    behaviour_counter,
    fields_of,
    history_days,
    profile_facts,
)
from gateway.catalogue import CatalogService, ProductId
from gateway.identity import IdentityDirectory, IdKind, kind_of
from gateway.kernel import VisitorId
from gateway.triggers.values.activity import cart_of, count_since
from gateway.triggers.values.journeys import Position
from gateway.triggers.values.occasions import Occasion
from gateway.visitors import EngagementPolicy, Event, EventStore, Profile, ProfileStore

HISTORY_DAYS = 90.0  # enough for a cart, a best hour, purchases to recommend from
HISTORY_LIMIT = 5000
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Person:
    """One profile and what was read about it in this job (each read at most once)."""

    def __init__(self, profile: Profile, identifiers: list[str]) -> None:
        self.profile = profile
        self.identifiers = identifiers
        visitors = [VisitorId(i.partition(":")[2]) for i in identifiers if kind_of(i) is IdKind.VISITOR]
        self.visitor_ids = tuple(dict.fromkeys([profile.visitor_id, *visitors]))
        self.cards = tuple(i.partition(":")[2] for i in identifiers if kind_of(i) is IdKind.LOYALTY)
        self.history_window = 0.0
        self.events: list[Event] = []  # newest first, once read
        self.segments: frozenset[str] | None = None

    @property
    def id(self) -> VisitorId:
        return self.profile.visitor_id

    def first(self, kind: IdKind) -> str | None:
        return next((i.partition(":")[2] for i in self.identifiers if kind_of(i) is kind), None)


def _behaviour_window(node: Condition | None) -> float:
    """The longest behaviour window a condition counts in (0: it counts no behaviour)."""
    return history_days(node) if node is not None else 0.0


class People:
    def __init__(
        self,
        profiles: ProfileStore,
        events: EventStore,
        identity: IdentityDirectory,
        memberships: MembershipStore,
        catalog: CatalogService,
        *,
        engagement: EngagementPolicy,
        interest_half_life_days: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._profiles = profiles
        self._events = events
        self._identity = identity
        self._members = memberships
        self._catalog = catalog
        self.engagement = engagement
        self.half_life = interest_half_life_days
        self._clock = clock

    async def load(self, profile_id: VisitorId) -> Person | None:
        """The person living in `profile_id` now (merges followed); None if there is no profile."""
        (profile,) = await self._profiles.get_many([profile_id])
        if profile is None:
            return None
        return Person(profile, await self._identity.identifiers_of(profile.visitor_id))

    async def history(self, person: Person, days: float = HISTORY_DAYS) -> list[Event]:
        """The person's events on every device and card, newest first (read once per window)."""
        if days > person.history_window:
            since = self._clock() - timedelta(days=days)
            stored = await self._events.history(person.visitor_ids, person.cards, since, HISTORY_LIMIT)
            person.events = [s.event for s in stored]
            person.history_window = days
        return person.events

    async def segments(self, person: Person) -> frozenset[str]:
        if person.segments is None:
            (person.segments,) = await self._members.memberships([person.id])
        return person.segments

    async def cart(self, person: Person) -> list[tuple[ProductId, int]]:
        return cart_of(await self.history(person))

    async def facts(
        self,
        person: Person,
        condition: Condition | None,
        occasion: Occasion,
        now: datetime,
        position: Position | None = None,
    ) -> tuple[dict[str, Any], Callable[[Any], int]]:
        """The facts `condition` reads, and its behaviour counter."""
        wanted = fields_of(condition) if condition is not None else frozenset()
        segments = await self.segments(person) if "segments" in wanted else frozenset()
        facts = profile_facts(
            person.profile,
            now,
            interest_half_life_days=self.half_life,
            engagement=self.engagement,
            segments=segments,
            customer_id=person.first(IdKind.CUSTOMER),
        )
        facts.update(_time_facts(now))
        facts.update(_occasion_facts(occasion))
        if any(f.startswith("cart.") for f in wanted):
            facts.update(await self._cart_facts(person))
        if position is not None:
            facts["journey.enteredAt"] = position.entered_at
            names = [f.removeprefix("journey.events.") for f in wanted if f.startswith("journey.events.")]
            if names:
                since = await self.history(person)
                counts = count_since(since, names, position.entered_at)
                facts.update({f"journey.events.{n}": c for n, c in counts.items()})
        window = _behaviour_window(condition)
        if window <= 0:
            return facts, lambda query: 0
        history = await self.history(person, max(HISTORY_DAYS, window))
        ids = sorted({pid for e in history for pid in _product_ids(e)})
        products = {p.id: p for p in await self._catalog.get_raw([ProductId(i) for i in ids]) if p is not None}
        ancestors = {cid: tuple(c.path) for cid, c in self._catalog.category_map().items()}
        return facts, behaviour_counter(history, products, ancestors, now)

    async def _cart_facts(self, person: Person) -> dict[str, Any]:
        lines = await self.cart(person)
        found = await self._catalog.get_raw([p for p, _ in lines])
        value = sum(float(p.price.amount) * q for (_, q), p in zip(lines, found, strict=True) if p is not None)
        return {"cart.items": [p for p, _ in lines], "cart.itemCount": sum(q for _, q in lines), "cart.value": value}


def _time_facts(now: datetime) -> dict[str, Any]:
    utc = now.astimezone(UTC)
    return {"time.now": utc, "time.hourOfDay": utc.hour, "time.dayOfWeek": DAYS[utc.weekday()]}


def _occasion_facts(occasion: Occasion) -> dict[str, Any]:
    facts: dict[str, Any] = {"event.name": occasion.name}
    if occasion.channel is not None:
        facts["event.channel"] = occasion.channel
    facts.update({f"event.properties.{k}": v for k, v in occasion.properties.items()})
    return facts


def _product_ids(event: Event) -> list[str]:
    props: Mapping[str, Any] = event.properties
    if isinstance(props.get("products"), list):
        return [str(p.get("product_id")) for p in props["products"] if isinstance(p, Mapping)]
    return [str(props["product_id"])] if "product_id" in props else []
