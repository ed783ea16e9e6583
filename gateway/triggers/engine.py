"""The rule engine: from what happens to a person, to the rules and journeys that start.

As an event listener (in the request, after the profile is updated; idempotent per event):
event rules run at once (their effects keyed by the event); absences start, restart or end
(one timer per rule and person, `<rule>:<profile>`, moved only later); journeys are entered
(the worker runs their steps) or left on their exit events; an engagement tier crossed by the
batch starts tier rules, and the moment the score will decay into the next lower tier is kept
as a timer.

As a segment listener: a membership change becomes a timer due now, so rules on segment
entries and exits run in the worker, durably, without slowing the change.

`fire_due` (the worker) fires due timers claimed in the store, so each fires on one instance:
absences (still absent? then conditions and actions), follow-ups, messages held for the
person's best hour, segment changes, tier drops, and catalogue promotions fanned out to the
people who wishlisted or like the product. A timer is removed only after its effects are
recorded, so a crash in between fires it again, and the effects' keys make that harmless.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from gateway.audiences import ENTERED, EXITED, evaluate
from gateway.catalogue import CatalogStore, Product, ProductId
from gateway.identity import IdentityDirectory
from gateway.kernel import Channel, StoreUnavailable, VisitorId
from gateway.triggers.actions import Actions
from gateway.triggers.journeys import JourneyRunner
from gateway.triggers.people import People, Person
from gateway.triggers.stores.protocol import TimerStore
from gateway.triggers.values import Timer, TimerKind
from gateway.triggers.values.activity import next_tier_drop
from gateway.triggers.values.automation import Automation, Owner
from gateway.triggers.values.durations import format_duration
from gateway.triggers.values.journeys import Do, Journey
from gateway.triggers.values.occasions import (
    ABSENCE,
    FOLLOW_UP,
    PROMOTION,
    TIER_CHANGED,
    Occasion,
    event_occasion,
    occasion_from_json,
)
from gateway.triggers.values.rules import Rule, Webhook
from gateway.triggers.values.when import OnAbsence, OnFollowUp, OnPromotion
from gateway.visitors import EngagementPolicy, Event, Profile, ProfileIndex, decay_factor

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120.0
FAN_OUT_LIMIT = 10_000
LEGACY_ABSENCES = {TimerKind.ABANDONED_CART: "changed_at", TimerKind.INACTIVITY: "last_event_at"}


class RuleEngine:
    def __init__(
        self,
        current: Callable[[], Automation],
        people: People,
        actions: Actions,
        journeys: JourneyRunner,
        timers: TimerStore,
        index: ProfileIndex,
        identity: IdentityDirectory,
        catalog: CatalogStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        claim_seconds: float = CLAIM_SECONDS,
    ) -> None:
        """`claim_seconds`: how long a claimed timer is this engine's; if its process dies, the
        timer waits that long before another one fires it (VITRINE_TRIGGER_CLAIM_SECONDS)."""
        self._current = current
        self._people = people
        self._actions = actions
        self._journeys = journeys
        self._timers = timers
        self._index = index
        self._identity = identity
        self._catalog = catalog
        self._clock = clock
        self._me = secrets.token_hex(8)
        self._claim_seconds = claim_seconds

    # --- starting rules and journeys --------------------------------------------------------

    async def holds(self, owner: Owner, person: Person, occasion: Occasion, now: datetime) -> bool:
        if owner.condition is None:
            return True
        facts, counter = await self._people.facts(person, owner.condition, occasion, now)
        return evaluate(owner.condition, facts, counter).matched

    async def start(
        self, automation: Automation, owner: Owner, person: Person, occasion: Occasion, root: str, now: datetime
    ) -> None:
        """Run a rule's actions, or enter a journey, if the owner's conditions hold."""
        if not await self.holds(owner, person, occasion, now):
            return
        if isinstance(owner, Journey):
            await self._journeys.enter(owner, person, occasion, now)
        else:
            await self._actions.run(automation, owner, owner.actions, person, occasion, root, now)

    # --- events -------------------------------------------------------------------------------

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        automation = self._current()
        if not automation.owners():
            return
        by_profile = await self._by_profile(events)
        now = self._clock()
        for pid, mine in by_profile.items():
            await self._absences(automation, pid, mine)
            exits = sorted({j for e in mine for j in automation.exits(e.name)})
            if exits:
                await self._journeys.exit(pid, exits, mine[-1].timestamp)
            started = [(o, e) for e in mine for o in automation.started_by_event(e.name, e.channel)]
            if not started and not automation.watches_tiers:
                continue
            person = await self._people.load(pid)
            if person is None:
                continue
            for owner, event in started:
                await self.start(automation, owner, person, event_occasion(event), f"{owner.key}:{event.key}", now)
            if automation.watches_tiers:
                await self._tier_after(automation, person, mine, now)

    async def _by_profile(self, events: Sequence[Event]) -> dict[VisitorId, list[Event]]:
        """Each event under the profile it enriched: merged people once, in-store events under the card's."""
        visitors = list(dict.fromkeys(e.visitor_id for e in events))
        roots = dict(zip(visitors, await self._identity.roots(visitors), strict=True))  # one read per batch
        by_profile: dict[VisitorId, list[Event]] = {}
        for event in sorted(events, key=lambda e: e.timestamp):
            card = event.properties.get("loyalty_card_id")
            if event.channel in (Channel.POS, Channel.BEACON) and isinstance(card, str) and card:
                pid = await self._identity.profile_for(f"loyalty:{card}")
            else:
                pid = roots[event.visitor_id]
            by_profile.setdefault(pid, []).append(event)
        return by_profile

    async def _absences(self, automation: Automation, pid: VisitorId, events: Sequence[Event]) -> None:
        for owner, when in automation.absences():
            state: Event | str | None = None
            for event in events:
                if when.ends(event.name):
                    state = "ended"
                if when.starts(event.name):
                    state = event
            key = f"{owner.key}:{pid}"
            if state == "ended":
                await self._timers.cancel(key)
            elif isinstance(state, Event):
                data = {
                    "rule": owner.key,
                    "since": state.timestamp.isoformat(),
                    "start": state.key,
                    "event": state.name,
                    "visitorId": state.visitor_id,
                }
                await self._timers.schedule(Timer(key, TimerKind.ABSENCE, pid, state.timestamp + when.delay, data))

    async def _tier_after(self, automation: Automation, person: Person, events: Sequence[Event], now: datetime) -> None:
        policy = _with_points(self._people.engagement, automation.vocabulary.points)
        score = policy.score(person.profile.engagement_mass, now)
        added = sum(policy.mass(e.counter_name, e.timestamp) for e in events)
        before = score - added / decay_factor(now, policy.half_life_days)
        old, new = policy.tier(before).value, policy.tier(score).value
        if old != new:
            occasion = Occasion(
                TIER_CHANGED, f"tier:{person.id}:{events[-1].key}", now, properties={"from": old, "to": new}
            )
            for owner in automation.started_by_tier(old, new):
                await self.start(automation, owner, person, occasion, f"{owner.key}:{occasion.key}", now)
        drop = next_tier_drop(policy, score, now)
        if drop is not None:
            await self._timers.schedule(Timer(f"tier:{person.id}", TimerKind.TIER, person.id, drop, {"tier": new}))

    # --- segments -------------------------------------------------------------------------------

    async def on_segments_changed(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> None:
        changes = [(ENTERED, k, True) for k in entered] + [(EXITED, k, False) for k in exited]
        await self._actions.segment_changed(self._current(), profile_id, changes, at)

    # --- timers ---------------------------------------------------------------------------------

    async def fire_due(self, now: datetime | None = None, limit: int = 100) -> int:
        """Fire due timers this instance manages to claim; answers how many fired."""
        now = now or self._clock()
        automation = self._current()
        fired = 0
        for _ in range(limit):  # one at a time: a worker that dies holds one claim, not a batch
            claimed = await self._timers.claim_due(now, self._me, self._claim_seconds, 1)
            if not claimed:
                break
            timer = claimed[0]
            try:
                await self._fire(automation, timer, now)
            except StoreUnavailable as exc:  # the claim expires and the timer fires again later
                log.warning("timer %s deferred: %s", timer.kind.value, exc.message)
                continue
            await self._timers.done(timer)
            fired += 1
        return fired

    async def _fire(self, automation: Automation, timer: Timer, now: datetime) -> None:
        if timer.kind is TimerKind.PROMOTION_SCAN:
            await self._promotion_scan(automation, timer, now)
            return
        person = await self._people.load(timer.profile_id) if timer.profile_id is not None else None
        if person is None:
            return
        if timer.kind in (TimerKind.ABSENCE, *LEGACY_ABSENCES):
            await self._absence(automation, timer, person, now)
        elif timer.kind is TimerKind.FOLLOW_UP:
            rule = automation.rules.get(str(timer.data["rule"]))
            if rule is not None and rule.enabled and isinstance(rule.when, OnFollowUp):
                base = occasion_from_json(timer.data["occasion"])
                occasion = Occasion(
                    FOLLOW_UP, timer.key, now, base.channel, base.visitor_id, base.properties, base.products
                )
                await self.start(automation, rule, person, occasion, f"{rule.key}:{timer.key}", now)
        elif timer.kind is TimerKind.SEND:
            await self._send_held(automation, timer, person, now)
        elif timer.kind is TimerKind.SEGMENT_CHANGE:
            key, entered = str(timer.data["segment"]), bool(timer.data["entered"])
            name = ENTERED if entered else EXITED
            at = datetime.fromisoformat(str(timer.data["at"]))
            occasion = Occasion(name, timer.key, at, properties={"segment": key})
            for owner in automation.started_by_segment(key, entered):
                await self.start(automation, owner, person, occasion, f"{owner.key}:{timer.key}", now)
        elif timer.kind is TimerKind.TIER:
            await self._tier_drop(automation, timer, person, now)

    async def _absence(self, automation: Automation, timer: Timer, person: Person, now: datetime) -> None:
        rule_key = str(timer.data.get("rule") or timer.kind.value)
        since_field = LEGACY_ABSENCES.get(timer.kind, "since")
        since = datetime.fromisoformat(str(timer.data[since_field]))
        owner = automation.owner(rule_key)
        if owner is None or not owner.enabled or not isinstance(owner.when, OnAbsence):
            return
        when = owner.when
        if when.of is None:
            last = person.profile.last_seen
            if last is not None and last > since:
                return  # active since: a later event moved the timer, this is a stale claim
        else:
            days = max(1.0, (now - since).total_seconds() / 86400 + 1)
            history = await self._people.history(person, days)
            start = timer.data.get("start")
            if any(e.name in when.of and e.timestamp >= since and e.key != start for e in history):
                return
        visitor = timer.data.get("visitorId")
        occasion = Occasion(
            ABSENCE,
            f"absence:{rule_key}:{person.id}:{since.isoformat()}",
            since,
            properties={"after": timer.data.get("event"), "for": format_duration(when.delay)},
            visitor_id=VisitorId(str(visitor)) if visitor else None,
        )
        # The delivery id of the fixed triggers' days: `<rule>:<profile>:<since>`.
        await self.start(automation, owner, person, occasion, f"{rule_key}:{person.id}:{since.isoformat()}", now)

    async def _send_held(self, automation: Automation, timer: Timer, person: Person, now: datetime) -> None:
        owner = automation.owner(str(timer.data["owner"]))
        if owner is None or not owner.enabled:
            return
        step = timer.data.get("step")
        if isinstance(owner, Rule):
            actions = owner.actions
        else:
            found = next((s for s in owner.steps if s.id == step and isinstance(s, Do)), None)
            actions = found.actions if isinstance(found, Do) else ()
        index = int(timer.data["action"])
        action = actions[index] if index < len(actions) else None
        if not isinstance(action, Webhook):
            return  # the definition changed meanwhile
        held = timer.data.get("heldOut")
        occasion = occasion_from_json(timer.data["occasion"])
        await self._actions.send(
            owner,
            action,
            person,
            occasion,
            str(timer.data["delivery"]),
            now,
            step=str(step) if step else None,
            held_out=bool(held) if held is not None else None,
        )

    async def _tier_drop(self, automation: Automation, timer: Timer, person: Person, now: datetime) -> None:
        policy = _with_points(self._people.engagement, automation.vocabulary.points)
        score = policy.score(person.profile.engagement_mass, now)
        old, new = str(timer.data.get("tier")), policy.tier(score).value
        if old != new:
            occasion = Occasion(
                TIER_CHANGED, f"{timer.key}:{now.isoformat()}", now, properties={"from": old, "to": new}
            )
            for owner in automation.started_by_tier(old, new):
                await self.start(automation, owner, person, occasion, f"{owner.key}:{occasion.key}", now)
        drop = next_tier_drop(policy, score, now)
        if drop is not None and automation.watches_tiers:
            await self._timers.schedule(Timer(timer.key, TimerKind.TIER, person.id, drop, {"tier": new}))

    async def _promotion_scan(self, automation: Automation, timer: Timer, now: datetime) -> None:
        promotions = automation.promotions()
        if not promotions:
            return
        pid = ProductId(str(timer.data["product_id"]))
        (product,) = await self._catalog.get_products([pid])
        if product is None:
            return
        for owner, when in promotions:
            for profile, why in (await self._promotion_audience(product, when, now)).values():
                person = Person(profile, await self._identity.identifiers_of(profile.visitor_id))
                occasion = Occasion(
                    PROMOTION,
                    f"promotion:{pid}:{product.price.amount}:{profile.visitor_id}",
                    now,
                    properties={"product_id": pid, "why": timer.data.get("why")},
                    products=((pid, 1),),
                    extra={"promotion": timer.data.get("why"), "matchedBy": why},
                )
                root = f"{owner.key}:{profile.visitor_id}:{pid}:{product.price.amount}"
                await self.start(automation, owner, person, occasion, root, now)

    async def _promotion_audience(
        self, product: Product, when: OnPromotion, now: datetime
    ) -> dict[VisitorId, tuple[Profile, str]]:
        """Who wishlisted the product or has an interest of at least `affinity_score` in its brand
        or one of its categories: profile -> why (wishlist wins)."""
        mass = when.affinity_score * decay_factor(now, self._people.half_life)
        affine: list[Profile] = []
        for key in (f"brand:{product.brand_id}", *(f"category:{c}" for c in product.category_ids)):
            affine += await self._index.with_interest(key, mass, FAN_OUT_LIMIT)
        reasons: dict[VisitorId, tuple[Profile, str]] = {p.visitor_id: (p, "affinity") for p in affine}
        if when.wishlist:
            wishlisted = await self._index.with_counter(f"wishlist:{product.id}", 1, FAN_OUT_LIMIT)
            reasons.update({p.visitor_id: (p, "wishlist") for p in wishlisted})
        return reasons


def _with_points(policy: EngagementPolicy, points: Mapping[str, float]) -> EngagementPolicy:
    """The policy with the declared events' points, as the intake scored them."""
    return replace(policy, points={**policy.points, **points})
