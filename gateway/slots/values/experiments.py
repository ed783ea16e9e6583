"""Experiments: A/B/n over one slot's variants and multivariate (factorial) over several slots.

    A/B/n         {"key": "hero-test", "type": "ab", "status": "running", "slot": "home-hero",
                   "arms": [{"key": "control", "variant": null, "weight": 50},
                            {"key": "bold", "variant": "hero-bold", "weight": 50}],
                   "traffic": 100, "holdout": 10, "audience": "runners", "attributionDays": 7}
    multivariate  {"key": "home-mvt", "type": "multivariate", "status": "running",
                   "factors": [{"slot": "home-hero", "levels": [{"key": "a", "variant": null},
                                                                {"key": "b", "variant": "hero-bold"}]},
                               {"slot": "home-strip", "levels": [...]}], ...}

The first arm (or every factor's first level) is the control; `"variant": null` means the
slot's default content. In a multivariate test every combination of levels is an arm,
named by its levels joined with '+', e.g. "a+x".

Assignment is a pure function of (experiment key, unit id), where the unit is the customer
id once known, else the visitor id: no random draw, no stored state, the same arm on every
instance and every request. `bucket(seed, unit)` = the first 8 bytes of
SHA-256("<seed>:<unit>") as a big-endian integer divided by 2**64, a number in [0, 1).
Independent seeds decide traffic ("<key>:traffic"), holdout ("<key>:holdout") and the arm
("<key>" for A/B/n, "<key>:<slot>" for each factor), so the decisions are uncorrelated.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from gateway.audiences import Condition, parse_condition
from gateway.audiences import ConditionError as DefinitionError
from gateway.slots.values.slots import as_object, only_keys, parse_key, text_field

HOLDOUT_ARM = "holdout"
MAX_ARMS = 10
MAX_FACTORS = 4
MAX_ATTRIBUTION_DAYS = 90


class ExperimentType(Enum):
    AB = "ab"
    MULTIVARIATE = "multivariate"


class ExperimentStatus(Enum):
    DRAFT = "draft"
    RUNNING = "running"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Level:
    key: str
    variant: str | None  # None: the slot's default content
    weight: float


@dataclass(frozen=True, slots=True)
class Factor:
    slot: str
    levels: tuple[Level, ...]


@dataclass(frozen=True, slots=True)
class Experiment:
    key: str
    name: str
    type: ExperimentType
    status: ExperimentStatus
    factors: tuple[Factor, ...]  # A/B/n: exactly one factor, whose levels are the arms
    traffic: float = 100.0  # percent of units that enter the experiment
    holdout: float = 0.0  # percent of entering units held out (default content, measured)
    audience: str | None = None
    conditions: Condition | None = None
    attribution_days: float = 7.0

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(f.slot for f in self.factors)

    @property
    def arms(self) -> tuple[str, ...]:
        """Every arm name, control first."""
        return tuple(
            "+".join(combo) for combo in itertools.product(*[[lv.key for lv in f.levels] for f in self.factors])
        )

    @property
    def control(self) -> str:
        return self.arms[0]

    def weights(self) -> dict[str, float]:
        """Each arm's expected share of the units in the experiment and not held out (sums to 1)."""
        shares: dict[str, float] = {}
        for combo in itertools.product(*[f.levels for f in self.factors]):
            share = 1.0
            for level in combo:
                share *= level.weight / 100.0
            shares["+".join(lv.key for lv in combo)] = share
        return shares


@dataclass(frozen=True, slots=True)
class Assignment:
    experiment: str
    arm: str
    holdout: bool
    variants: Mapping[str, str | None]  # slot key -> variant id (None: default content)


def bucket(seed: str, unit: str) -> float:
    digest = hashlib.sha256(f"{seed}:{unit}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _pick(levels: Sequence[Level], point: float) -> Level:
    edge = 0.0
    for level in levels:
        edge += level.weight / 100.0
        if point < edge:
            return level
    return levels[-1]  # float rounding at the very top


def assign(experiment: Experiment, unit: str) -> Assignment | None:
    """The unit's arm, holdout, or None when it falls outside the experiment's traffic."""
    if bucket(f"{experiment.key}:traffic", unit) * 100.0 >= experiment.traffic:
        return None
    if bucket(f"{experiment.key}:holdout", unit) * 100.0 < experiment.holdout:
        return Assignment(experiment.key, HOLDOUT_ARM, True, {f.slot: None for f in experiment.factors})
    if experiment.type is ExperimentType.AB:
        (factor,) = experiment.factors
        level = _pick(factor.levels, bucket(experiment.key, unit))
        return Assignment(experiment.key, level.key, False, {factor.slot: level.variant})
    chosen = [_pick(f.levels, bucket(f"{experiment.key}:{f.slot}", unit)) for f in experiment.factors]
    variants = {f.slot: lv.variant for f, lv in zip(experiment.factors, chosen, strict=True)}
    return Assignment(experiment.key, "+".join(lv.key for lv in chosen), False, variants)


def _percent(raw: Any, path: str, default: float, what: str) -> float:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 100:
        raise DefinitionError(path, f"{what}: a percentage from 0 to 100")
    return float(raw)


def _levels(raw: Any, path: str, what: str) -> tuple[Level, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_ARMS:
        raise DefinitionError(path, f"needs 2 to {MAX_ARMS} {what}s; the first is the control")
    parsed: list[tuple[str, str | None, float | None]] = []
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        item = as_object(item, where, what)
        only_keys(item, {"key", "variant", "weight"}, where, what)
        key = parse_key(item.get("key"), f"{where}.key")
        variant = parse_key(item["variant"], f"{where}.variant") if item.get("variant") is not None else None
        weight = item.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0):
            raise DefinitionError(f"{where}.weight", "a percentage greater than 0")
        parsed.append((key, variant, None if weight is None else float(weight)))
    keys = [k for k, _, _ in parsed]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise DefinitionError(path, f"{what} keys must be unique; {dupes[0]!r} appears twice")
    given = [w for _, _, w in parsed if w is not None]
    if given and len(given) != len(parsed):
        raise DefinitionError(path, f"give every {what} a weight, or none (equal split)")
    if given and abs(sum(given) - 100.0) > 1e-6:
        shown = f"{sum(given):g}"
        raise DefinitionError(
            path, f"{what} weights add up to {shown}%; they must add up to 100% (e.g. {_even(len(given))})"
        )
    even = 100.0 / len(parsed)
    return tuple(Level(k, v, w if w is not None else even) for k, v, w in parsed)


def _even(n: int) -> str:
    base = 100 // n
    parts = [base] * n
    parts[0] += 100 - base * n
    return "/".join(str(p) for p in parts)


def parse_experiment(raw: Any, path: str = "experiment") -> Experiment:
    raw = as_object(raw, path, "experiment")
    keys = {"key", "name", "type", "status", "slot", "arms", "factors", "traffic", "holdout", "audience"}
    only_keys(raw, keys | {"conditions", "attributionDays"}, path, "experiment")
    key = parse_key(raw.get("key"), f"{path}.key")
    kind = next((t for t in ExperimentType if t.value == raw.get("type", "ab")), None)
    if kind is None:
        raise DefinitionError(f"{path}.type", "ab (A/B/n over one slot) or multivariate (several slots)")
    status = next((s for s in ExperimentStatus if s.value == raw.get("status", "draft")), None)
    if status is None:
        raise DefinitionError(f"{path}.status", "draft, running or stopped")
    if kind is ExperimentType.AB:
        if raw.get("factors") is not None:
            raise DefinitionError(f"{path}.factors", "an A/B/n test has slot and arms; factors are for multivariate")
        slot = parse_key(raw.get("slot"), f"{path}.slot")
        factors: tuple[Factor, ...] = (Factor(slot, _levels(raw.get("arms"), f"{path}.arms", "arm")),)
    else:
        if raw.get("arms") is not None or raw.get("slot") is not None:
            raise DefinitionError(path, "a multivariate test has factors (one per slot), not slot and arms")
        items = raw.get("factors")
        if not isinstance(items, list) or not 2 <= len(items) <= MAX_FACTORS:
            raise DefinitionError(f"{path}.factors", f"needs 2 to {MAX_FACTORS} factors, one per slot")
        parsed = []
        for i, item in enumerate(items):
            where = f"{path}.factors[{i}]"
            item = as_object(item, where, "factor")
            only_keys(item, {"slot", "levels"}, where, "factor")
            parsed.append(
                Factor(
                    parse_key(item.get("slot"), f"{where}.slot"),
                    _levels(item.get("levels"), f"{where}.levels", "level"),
                )
            )
        slots = [f.slot for f in parsed]
        if len(set(slots)) != len(slots):
            raise DefinitionError(f"{path}.factors", "each factor must be a different slot")
        factors = tuple(parsed)
    days = raw.get("attributionDays", 7)
    if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= MAX_ATTRIBUTION_DAYS:
        raise DefinitionError(
            f"{path}.attributionDays", f"days after exposure an order counts: 1 to {MAX_ATTRIBUTION_DAYS}"
        )
    holdout = _percent(raw.get("holdout"), f"{path}.holdout", 0.0, "share of entering visitors held out")
    if holdout >= 100:
        raise DefinitionError(f"{path}.holdout", "must be below 100: someone has to see the arms")
    return Experiment(
        key=key,
        name=text_field(raw.get("name"), f"{path}.name"),
        type=kind,
        status=status,
        factors=factors,
        traffic=_percent(raw.get("traffic"), f"{path}.traffic", 100.0, "share of visitors in the experiment"),
        holdout=holdout,
        audience=parse_key(raw["audience"], f"{path}.audience") if raw.get("audience") is not None else None,
        conditions=parse_condition(raw["conditions"], f"{path}.conditions") if raw.get("conditions") else None,
        attribution_days=float(days),
    )
