"""Doing what a rule or a journey step says, once per occasion.

Every effect is keyed by the occasion (or the journey run and step), so doing the same
actions again, after a replayed event or a worker that died mid-step, changes nothing:

- `webhook`: the delivery's id is the key and the outbox keeps one delivery per id. Before it
  is written: marketing consent, the rule's frequency cap (journeys cap entries instead), the
  holdout (recorded as `holdout`, never sent). `at: bestHour` holds it in a timer until the
  person's most active hour, then decides and builds it (prices and recommendations of then).
- `setTrait`: a profile change keyed like an event (the profile store applies a key once).
- `enterSegment` / `leaveSegment`: manual segments (keys no condition segment uses); the
  membership store reports a change once, and it is announced like any segment change
  (`Segment Entered` in the person's history, rules on it run).
- `followUp`: a timer keyed by the occasion, due after the delay, that runs the named rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from gateway.audiences import ENTERED, EXITED, MembershipStore, SegmentStore
from gateway.kernel import Channel, VisitorId
from gateway.triggers.messages import MessageContent
from gateway.triggers.payloads import Message, build_payload
from gateway.triggers.people import People, Person
from gateway.triggers.stores.protocol import OutboxStore, TimerStore
from gateway.triggers.values import Delivery, DeliveryStatus, Timer, TimerKind, in_holdout
from gateway.triggers.values.activity import next_at_hour
from gateway.triggers.values.automation import Automation, Owner
from gateway.triggers.values.journeys import Journey
from gateway.triggers.values.occasions import Occasion
from gateway.triggers.values.rules import Action, FollowUp, Rule, SegmentAction, SetTrait, Webhook
from gateway.visitors import Event, EventStore, EventType, ProfileChange, ProfileStore, Purpose, allows

log = logging.getLogger(__name__)


def action_key(root: str, index: int) -> str:
    """The first action keeps the occasion's key (a built-in trigger's delivery id is unchanged)."""
    return root if index == 0 else f"{root}:{index}"


class Actions:
    def __init__(
        self,
        people: People,
        content: MessageContent,
        outbox: OutboxStore,
        timers: TimerStore,
        profiles: ProfileStore,
        memberships: MembershipStore,
        segments: SegmentStore,
        events: EventStore,
        *,
        webhooks: bool,
        consent_required: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._people = people
        self._content = content
        self._outbox = outbox
        self._timers = timers
        self._profiles = profiles
        self._members = memberships
        self._segments = segments
        self._events = events
        self._webhooks = webhooks
        self._consent_required = consent_required
        self._clock = clock

    async def run(
        self,
        automation: Automation,
        owner: Owner,
        actions: Sequence[Action],
        person: Person,
        occasion: Occasion,
        root: str,
        now: datetime,
        *,
        step: str | None = None,
        held_out: bool | None = None,
    ) -> list[DeliveryStatus | None]:
        """Do each action once for this `root` key; answers each webhook's outcome."""
        outcomes: list[DeliveryStatus | None] = []
        for i, action in enumerate(actions):
            key = action_key(root, i)
            if isinstance(action, Webhook):
                if action.best_hour and await self._hold(owner, step, i, action, person, occasion, key, held_out, now):
                    outcomes.append(None)
                    continue
                outcomes.append(
                    await self.send(owner, action, person, occasion, key, now, step=step, held_out=held_out)
                )
            elif isinstance(action, SetTrait):
                await self._set_trait(person, action, key)
            elif isinstance(action, SegmentAction):
                await self._segment(automation, person, action, now)
            elif isinstance(action, FollowUp):
                due = now + action.after
                data = {"rule": action.rule, "origin": owner.key, "occasion": occasion.to_json()}
                await self._timers.schedule(Timer(f"followup:{key}", TimerKind.FOLLOW_UP, person.id, due, data))
        return outcomes

    # --- webhooks -------------------------------------------------------------------------

    async def _hold(
        self,
        owner: Owner,
        step: str | None,
        index: int,
        action: Webhook,
        person: Person,
        occasion: Occasion,
        key: str,
        held_out: bool | None,
        now: datetime,
    ) -> bool:
        """Keep a `bestHour` message in a timer until the person's best hour; False if that is now."""
        hour = await self._content.best_hour(person, now)
        due = next_at_hour(now, hour) if hour is not None else now
        if due <= now:
            return False
        data = {
            "owner": owner.key,
            "step": step,
            "action": index,
            "delivery": key,
            "heldOut": held_out,
            "occasion": occasion.to_json(),
        }
        await self._timers.schedule(Timer(f"send:{key}", TimerKind.SEND, person.id, due, data))
        return True

    async def send(
        self,
        owner: Owner,
        action: Webhook,
        person: Person,
        occasion: Occasion,
        delivery_id: str,
        now: datetime,
        *,
        step: str | None = None,
        held_out: bool | None = None,
    ) -> DeliveryStatus | None:
        """Consent, frequency cap, holdout; enqueue the delivery. None when nothing is recorded."""
        if not self._webhooks:
            return None
        profile = person.profile
        if not allows(profile.consent, Purpose.MARKETING, required=self._consent_required):
            return None
        if isinstance(owner, Rule) and await self._outbox.count_since(person.id, owner.key, now - owner.cap.window) >= (
            owner.cap.count
        ):
            return None
        if held_out is None:
            held_out = in_holdout(owner.key, person.id, owner.holdout_percent)
        message = await self._message(owner, action, person, occasion, delivery_id, now, step)
        if message is None:
            return None
        status = DeliveryStatus.HOLDOUT if held_out else DeliveryStatus.PENDING
        payload = build_payload(message, self._people.half_life)
        delivery = Delivery(
            delivery_id, owner.key, person.id, payload, now, status, next_attempt_at=now, step=step, type=action.type
        )
        await self._outbox.enqueue(delivery)
        return status

    async def _message(
        self,
        owner: Owner,
        action: Webhook,
        person: Person,
        occasion: Occasion,
        delivery_id: str,
        now: datetime,
        step: str | None,
    ) -> Message | None:
        products: list[dict[str, Any]] = []
        if action.products is not None:
            products = await self._content.products(action.products, person, occasion)
            if not products:
                return None  # a message about products with none left to show is not sent
        recommendations = None
        if action.recommendations is not None:
            recommendations = await self._content.recommend(action.recommendations, person, occasion, now)
        return Message(
            delivery_id=delivery_id,
            type=action.type,
            rule=owner.key,
            profile=person.profile,
            identifiers=person.identifiers,
            created_at=now,
            headline=action.headline,
            products=products,
            recommendations=recommendations,
            journey=owner.key if isinstance(owner, Journey) else None,
            step=step,
            channel=action.channel,
            trigger=occasion.trigger_json(),
            best_send_hour=await self._content.best_hour(person, now),
            data=action.data,
            extra=occasion.extra,
        )

    # --- profile and segments -------------------------------------------------------------

    async def _set_trait(self, person: Person, action: SetTrait, key: str) -> None:
        # Dated at the person's last activity, so a trait set by a rule never counts as activity
        # (first and last seen stay, an inactivity rule is not fooled).
        at = person.profile.last_seen or person.profile.first_seen or self._clock()
        change = ProfileChange(f"rule:{key}", at, {}, {}, {action.name: action.value})
        person.profile = await self._profiles.apply(person.id, [change])

    async def _segment(self, automation: Automation, person: Person, action: SegmentAction, now: datetime) -> None:
        if any(s.key == action.key for s in await self._segments.all()):
            log.warning("rule action on segment %r skipped: its condition decides who is in it", action.key)
            return
        enter, leave = ([action.key], []) if action.enter else ([], [action.key])
        entered, exited = await self._members.update(person.id, enter, leave, now)
        if entered or exited:
            person.segments = None
            await self.announce(automation, person.id, entered, exited, now)

    async def announce(
        self, automation: Automation, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> None:
        """A real change of memberships: into the person's history, and a timer for each rule
        or journey that starts from it (run by the worker, so the change itself stays cheap)."""
        changes = [(ENTERED, k, True) for k in entered] + [(EXITED, k, False) for k in exited]
        events = [
            Event(
                message_id=f"segment:{name}:{key}:{at.isoformat()}",
                visitor_id=profile_id,
                type=EventType.TRACK,
                name=name,
                channel=Channel.WEB,
                timestamp=at,
                received_at=at,
                properties={"segment": key, "source": "rule"},
            )
            for name, key, _ in changes
        ]
        if events:
            await self._events.append(events)
            await self._events.mark_applied([e.key for e in events])
        await self.segment_changed(automation, profile_id, changes, at)

    async def segment_changed(
        self, automation: Automation, profile_id: VisitorId, changes: Sequence[tuple[str, str, bool]], at: datetime
    ) -> None:
        for name, key, entered in changes:
            if not automation.watches_segment(key):
                continue
            data = {"segment": key, "entered": entered, "name": name, "at": at.isoformat()}
            timer_key = f"segment:{profile_id}:{key}:{'in' if entered else 'out'}:{at.isoformat()}"
            await self._timers.schedule(Timer(timer_key, TimerKind.SEGMENT_CHANGE, profile_id, at, data))
