"""Which content a slot shows to one visitor, and why (pure, deterministic).

Order, as editors are told in docs/editors.md:
1. schedule and status: only published variants whose schedule is active now take part;
2. experiment: if a running experiment covers the slot and the visitor is in its audience
   and traffic, the visitor's arm decides (a holdout sees the default content);
3. audience: otherwise the highest-priority variant whose audience and conditions match;
4. frequency cap: a variant the visitor has already seen `max` times in its window is
   skipped (the next match is tried);
5. default: the slot's default content.
The same snapshot, visit and time always give the same decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from gateway.audiences import BehaviourQuery, Condition, evaluate
from gateway.slots.values.content import Content
from gateway.slots.values.definitions import Snapshot
from gateway.slots.values.experiments import Assignment, Experiment, assign
from gateway.slots.values.schedule import DAYS
from gateway.slots.values.slots import Slot, Variant


class Reason(Enum):
    EXPERIMENT = "EXPERIMENT"  # the visitor's arm of a running experiment
    HOLDOUT = "HOLDOUT"  # held out of a running experiment: default content, still measured
    AUDIENCE_MATCH = "AUDIENCE_MATCH"  # the highest-priority live variant whose targeting matched
    DEFAULT = "DEFAULT"  # no live variant matched
    FREQUENCY_CAPPED = "FREQUENCY_CAPPED"  # variants matched but the visitor reached their caps
    CHANNEL_NOT_SERVED = "CHANNEL_NOT_SERVED"  # the slot is not configured for this channel
    FORCED = "FORCED"  # an editor's preview asked for this variant
    PERSONALIZATION_UNAVAILABLE = "PERSONALIZATION_UNAVAILABLE"  # a store or definition failed: fail open
    NO_CONSENT = "NO_CONSENT"  # the visitor did not consent to personalization: default content


@dataclass(frozen=True, slots=True)
class Visit:
    """What the decision may know about the visitor; gathered by the service beforehand."""

    unit: str  # the experiment unit: customer id once identified, else visitor id
    facts: Mapping[str, Any]
    now: datetime
    channel: str | None = None
    behaviour: Mapping[BehaviourQuery, int] = field(default_factory=dict)
    impressions: Mapping[str, int] = field(default_factory=dict)  # variant id -> seen within its cap window


@dataclass(frozen=True, slots=True)
class Decision:
    slot: Slot
    content: Content
    reason: Reason
    version: int
    variant: Variant | None = None
    matched_conditions: tuple[str, ...] = ()
    assignment: Assignment | None = None
    detail: str | None = None

    @property
    def id(self) -> str:
        """Opaque to storefronts, parseable by the gateway: send it back with Promotion Viewed/Clicked."""
        return encode_decision_id(
            self.slot.key,
            self.variant.id if self.variant else None,
            self.assignment.experiment if self.assignment else None,
            self.assignment.arm if self.assignment else None,
            self.version,
        )


@dataclass(frozen=True, slots=True)
class DecisionRef:
    slot: str
    variant: str | None
    experiment: str | None
    arm: str | None
    version: int


SEPARATOR = "~"  # never part of a key (a-z, 0-9, '-', '_') or an arm ('+')


def encode_decision_id(slot: str, variant: str | None, experiment: str | None, arm: str | None, version: int) -> str:
    return SEPARATOR.join((slot, variant or "", experiment or "", arm or "", str(version)))


def decode_decision_id(raw: object) -> DecisionRef | None:
    if not isinstance(raw, str) or len(raw) > 300:
        return None
    parts = raw.split(SEPARATOR)
    if len(parts) != 5 or not parts[0] or not parts[4].isdigit():
        return None
    slot, variant, experiment, arm, version = parts
    return DecisionRef(slot, variant or None, experiment or None, arm or None, int(version))


def time_facts(slot: Slot, now: datetime) -> dict[str, Any]:
    """Time of day and day of week in the slot's time zone (ZoneInfo caches zones)."""
    local = now.astimezone(ZoneInfo(slot.time_zone))
    return {"time.hourOfDay": local.hour, "time.dayOfWeek": DAYS[local.weekday()], "time.now": now}


def _targets(
    snapshot: Snapshot, audience: str | None, conditions: Condition | None, facts: Mapping[str, Any], visit: Visit
) -> tuple[bool, tuple[str, ...]]:
    matched: list[str] = []

    def counter(query: BehaviourQuery) -> int:
        return visit.behaviour.get(query, 0)

    for condition in (snapshot.audiences[audience].condition if audience else None, conditions):
        if condition is None:
            continue
        outcome = evaluate(condition, facts, counter)
        if not outcome.matched:
            return False, ()
        matched += outcome.matched_conditions
    return True, tuple(matched)


def _capped(variant: Variant, visit: Visit) -> bool:
    return variant.cap is not None and visit.impressions.get(variant.id, 0) >= variant.cap.max_impressions


def _live(variant: Variant | None, now: datetime) -> bool:
    return variant is not None and (variant.schedule is None or variant.schedule.is_active(now))


def experiment_variants(experiment: Experiment | None) -> frozenset[str]:
    if experiment is None:
        return frozenset()
    return frozenset(lv.variant for f in experiment.factors for lv in f.levels if lv.variant)


def decide(snapshot: Snapshot, slot: Slot, visit: Visit, forced_variant: str | None = None) -> Decision:
    facts = {**visit.facts, **time_facts(slot, visit.now)}
    version = snapshot.version
    if forced_variant is not None:
        forced = snapshot.variants.get(forced_variant)
        if forced is not None and forced.slot_key == slot.key:
            return Decision(slot, forced.content, Reason.FORCED, version, forced, detail="preview of this variant")
    if slot.channels and visit.channel not in slot.channels:
        detail = f"slot serves {', '.join(sorted(slot.channels))}; request channel is {visit.channel or 'unknown'}"
        return Decision(slot, slot.default, Reason.CHANNEL_NOT_SERVED, version, detail=detail)

    experiment = snapshot.experiment_by_slot.get(slot.key)
    reserved = experiment_variants(experiment)
    if experiment is not None:
        entered, matched = _targets(snapshot, experiment.audience, experiment.conditions, facts, visit)
        assignment = assign(experiment, visit.unit) if entered else None
        if assignment is not None and assignment.holdout:
            return Decision(slot, slot.default, Reason.HOLDOUT, version, None, matched, assignment)
        if assignment is not None:
            variant_id = assignment.variants[slot.key]
            if variant_id is None:  # this arm shows the default content
                return Decision(slot, slot.default, Reason.EXPERIMENT, version, None, matched, assignment)
            variant = snapshot.variants.get(variant_id)
            if variant is not None and _live(variant, visit.now) and not _capped(variant, visit):
                return Decision(slot, variant.content, Reason.EXPERIMENT, version, variant, matched, assignment)

    capped = False
    for variant in snapshot.live_by_slot.get(slot.key, ()):
        if variant.id in reserved or not _live(variant, visit.now):
            continue
        ok, matched = _targets(snapshot, variant.audience, variant.conditions, facts, visit)
        if not ok:
            continue
        if _capped(variant, visit):
            capped = True
            continue
        return Decision(slot, variant.content, Reason.AUDIENCE_MATCH, version, variant, matched)
    return Decision(slot, slot.default, Reason.FREQUENCY_CAPPED if capped else Reason.DEFAULT, version)
