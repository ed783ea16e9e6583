"""A release: every slot, variant, audience and experiment, validated together (pure).

Editors change definitions one at a time in a draft workspace; `publish` turns the whole
workspace into a numbered release. `build_snapshot` parses a release's raw JSON and checks
what no single definition can check alone:
- references: a variant's slot and audience, an experiment's slots, audience and variants;
- a slot takes part in at most one running experiment;
- two published variants of one slot with the same priority must not be live at the same
  time (the winner would be arbitrary): overlapping schedules are refused;
and indexes it for the request path (variants per slot by priority, the experiment per slot).
A `Snapshot` is immutable: an instance swaps the whole object, so a request sees one
release or the next, never a mix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.audiences import BehaviourCheck, BehaviourQuery, Collector, Condition, FieldCheck, Not
from gateway.audiences import ConditionError as DefinitionError
from gateway.slots.values.experiments import Experiment, ExperimentStatus, ExperimentType, parse_experiment
from gateway.slots.values.slots import Audience, Slot, Status, Variant, parse_audience, parse_slot, parse_variant

KINDS = ("slots", "variants", "audiences", "experiments")
ID_FIELD = {"slots": "key", "variants": "id", "audiences": "key", "experiments": "key"}

RawDefinitions = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: int
    slots: Mapping[str, Slot]
    variants: Mapping[str, Variant]  # every variant, drafts included (preview can force one)
    audiences: Mapping[str, Audience]
    experiments: Mapping[str, Experiment]
    live_by_slot: Mapping[str, tuple[Variant, ...]] = field(default_factory=dict)  # published, priority desc
    experiment_by_slot: Mapping[str, Experiment] = field(default_factory=dict)  # running only
    behaviour_by_slot: Mapping[str, tuple[BehaviourQuery, ...]] = field(default_factory=dict)

    def running(self) -> list[Experiment]:
        return [e for e in self.experiments.values() if e.status is ExperimentStatus.RUNNING]


EMPTY = Snapshot(0, {}, {}, {}, {})


def _behaviour(condition: Condition | None) -> list[BehaviourQuery]:
    if condition is None or isinstance(condition, FieldCheck):
        return []
    if isinstance(condition, BehaviourCheck):
        return [condition.query]
    children = (condition.child,) if isinstance(condition, Not) else condition.children
    return [q for c in children for q in _behaviour(c)]


def parse_slot_of(raw: Mapping[str, Any], slots: Mapping[str, Slot], path: str) -> Variant:
    slot_key = raw.get("slot")
    slot = slots.get(slot_key) if isinstance(slot_key, str) else None
    if slot is None:
        raise DefinitionError(f"{path}.slot", f"no slot {slot_key!r}; create the slot first")
    return parse_variant(raw, slot, path)


def _keys(items: Sequence[Mapping[str, Any]], id_field: str) -> set[str]:
    return {str(item.get(id_field)) for item in items if isinstance(item, Mapping)}


def build_snapshot(version: int, raw: RawDefinitions) -> Snapshot:
    """Parse and cross-check a release; raises DefinitionError, or Problems naming every problem.

    A definition that fails to parse is left out of the checks of what refers to it, so one
    mistake is reported once, not again at every reference.
    """
    found = Collector()
    slots: dict[str, Slot] = {}
    for i, item in enumerate(raw.get("slots", ())):
        slot = found.call(parse_slot, item, f"slots[{i}]")
        if slot is not None:
            slots[slot.key] = slot
    audiences: dict[str, Audience] = {}
    for i, item in enumerate(raw.get("audiences", ())):
        audience = found.call(parse_audience, item, f"audiences[{i}]")
        if audience is not None:
            audiences[audience.key] = audience
    broken_slots = _keys(raw.get("slots", ()), "key") - set(slots)
    broken_audiences = _keys(raw.get("audiences", ()), "key") - set(audiences)
    variants: dict[str, Variant] = {}
    for i, item in enumerate(raw.get("variants", ())):
        if isinstance(item, Mapping) and item.get("slot") in broken_slots:
            continue
        variant = found.call(parse_slot_of, item, slots, f"variants[{i}]")
        if variant is None:
            continue
        if variant.audience is not None and variant.audience not in audiences:
            if variant.audience not in broken_audiences:
                found.add(f"variants[{i}].audience", f"no audience {variant.audience!r}")
            continue
        variants[variant.id] = variant
    broken_variants = _keys(raw.get("variants", ()), "id") - set(variants)
    experiments: dict[str, Experiment] = {}
    for i, item in enumerate(raw.get("experiments", ())):
        exp = found.call(parse_experiment, item, f"experiments[{i}]")
        if exp is None:
            continue
        refs = {*exp.slots, exp.audience, *(lv.variant for f in exp.factors for lv in f.levels)}
        if refs & (broken_slots | broken_audiences | broken_variants):
            continue
        if found.call(check_experiment, exp, slots, variants, audiences, f"experiments[{i}]") is None:
            continue
        experiments[exp.key] = exp
    found.check()

    experiment_by_slot = _running_by_slot(experiments)
    in_experiment = {
        lv.variant for e in experiment_by_slot.values() for f in e.factors for lv in f.levels if lv.variant is not None
    }
    live = _live_by_slot(variants, in_experiment)
    return Snapshot(
        version,
        slots,
        variants,
        audiences,
        experiments,
        {k: tuple(v) for k, v in live.items()},
        experiment_by_slot,
        _behaviour_by_slot(slots, live, experiment_by_slot, audiences),
    )


def _running_by_slot(experiments: Mapping[str, Experiment]) -> dict[str, Experiment]:
    """The running experiment of each slot; raises DefinitionError when two share a slot."""
    experiment_by_slot: dict[str, Experiment] = {}
    for exp in experiments.values():
        if exp.status is not ExperimentStatus.RUNNING:
            continue
        for slot_key in exp.slots:
            other = experiment_by_slot.get(slot_key)
            if other is not None:
                raise DefinitionError(
                    f"experiments.{exp.key}",
                    f"slot {slot_key!r} is already in running experiment {other.key!r}; stop one of them first",
                )
            experiment_by_slot[slot_key] = exp
    return experiment_by_slot


def _live_by_slot(variants: Mapping[str, Variant], in_experiment: set[str]) -> dict[str, list[Variant]]:
    """Published variants per slot, by priority; those outside experiments must not overlap."""
    live: dict[str, list[Variant]] = {}
    for v in variants.values():
        if v.status is Status.PUBLISHED:
            live.setdefault(v.slot_key, []).append(v)
    for slot_key, items in live.items():
        items.sort(key=lambda v: (-v.priority, v.id))
        check_overlaps([v for v in items if v.id not in in_experiment], slot_key)
    return live


def _behaviour_by_slot(
    slots: Mapping[str, Slot],
    live: Mapping[str, Sequence[Variant]],
    experiment_by_slot: Mapping[str, Experiment],
    audiences: Mapping[str, Audience],
) -> dict[str, tuple[BehaviourQuery, ...]]:
    """The behaviour counts a decision for each slot may ask for, without repeats."""
    behaviour: dict[str, tuple[BehaviourQuery, ...]] = {}
    for slot_key in slots:
        queries: list[BehaviourQuery] = []
        for v in live.get(slot_key, ()):
            queries += _behaviour(v.conditions)
            if v.audience:
                queries += _behaviour(audiences[v.audience].condition)
        running = experiment_by_slot.get(slot_key)
        if running is not None:
            queries += _behaviour(running.conditions)
            if running.audience:
                queries += _behaviour(audiences[running.audience].condition)
        behaviour[slot_key] = tuple(dict.fromkeys(queries))
    return behaviour


def check_experiment(
    exp: Experiment,
    slots: Mapping[str, Slot],
    variants: Mapping[str, Variant],
    audiences: Mapping[str, Audience],
    path: str,
) -> bool:
    """True when the experiment's references hold; else raises the first problem."""
    if exp.audience is not None and exp.audience not in audiences:
        raise DefinitionError(f"{path}.audience", f"no audience {exp.audience!r}")
    ab = exp.type is ExperimentType.AB
    for fi, factor in enumerate(exp.factors):
        if factor.slot not in slots:
            raise DefinitionError(f"{path}.slot" if ab else f"{path}.factors[{fi}].slot", f"no slot {factor.slot!r}")
        for li, level in enumerate(factor.levels):
            where = f"{path}.arms[{li}].variant" if ab else f"{path}.factors[{fi}].levels[{li}].variant"
            if level.variant is None:
                continue
            variant = variants.get(level.variant)
            if variant is None or variant.slot_key != factor.slot:
                raise DefinitionError(where, f"no variant {level.variant!r} in slot {factor.slot!r}")
            if exp.status is ExperimentStatus.RUNNING and variant.status is not Status.PUBLISHED:
                raise DefinitionError(
                    where,
                    f"variant {level.variant!r} is a draft: publish it before running the experiment",
                )
    return True


def check_overlaps(variants: Sequence[Variant], slot_key: str) -> None:
    for i, a in enumerate(variants):
        for b in variants[i + 1 :]:
            if a.priority != b.priority:
                continue
            if a.schedule is None or b.schedule is None or a.schedule.overlaps(b.schedule):
                raise DefinitionError(
                    f"variants.{b.id}.schedule",
                    f"variants {a.id!r} and {b.id!r} of slot {slot_key!r} have the same priority ({a.priority}) "
                    "and schedules that overlap, so which one shows would be arbitrary: "
                    "give one a higher priority or make the schedules not overlap",
                )


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # slots, variants, audiences, experiments
    key: str
    change: str  # added, removed, changed
    fields: tuple[str, ...]  # top-level fields that differ (changed only)


def diff(before: RawDefinitions, after: RawDefinitions) -> list[Change]:
    """What changed from one release (or the workspace) to another, in a stable order."""
    changes: list[Change] = []
    for kind in KINDS:
        id_field = ID_FIELD[kind]
        old = {str(d.get(id_field)): d for d in before.get(kind, ())}
        new = {str(d.get(id_field)): d for d in after.get(kind, ())}
        for key in sorted(old.keys() | new.keys()):
            if key not in new:
                changes.append(Change(kind, key, "removed", ()))
            elif key not in old:
                changes.append(Change(kind, key, "added", ()))
            else:
                fields = tuple(
                    sorted(f for f in old[key].keys() | new[key].keys() if old[key].get(f) != new[key].get(f))
                )
                if fields:
                    changes.append(Change(kind, key, "changed", fields))
    return changes
