"""Moving people through journeys: entering, exiting on goal events, running due steps.

Exactly once across workers and restarts:

- A person's position is one MongoDB document per (journey, person). Due positions are claimed
  with a lease (`claim_due`), so one worker at a time runs a person's next steps.
- Each move (to the next step, into a wait, to the end) is a compare-and-set on the position's
  `seq`: a worker whose lease ran out (slow, or killed and its lease expired) cannot move the
  position on behind the worker that took over; an exit (a goal event) bumps `seq` too.
- A step's effects are keyed by (journey, person, run, step): a webhook's delivery id, a
  trait's change key, a follow-up's timer key. A worker killed after the effects but before
  the move leaves the step to be run again by the next worker, which changes nothing: the
  outbox keeps one delivery per id, the profile applies a change key once.

So each step's message is recorded exactly once, whichever worker runs it; the outbox then
delivers it at least once (receivers deduplicate by `Idempotency-Key`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from gateway.audiences import evaluate
from gateway.kernel import StoreUnavailable, VisitorId
from gateway.triggers.actions import Actions
from gateway.triggers.people import People, Person
from gateway.triggers.stores.protocol import PositionStore
from gateway.triggers.values import in_holdout
from gateway.triggers.values.automation import Automation
from gateway.triggers.values.journeys import END, Branch, Do, Journey, Position, PositionStatus, Wait, position_key
from gateway.triggers.values.occasions import Occasion, occasion_from_json

log = logging.getLogger(__name__)

MAX_ENTRIES_KEPT = 20


class JourneyRunner:
    def __init__(
        self,
        positions: PositionStore,
        people: People,
        actions: Actions,
        current: Callable[[], Automation],
        *,
        lease_seconds: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`lease_seconds`: how long a claim holds (a step takes milliseconds; a killed worker's
        step is taken over after this, and redone without effect)."""
        self._positions = positions
        self._people = people
        self._actions = actions
        self._current = current
        self._lease = lease_seconds
        self._clock = clock
        self._me = secrets.token_hex(8)

    async def enter(self, journey: Journey, person: Person, occasion: Occasion, now: datetime) -> bool:
        """Put the person on the journey's first step (due now) unless they are on it, this
        occasion already started a run, or the journey's entry cap is reached."""
        (held,) = await self._positions.get_many([position_key(journey.key, person.id)])
        if held is not None and (held.status is PositionStatus.ACTIVE or held.run == occasion.key):
            return False
        recent = tuple(t for t in (held.entries if held else ()) if t > now - journey.cap.window)
        if len(recent) >= journey.cap.count:
            return False
        position = Position(
            journey=journey.key,
            profile_id=person.id,
            run=occasion.key,
            step=journey.steps[0].id,
            status=PositionStatus.ACTIVE,
            due_at=now,
            entered_at=now,
            held_out=in_holdout(journey.key, person.id, journey.holdout_percent),
            context=occasion.to_json(),
            entries=(*recent, now)[-MAX_ENTRIES_KEPT:],
        )
        return await self._positions.enter(position)

    async def exit(self, profile_id: VisitorId, journeys: Sequence[str], at: datetime) -> int:
        return await self._positions.exit(profile_id, journeys, at)

    async def advance_due(self, now: datetime | None = None, limit: int = 100) -> int:
        """Run the due steps of positions this worker manages to claim, one person at a time (a
        worker that dies holds one claim, not a batch); answers how many moved."""
        now = now or self._clock()
        automation = self._current()
        moved = 0
        for _ in range(limit):
            claimed = await self._positions.claim_due(now, self._me, self._lease, 1)
            if not claimed:
                break
            try:
                moved += await self._advance(automation, claimed[0], now)
            except StoreUnavailable as exc:  # the claim runs out and the step is run again later
                log.warning("journey %s step deferred: %s", claimed[0].journey, exc.message)
        return moved

    async def _advance(self, automation: Automation, pos: Position, now: datetime) -> int:
        journey = automation.journeys.get(pos.journey)
        person = await self._people.load(pos.profile_id) if journey is not None and journey.enabled else None
        if journey is None or person is None:
            await self._positions.move(replace(pos, status=PositionStatus.WITHDRAWN, step=END), release=True)
            return 0
        occasion = occasion_from_json(pos.context)
        moves = 0
        for _ in range(len(journey.steps) + 1):  # branches go forward only: this always ends
            index = journey.index(pos.step) if pos.step != END else None
            if index is None:
                status = PositionStatus.DONE if pos.step == END else PositionStatus.WITHDRAWN
                await self._positions.move(replace(pos, status=status, step=END, due_at=now), release=True)
                return moves + 1
            step = journey.steps[index]
            if isinstance(step, Wait) and not pos.waiting:
                await self._positions.move(replace(pos, waiting=True, due_at=now + step.delay), release=True)
                return moves + 1
            if isinstance(step, Do):
                root = pos.effect_key(step.id)
                await self._actions.run(
                    automation, journey, step.actions, person, occasion, root, now, step=step.id, held_out=pos.held_out
                )
                target = journey.after(index, None)
            elif isinstance(step, Branch):
                facts, counter = await self._people.facts(person, step.condition, occasion, now, pos)
                matched = evaluate(step.condition, facts, counter).matched
                target = journey.after(index, step.then if matched else step.otherwise)
            else:
                target = journey.after(index, None)  # a wait that ran out
            following = replace(pos, step=target, waiting=False, due_at=now)
            if not await self._positions.move(following, release=False):
                return moves  # exited meanwhile, or another worker moved it on: theirs now
            pos = replace(following, seq=following.seq + 1)
            moves += 1
        await self._positions.move(pos, release=True)
        return moves
