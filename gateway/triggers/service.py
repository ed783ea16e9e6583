"""Marketing automation for operators and the worker: what rules and journeys did, their lift,
the webhook outbox, and recommendations for a customer (newsletters built elsewhere).

The work itself is elsewhere: `engine.RuleEngine` (what starts rules and journeys),
`journeys.JourneyRunner` (their steps), `actions.Actions` (what rules do), and
`workspace.AutomationDefinitions` (editors' definitions and releases). This service is the
area's event and segment listener (passing on to the engine) and the jobs' entry points.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.catalogue import Product, ProductId
from gateway.identity import IdentityDirectory
from gateway.kernel import InputError, NotFound, VisitorId
from gateway.triggers.engine import RuleEngine
from gateway.triggers.journeys import JourneyRunner
from gateway.triggers.lift import Lift, rule_lift
from gateway.triggers.messages import MessageContent
from gateway.triggers.people import People
from gateway.triggers.stores.protocol import OutboxStore, PositionStore
from gateway.triggers.values import Delivery, DeliveryStatus, TriggerKind
from gateway.triggers.values.automation import Automation, RawDefinitions, default_definitions
from gateway.triggers.values.durations import AutomationError
from gateway.triggers.values.journeys import Position, PositionStatus
from gateway.triggers.values.occasions import Occasion
from gateway.triggers.values.rules import parse_recommendations
from gateway.triggers.values.when import Cap, RuleDefaults
from gateway.triggers.webhooks import WebhookSender
from gateway.visitors import Event, EventStore


@dataclass(frozen=True, slots=True)
class TriggerPolicy:
    """The settings' defaults: the built-in rules' delays and every rule's holdout and cap."""

    abandoned_cart_after: timedelta = timedelta(minutes=60)
    inactivity_after: timedelta = timedelta(days=30)
    holdout_percent: float = 10.0
    cap_count: int = 1
    cap_window: timedelta = timedelta(days=7)
    affinity_score: float = 5.0
    consent_required: bool = False
    interest_half_life_days: float = 14.0

    @property
    def rule_defaults(self) -> RuleDefaults:
        return RuleDefaults(self.holdout_percent, Cap(self.cap_count, self.cap_window))

    @property
    def default_definitions(self) -> RawDefinitions:
        return default_definitions(self.abandoned_cart_after, self.inactivity_after, self.affinity_score)


@dataclass(frozen=True, slots=True)
class CustomerRecommendations:
    profile_id: VisitorId
    customer_id: str
    best_send_hour: int | None  # UTC; None with too little activity to tell
    strategy: str
    based_on: str | None
    items: list[dict[str, Any]]  # products as webhook payloads list them, each with its `reason`


@dataclass(frozen=True, slots=True)
class StepCount:
    step: str
    status: PositionStatus
    people: int


class TriggerService:
    def __init__(
        self,
        current: Callable[[], Automation],
        engine: RuleEngine,
        journeys: JourneyRunner,
        people: People,
        content: MessageContent,
        outbox: OutboxStore,
        positions: PositionStore,
        events: EventStore,
        identity: IdentityDirectory,
        webhooks: WebhookSender | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._current = current
        self._engine = engine
        self._journeys = journeys
        self._people = people
        self._content = content
        self._outbox = outbox
        self._positions = positions
        self._events = events
        self._identity = identity
        self._webhooks = webhooks
        self._clock = clock

    # --- listeners and jobs -----------------------------------------------------------------

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        await self._engine.on_events(events, products)

    async def on_segments_changed(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> None:
        await self._engine.on_segments_changed(profile_id, entered, exited, at)

    async def fire_due(self, now: datetime | None = None, limit: int = 100) -> int:
        """Fire due timers this instance manages to claim; answers how many fired."""
        return await self._engine.fire_due(now, limit)

    async def advance_journeys(self, now: datetime | None = None, limit: int = 100) -> int:
        """Run due journey steps this instance manages to claim; answers how many moves."""
        return await self._journeys.advance_due(now, limit)

    # --- what operators ask ----------------------------------------------------------------

    async def deliveries(
        self, status: DeliveryStatus | None, profile_id: VisitorId | None, limit: int, rule: str | None = None
    ) -> list[Delivery]:
        """Webhook deliveries, oldest first (DEAD lists the dead letters)."""
        return await self._outbox.find(status=status, profile_id=profile_id, rule=rule, limit=limit)

    async def lift(self, kind: TriggerKind, days: float) -> Lift:
        """A built-in trigger's lift: its default rule's (see `gateway.triggers.lift`)."""
        return await self.rule_lift(kind.value, days)

    async def rule_lift(self, rule: str, days: float, step: str | None = None) -> Lift:
        """Conversion of messaged people against the held-out group, for a rule, a journey, or
        one step of a journey; a conversion is the rule's goal event."""
        owner = self._current().owner(rule)
        goal = owner.goal if owner is not None else "Order Completed"
        return await rule_lift(self._outbox, self._events, self._identity, rule, days, step=step, goal=goal)

    async def retry_delivery(self, delivery_id: str) -> Delivery:
        """Queue a dead delivery again with a fresh attempt budget."""
        if self._webhooks is None:
            raise InputError("no webhook receiver is configured (VITRINE_WEBHOOK_URL)")
        return await self._webhooks.retry(delivery_id)

    async def positions(
        self, journey: str | None, status: PositionStatus | None, profile_id: VisitorId | None, limit: int
    ) -> list[Position]:
        return await self._positions.find(journey, status, profile_id, limit)

    async def journey_counts(self, journey: str, limit: int = 10_000) -> list[StepCount]:
        """How many people are on each step (active) or ended each way, of the latest runs."""
        found = await self._positions.find(journey, None, None, limit)
        counts = Counter((p.step, p.status) for p in found)
        return [StepCount(step, status, n) for (step, status), n in sorted(counts.items(), key=lambda kv: kv[0][0])]

    async def customer_recommendations(self, customer_id: str, spec: Mapping[str, Any]) -> CustomerRecommendations:
        """A recommendation list for one customer, as a rule's webhook would carry it now
        (`spec`: strategy, count, basedOn, filters), with their best hour to send."""
        try:
            parsed = parse_recommendations(dict(spec), "recommendations")
        except AutomationError as exc:
            raise InputError(exc.message, field=exc.path) from None
        profile_id = await self._identity.owner_of(f"customer:{customer_id}")
        person = await self._people.load(profile_id) if profile_id is not None else None
        if person is None:
            raise NotFound(f"no customer {customer_id!r}: identify them first (docs/identity.md)")
        now = self._clock()
        occasion = Occasion("Recommendations Requested", f"api:{customer_id}:{now.isoformat()}", now)
        result = await self._content.recommend(parsed, person, occasion, now)
        return CustomerRecommendations(
            person.id,
            customer_id,
            await self._content.best_hour(person, now),
            str(result["strategy"]),
            result["basedOn"],
            list(result["items"]),
        )
