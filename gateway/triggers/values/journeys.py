"""Journeys: multi-step rules with waits and branches, and each person's position in one (pure).

    {"key": "cart-recovery", "name": "Cart recovery",
     "when": {"event": ["Product Added", "Wishlist Product Added to Cart"]},
     "exitOn": ["Order Completed"],
     "steps": [
       {"id": "wait-1h", "wait": "1h"},
       {"id": "still-carted", "if": {"field": "cart.itemCount", "op": "gt", "value": 0}, "else": "end"},
       {"id": "reminder", "do": [{"webhook": {"type": "cart_reminder", "products": "cart"}}]},
       {"id": "wait-24h", "wait": "24h"},
       {"id": "no-order", "if": {"field": "journey.events.Order Completed", "op": "equals", "value": 0},
        "else": "end"},
       {"id": "discount", "do": [{"webhook": {"type": "cart_reminder", "products": "cart",
                                              "data": {"discount": true}}}]}]}

Steps run in order; `wait` holds the person for a delay, `do` runs actions (those of rules),
`if` goes to `then` (default: the next step) or `else` (default: the next step), a step id or
`end`. `exitOn` events take the person out at once (a goal reached). Branch conditions see
`journey.enteredAt` and `journey.events.<name>` (how many since entering) besides a rule's facts.
`cap` limits entries per person (count per days); a person is in a journey at most once at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeAlias

from gateway.audiences import KEY, Condition, ExtraFields, Kind
from gateway.kernel import VisitorId
from gateway.triggers.values.durations import AutomationError, only_keys, parse_duration, suggest
from gateway.triggers.values.rules import (
    EVENT_FIELDS,
    Action,
    condition_of,
    parse_actions,
    parse_cap,
    parse_common,
    parse_holdout,
)
from gateway.triggers.values.when import Cap, Context, OnFollowUp, Trigger, parse_trigger

JOURNEY_KEYS = (
    "key",
    "name",
    "description",
    "enabled",
    "when",
    "if",
    "exitOn",
    "steps",
    "holdoutPercent",
    "cap",
    "goal",
)
END = "end"
MAX_STEPS = 50
JOURNEY_FIELDS = ExtraFields(
    {**EVENT_FIELDS.fields, "journey.enteredAt": Kind.DATE}, (*EVENT_FIELDS.prefixes, "journey.events.")
)


@dataclass(frozen=True, slots=True)
class Wait:
    id: str
    delay: timedelta


@dataclass(frozen=True, slots=True)
class Do:
    id: str
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Branch:
    id: str
    condition: Condition
    then: str | None = None  # a step id, END, or None: the next step
    otherwise: str | None = None


Step: TypeAlias = Wait | Do | Branch


@dataclass(frozen=True, slots=True)
class Journey:
    key: str
    name: str
    enabled: bool
    when: Trigger
    condition: Condition | None
    exit_on: frozenset[str]
    steps: tuple[Step, ...]
    holdout_percent: float
    cap: Cap  # entries per person
    goal: str
    definition: Mapping[str, Any]

    def index(self, step_id: str) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)

    def after(self, index: int, target: str | None) -> str:
        """The step to go to from step `index` towards `target` (None: the next one)."""
        if target is not None:
            return target
        return self.steps[index + 1].id if index + 1 < len(self.steps) else END


def _step(raw: Any, path: str, owner: str, ctx: Context) -> Step:
    if not isinstance(raw, dict):
        raise AutomationError(path, "a step is an object with an id and one of wait, do, if")
    sid = raw.get("id")
    if not isinstance(sid, str) or not KEY.match(sid) or sid == END:
        raise AutomationError(f"{path}.id", "a step id: 1-64 lower-case letters, digits, '-' or '_' (not 'end')")
    kinds = [k for k in ("wait", "do", "if") if k in raw]
    if len(kinds) != 1:
        raise AutomationError(path, "a step has exactly one of wait, do, if")
    if kinds[0] == "wait":
        only_keys(raw, ("id", "wait"), path, "a wait step")
        return Wait(sid, parse_duration(raw["wait"], f"{path}.wait"))
    if kinds[0] == "do":
        only_keys(raw, ("id", "do"), path, "a do step")
        return Do(sid, parse_actions(raw["do"], f"{path}.do", owner, ctx))
    only_keys(raw, ("id", "if", "then", "else"), path, "an if step")
    condition = condition_of(raw["if"], f"{path}.if", JOURNEY_FIELDS)
    assert condition is not None
    targets = {}
    for end in ("then", "else"):
        target = raw.get(end)
        if target is not None and not isinstance(target, str):
            raise AutomationError(f"{path}.{end}", "a step id or 'end'")
        targets[end] = target
    return Branch(sid, condition, targets["then"], targets["else"])


def parse_journey(raw: Any, path: str, ctx: Context) -> Journey:
    """Validate an editor's journey; raises AutomationError with a JSON path and a fix."""
    key, name, enabled = parse_common(raw, path, JOURNEY_KEYS, "a journey")
    if "when" not in raw:
        raise AutomationError(f"{path}.when", "required: what makes a person enter")
    when = parse_trigger(raw["when"], f"{path}.when", ctx)
    if isinstance(when, OnFollowUp):
        raise AutomationError(
            f"{path}.when", "a journey starts from an event, a segment, a tier, an absence or a promotion"
        )
    condition = condition_of(raw.get("if"), f"{path}.if", EVENT_FIELDS)
    exit_on = ctx.events(raw["exitOn"], f"{path}.exitOn") if "exitOn" in raw else frozenset()
    raw_steps = raw.get("steps")
    if not isinstance(raw_steps, list) or not 1 <= len(raw_steps) <= MAX_STEPS:
        raise AutomationError(f"{path}.steps", f"a list of 1-{MAX_STEPS} steps")
    steps = tuple(_step(s, f"{path}.steps[{i}]", key, ctx) for i, s in enumerate(raw_steps))
    ids = [s.id for s in steps]
    for i, step in enumerate(steps):
        if ids.index(step.id) != i:
            raise AutomationError(f"{path}.steps[{i}].id", f"step id {step.id!r} is used twice")
        if isinstance(step, Branch):
            for end, target in (("then", step.then), ("else", step.otherwise)):
                if target is not None and target != END and target not in ids:
                    hint = suggest(target, [*ids, END])
                    raise AutomationError(f"{path}.steps[{i}].{end}", f"no step {target!r}{hint}")
                if target is not None and target in ids and ids.index(target) <= i:
                    raise AutomationError(f"{path}.steps[{i}].{end}", "a branch goes forward only (no loops)")
    goal = ctx.event(raw["goal"], f"{path}.goal") if "goal" in raw else ctx.defaults.goal
    return Journey(
        key,
        name,
        enabled,
        when,
        condition,
        exit_on,
        steps,
        parse_holdout(raw.get("holdoutPercent"), f"{path}.holdoutPercent", ctx.defaults.holdout_percent),
        parse_cap(raw.get("cap"), f"{path}.cap", ctx.defaults.cap),
        goal,
        dict(raw),
    )


# --- where each person is ------------------------------------------------------------------


class PositionStatus(Enum):
    ACTIVE = "active"  # on `step`, due at `due_at`
    DONE = "done"  # went through every step (or a branch to 'end')
    EXITED = "exited"  # an exitOn event took them out
    WITHDRAWN = "withdrawn"  # the journey was disabled or removed, or lost their step


@dataclass(frozen=True, slots=True)
class Position:
    """One person's run through one journey, durable (MongoDB `journey_positions`).

    `seq` grows with every move; a move names the `seq` it starts from, so of two workers
    holding the same position (one whose lease ran out) only one moves it. A step's effects
    are keyed by (journey, person, run, step), so redoing a step after a crash changes nothing.
    """

    journey: str
    profile_id: VisitorId
    run: str  # this entry's id: what the triggering event or timer was
    step: str  # a step id, or END
    status: PositionStatus
    due_at: datetime
    entered_at: datetime
    held_out: bool = False
    waiting: bool = False  # the current (wait) step's delay has started
    seq: int = 0
    context: Mapping[str, Any] = field(default_factory=dict)  # the trigger (event name, properties...)
    entries: tuple[datetime, ...] = ()  # recent entries, for the journey's cap

    @property
    def key(self) -> str:
        return position_key(self.journey, self.profile_id)

    def effect_key(self, step: str) -> str:
        """The idempotency key of a step's effects in this run."""
        return f"{self.journey}:{self.profile_id}:{self.run}:{step}"


def position_key(journey: str, profile_id: str) -> str:
    return f"{journey}:{profile_id}"
