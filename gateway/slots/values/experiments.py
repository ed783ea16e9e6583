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

from gateway.audiences import Collector, Condition, parse_condition
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


def _level(item: Any, where: str, what: str) -> tuple[str, str | None, float | None]:
    item = as_object(item, where, what)
    found = Collector()
    found.attempt(lambda: only_keys(item, {"key", "variant", "weight"}, where, what))
    key = found.attempt(lambda: parse_key(item.get("key"), f"{where}.key"))
    variant = None
    if item.get("variant") is not None:
        variant = found.attempt(lambda: parse_key(item["variant"], f"{where}.variant"))
    weight = item.get("weight")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0):
        found.add(f"{where}.weight", "a percentage greater than 0")
    found.check()
    assert key is not None
    return key, variant, None if weight is None else float(weight)


def _levels(raw: Any, path: str, what: str) -> tuple[Level, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_ARMS:
        raise DefinitionError(path, f"needs 2 to {MAX_ARMS} {what}s; the first is the control")
    found = Collector()
    items = [found.call(_level, item, f"{path}[{i}]", what) for i, item in enumerate(raw)]
    found.check()
    parsed = [p for p in items if p is not None]
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


def _factor(item: Any, where: str) -> Factor:
    item = as_object(item, where, "factor")
    found = Collector()
    found.attempt(lambda: only_keys(item, {"slot", "levels"}, where, "factor"))
    slot = found.attempt(lambda: parse_key(item.get("slot"), f"{where}.slot"))
    levels = found.attempt(lambda: _levels(item.get("levels"), f"{where}.levels", "level"))
    found.check()
    assert slot is not None and levels is not None
    return Factor(slot, levels)


def _factors(raw: Mapping[str, Any], kind: ExperimentType, path: str) -> tuple[Factor, ...]:
    if kind is ExperimentType.AB:
        if raw.get("factors") is not None:
            raise DefinitionError(f"{path}.factors", "an A/B/n test has slot and arms; factors are for multivariate")
        found = Collector()
        slot = found.attempt(lambda: parse_key(raw.get("slot"), f"{path}.slot"))
        arms = found.attempt(lambda: _levels(raw.get("arms"), f"{path}.arms", "arm"))
        found.check()
        assert slot is not None and arms is not None
        return (Factor(slot, arms),)
    if raw.get("arms") is not None or raw.get("slot") is not None:
        raise DefinitionError(path, "a multivariate test has factors (one per slot), not slot and arms")
    items = raw.get("factors")
    if not isinstance(items, list) or not 2 <= len(items) <= MAX_FACTORS:
        raise DefinitionError(f"{path}.factors", f"needs 2 to {MAX_FACTORS} factors, one per slot")
    found = Collector()
    parsed = [found.call(_factor, item, f"{path}.factors[{i}]") for i, item in enumerate(items)]
    found.check()
    factors = tuple(f for f in parsed if f is not None)
    slots = [f.slot for f in factors]
    if len(set(slots)) != len(slots):
        raise DefinitionError(f"{path}.factors", "each factor must be a different slot")
    return factors


def _days(raw: Any, path: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= MAX_ATTRIBUTION_DAYS:
        raise DefinitionError(path, f"days after exposure an order counts: 1 to {MAX_ATTRIBUTION_DAYS}")
    return float(raw)


def _holdout(raw: Any, path: str) -> float:
    holdout = _percent(raw, path, 0.0, "share of entering visitors held out")
    if holdout >= 100:
        raise DefinitionError(path, "must be below 100: someone has to see the arms")
    return holdout


def parse_experiment(raw: Any, path: str = "experiment") -> Experiment:
    """Parse an experiment; problems of independent fields are reported together."""
    raw = as_object(raw, path, "experiment")
    keys = {"key", "name", "type", "status", "slot", "arms", "factors", "traffic", "holdout", "audience"}
    found = Collector()
    found.attempt(lambda: only_keys(raw, keys | {"conditions", "attributionDays"}, path, "experiment"))
    key = found.attempt(lambda: parse_key(raw.get("key"), f"{path}.key"))
    kind = next((t for t in ExperimentType if t.value == raw.get("type", "ab")), None)
    if kind is None:
        found.add(f"{path}.type", "ab (A/B/n over one slot) or multivariate (several slots)")
    status = next((s for s in ExperimentStatus if s.value == raw.get("status", "draft")), None)
    if status is None:
        found.add(f"{path}.status", "draft, running or stopped")
    factors = None if kind is None else found.attempt(lambda: _factors(raw, kind, path))
    days = found.attempt(lambda: _days(raw.get("attributionDays", 7), f"{path}.attributionDays"))
    holdout = found.attempt(lambda: _holdout(raw.get("holdout"), f"{path}.holdout"))
    traffic = found.attempt(
        lambda: _percent(raw.get("traffic"), f"{path}.traffic", 100.0, "share of visitors in the experiment")
    )
    audience = None
    if raw.get("audience") is not None:
        audience = found.attempt(lambda: parse_key(raw["audience"], f"{path}.audience"))
    conditions = None
    if raw.get("conditions"):
        conditions = found.attempt(lambda: parse_condition(raw["conditions"], f"{path}.conditions"))
    name = found.attempt(lambda: text_field(raw.get("name"), f"{path}.name"))
    found.check()
    assert key is not None and kind is not None and status is not None and factors is not None
    assert days is not None and holdout is not None and traffic is not None
    return Experiment(
        key=key,
        name=name or "",
        type=kind,
        status=status,
        factors=factors,
        traffic=traffic,
        holdout=holdout,
        audience=audience,
        conditions=conditions,
        attribution_days=days,
    )
