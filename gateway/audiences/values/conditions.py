"""The condition language shared by slot audiences and segments (pure).

A condition is a tree, written as JSON by editors:

    {"all": [c, ...]}        every child holds            {"any": [c, ...]}   at least one holds
    {"not": c}               the child does not hold
    {"field": "profile.traits.tier", "op": "in", "value": ["gold", "platinum"]}
    {"behaviour": {"event": "Product Viewed", "category": "c-running", "withinDays": 7},
     "op": "gte", "value": 3}

`parse_condition` validates a definition and raises `ConditionError` with a JSON path and, for
a near miss, a suggestion ("did you mean 'gte'?"); with several problems it raises `Problems`
listing every one (each child of a group and each part of a leaf is checked). `evaluate` (in
`gateway.audiences.values.condition_evaluation`) is deterministic: the same facts give the same
answer and the same list of matched leaf conditions (for decision explanations).

Fields are looked up in a flat mapping of facts that the caller builds (see FIELDS for the
known names and types); `profile.traits.*` is open-ended. Behaviour leaves ask the caller's
`BehaviourCounter` how many events matched in the window.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeAlias

from gateway.audiences.values.problems import Collector, ConditionError


class Kind(Enum):
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    LIST = "list"  # a list of strings
    BOOL = "bool"
    ANY = "any"  # open-ended fields (traits): checked against the value at evaluation


# The known fields and their types. Callers fill facts under these names.
FIELDS: Mapping[str, Kind] = {
    "visitor.id": Kind.STRING,
    "customer.id": Kind.STRING,
    "segments": Kind.LIST,
    "profile.interests.categories": Kind.LIST,
    "profile.interests.brands": Kind.LIST,
    "profile.firstSeen": Kind.DATE,
    "profile.lastSeen": Kind.DATE,
    "profile.engagementScore": Kind.NUMBER,
    "profile.engagementTier": Kind.STRING,
    "profile.purchases": Kind.NUMBER,
    "profile.ageBand": Kind.STRING,
    "profile.gender": Kind.STRING,
    "profile.city": Kind.STRING,
    "profile.country": Kind.STRING,
    "profile.campaigns": Kind.LIST,
    "profile.channels": Kind.LIST,
    "session.channel": Kind.STRING,
    "session.device": Kind.STRING,
    "session.country": Kind.STRING,
    "session.city": Kind.STRING,
    "session.utmSource": Kind.STRING,
    "session.utmCampaign": Kind.STRING,
    "session.referrer": Kind.STRING,
    "session.viewedCategories": Kind.LIST,
    "session.recentlyViewed": Kind.LIST,
    "cart.value": Kind.NUMBER,
    "cart.items": Kind.LIST,
    "cart.itemCount": Kind.NUMBER,
    "person.cart.items": Kind.LIST,  # every live cart of the person's devices (after identify/alias)
    "person.cart.itemCount": Kind.NUMBER,
    "time.hourOfDay": Kind.NUMBER,
    "time.dayOfWeek": Kind.STRING,  # monday .. sunday, in the slot's time zone
    "time.now": Kind.DATE,
}
# Open-ended: any trait, and any counter ("profile.counters.Order Completed",
# "profile.counters.pos:Order Completed" for one channel).
OPEN_PREFIXES = ("profile.traits.", "profile.counters.")


class Op(Enum):
    EQUALS = "equals"
    NOT_EQUALS = "notEquals"
    IN = "in"
    NOT_IN = "notIn"
    CONTAINS = "contains"
    STARTS_WITH = "startsWith"
    ENDS_WITH = "endsWith"
    REGEX = "regex"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    BETWEEN = "between"
    EXISTS = "exists"
    MISSING = "missing"


ORDERED = {Op.LT, Op.LTE, Op.GT, Op.GTE, Op.BETWEEN}
STRINGY = {Op.STARTS_WITH, Op.ENDS_WITH, Op.REGEX}
NO_VALUE = {Op.EXISTS, Op.MISSING}
BEHAVIOUR_OPS = ORDERED | {Op.EQUALS, Op.NOT_EQUALS}  # what a behaviour count may be compared with
MAX_REGEX = 200
MAX_DEPTH = 8
MAX_LEAVES = 100


@dataclass(frozen=True, slots=True)
class All:
    children: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Condition


@dataclass(frozen=True, slots=True)
class FieldCheck:
    field: str
    op: Op
    value: Any
    label: str  # a human-readable form for explanations, e.g. "cart.value gte 200"


@dataclass(frozen=True, slots=True)
class BehaviourQuery:
    event: str
    within_days: float
    category: str | None = None
    brand: str | None = None
    product: str | None = None


@dataclass(frozen=True, slots=True)
class BehaviourCheck:
    query: BehaviourQuery
    op: Op
    value: float | tuple[float, float]
    label: str


Condition: TypeAlias = All | AnyOf | Not | FieldCheck | BehaviourCheck

# How many matching events the visitor produced within the window.
BehaviourCounter = Callable[[BehaviourQuery], int]


def _suggest(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True, slots=True)
class ExtraFields:
    """Fields a caller adds for its own conditions (automation rules: `event.*`, `journey.*`):
    exact names with their kinds, and open-ended prefixes (any value)."""

    fields: Mapping[str, Kind]
    prefixes: tuple[str, ...] = ()


NO_EXTRA = ExtraFields({})


def _field_kind(field: str, path: str, extra: ExtraFields = NO_EXTRA) -> Kind:
    if field in FIELDS:
        return FIELDS[field]
    if field in extra.fields:
        return extra.fields[field]
    if any(field.startswith(p) and len(field) > len(p) for p in (*OPEN_PREFIXES, *extra.prefixes)):
        return Kind.ANY
    hint = _suggest(field, [*FIELDS, *extra.fields, "profile.traits.<name>", *(f"{p}<name>" for p in extra.prefixes)])
    raise ConditionError(f"{path}.field", f"unknown field {field!r}{hint}")


# Spellings editors bring from other tools, mapped to ours (only used to suggest a fix).
OP_ALIASES: Mapping[str, str] = {
    "=": "equals", "==": "equals", "eq": "equals", "is": "equals",
    "!=": "notEquals", "<>": "notEquals", "ne": "notEquals", "neq": "notEquals",
    ">": "gt", "greaterThan": "gt", ">=": "gte", "greaterThanOrEqual": "gte", "atLeast": "gte",
    "<": "lt", "lessThan": "lt", "<=": "lte", "lessThanOrEqual": "lte", "atMost": "lte",
    "nin": "notIn", "includes": "contains", "has": "contains", "matches": "regex",
    "isSet": "exists", "notExists": "missing", "isEmpty": "missing", "range": "between",
}  # fmt: skip


def _op(raw: Any, path: str) -> Op:
    for op in Op:
        if op.value == raw:
            return op
    alias = OP_ALIASES.get(str(raw))
    hint = f"; did you mean {alias!r}?" if alias else _suggest(str(raw), [o.value for o in Op])
    if not hint:
        hint = f"; use one of {', '.join(o.value for o in Op)}"
    raise ConditionError(f"{path}.op", f"unknown operator {raw!r}{hint}")


def as_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_value(op: Op, kind: Kind, value: Any, path: str) -> Any:
    """Validate and normalise the comparison value for `op` on a field of `kind`."""
    if op in NO_VALUE:
        if value is not None:
            raise ConditionError(f"{path}.value", f"{op.value} takes no value")
        return None
    if value is None:
        raise ConditionError(f"{path}.value", f"{op.value} needs a value")
    if op in {Op.IN, Op.NOT_IN}:
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{path}.value", f"{op.value} needs a non-empty list")
        return tuple(value)
    if op is Op.BETWEEN:
        return _check_bounds(kind, value, path)
    if op in ORDERED:
        return _check_ordered(op, kind, value, path)
    if op in STRINGY:
        return _check_text(op, value, path)
    if kind is Kind.NUMBER and not _is_number(value):
        raise ConditionError(f"{path}.value", f"field is a number; got {value!r}")
    if kind is Kind.DATE:
        return _check_date(value, path)
    return value


def _check_bounds(kind: Kind, value: Any, path: str) -> tuple[Any, Any]:
    """`between`: two bounds, each checked as for `gte`, the first not above the second."""
    if not isinstance(value, list) or len(value) != 2:
        raise ConditionError(f"{path}.value", "between needs a list of two bounds, e.g. [10, 20]")
    lo, hi = (_check_value(Op.GTE, kind, v, path) for v in value)
    if lo > hi:
        raise ConditionError(f"{path}.value", "between: the first bound is greater than the second")
    return (lo, hi)


def _check_ordered(op: Op, kind: Kind, value: Any, path: str) -> Any:
    """lt, lte, gt, gte: a date (on a date field, or a trait given an ISO date) or a number."""
    if kind is Kind.DATE or (kind is Kind.ANY and isinstance(value, str) and as_date(value)):
        return _check_date(value, path)
    if not _is_number(value):
        raise ConditionError(f"{path}.value", f"{op.value} compares numbers or dates; got {value!r}")
    if kind in {Kind.STRING, Kind.LIST, Kind.BOOL}:
        raise ConditionError(f"{path}.op", f"{op.value} does not apply to a {kind.value} field")
    return value


def _check_text(op: Op, value: Any, path: str) -> Any:
    """startsWith, endsWith, regex: a string; a regex is compiled here, once."""
    if not isinstance(value, str):
        raise ConditionError(f"{path}.value", f"{op.value} needs a string")
    if op is not Op.REGEX:
        return value
    if len(value) > MAX_REGEX:
        raise ConditionError(f"{path}.value", f"regex longer than {MAX_REGEX} characters")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ConditionError(f"{path}.value", f"invalid regex: {exc}") from None


def _check_date(value: Any, path: str) -> datetime:
    parsed = as_date(value)
    if parsed is None:
        raise ConditionError(f"{path}.value", f"{value!r} is not an ISO 8601 date")
    return parsed


def _label(field: str, op: Op, value: Any) -> str:
    if op in NO_VALUE:
        return f"{field} {op.value}"
    shown = value.pattern if isinstance(value, re.Pattern) else value
    if isinstance(shown, tuple):
        shown = list(shown)
    if isinstance(shown, datetime):
        shown = shown.isoformat()
    return f"{field} {op.value} {shown}"


def parse_condition(raw: Any, path: str = "conditions", extra: ExtraFields = NO_EXTRA) -> Condition:
    """Validate a JSON condition tree. Raises ConditionError with a path and a fix.
    `extra`: fields the caller's facts hold beyond FIELDS."""
    leaves = [0]

    def walk(node: Any, where: str, depth: int) -> Condition:
        if depth > MAX_DEPTH:
            raise ConditionError(where, f"conditions nest deeper than {MAX_DEPTH} levels")
        if not isinstance(node, Mapping):
            raise ConditionError(where, "a condition must be an object")
        keys = set(node)
        for combinator in ("all", "any"):
            if combinator in keys:
                if keys != {combinator}:
                    raise ConditionError(where, f"'{combinator}' must stand alone in its object")
                children = node[combinator]
                if not isinstance(children, list) or not children:
                    raise ConditionError(f"{where}.{combinator}", "needs a non-empty list of conditions")
                found = Collector()
                parsed = [found.call(walk, c, f"{where}.{combinator}[{i}]", depth + 1) for i, c in enumerate(children)]
                found.check()
                kept = tuple(p for p in parsed if p is not None)
                return All(kept) if combinator == "all" else AnyOf(kept)
        if "not" in keys:
            if keys != {"not"}:
                raise ConditionError(where, "'not' must stand alone in its object")
            return Not(walk(node["not"], f"{where}.not", depth + 1))
        leaves[0] += 1
        if leaves[0] > MAX_LEAVES:
            raise ConditionError(where, f"more than {MAX_LEAVES} conditions in one tree")
        if "behaviour" in keys:
            return _behaviour(node, where)
        if "field" in keys:
            return _field_check(node, where, extra)
        hint = _suggest(next(iter(keys), ""), ["all", "any", "not", "field", "behaviour"])
        raise ConditionError(where, f"expected one of all, any, not, field, behaviour{hint}")

    return walk(raw, path, 1)


def _field_check(node: Mapping[str, Any], where: str, extra: ExtraFields = NO_EXTRA) -> FieldCheck:
    found = Collector()
    unknown = set(node) - {"field", "op", "value"}
    if unknown:
        found.add(where, f"unknown key(s) {sorted(unknown)}; a field condition has field, op, value")
    field = node["field"]
    kind: Kind | None = None
    if not isinstance(field, str):
        found.add(f"{where}.field", "must be a string")
    else:
        kind = found.attempt(lambda: _field_kind(field, where, extra))
    op = found.attempt(lambda: _op(node.get("op"), where))
    value = None
    if kind is not None and op is not None:  # a value is checked against the field's type and the operator
        value = found.attempt(lambda: _check_value(op, kind, node.get("value"), where))
    found.check()
    assert isinstance(field, str) and op is not None
    return FieldCheck(field, op, value, _label(field, op, value))


def _behaviour_op(raw: Any, where: str) -> Op:
    op = _op(raw, where)
    if op not in BEHAVIOUR_OPS:
        raise ConditionError(
            f"{where}.op", "a behaviour count compares with equals, notEquals, lt, lte, gt, gte or between"
        )
    return op


def _behaviour(node: Mapping[str, Any], where: str) -> BehaviourCheck:
    found = Collector()
    unknown = set(node) - {"behaviour", "op", "value"}
    if unknown:
        found.add(where, f"unknown key(s) {sorted(unknown)}; a behaviour condition has behaviour, op, value")
    spec = node["behaviour"]
    if not isinstance(spec, Mapping):
        found.add(f"{where}.behaviour", "must be an object with event and withinDays")
        spec = {}
    else:
        extra = set(spec) - {"event", "withinDays", "category", "brand", "product"}
        if extra:
            found.add(f"{where}.behaviour", f"unknown key(s) {sorted(extra)}")
        event, days = spec.get("event"), spec.get("withinDays")
        if not isinstance(event, str) or not event:
            found.add(f"{where}.behaviour.event", "needs an event name such as 'Product Viewed'")
        if not isinstance(days, int | float) or isinstance(days, bool) or not 0 < days <= 365:
            found.add(f"{where}.behaviour.withinDays", "needs a number of days from 1 to 365")
    op = found.attempt(lambda: _behaviour_op(node.get("op"), where))
    value = None if op is None else found.attempt(lambda: _check_value(op, Kind.NUMBER, node.get("value"), where))
    found.check()
    assert op is not None and value is not None
    event, days = spec["event"], spec["withinDays"]
    query = BehaviourQuery(event, float(days), spec.get("category"), spec.get("brand"), spec.get("product"))
    scope = "".join(f" {k}={spec[k]}" for k in ("category", "brand", "product") if spec.get(k))
    label = f"count({event}{scope} in {days}d) {op.value} {list(value) if isinstance(value, tuple) else value}"
    return BehaviourCheck(query, op, value, label)


def fields_of(node: Condition) -> frozenset[str]:
    """Every field a condition reads (so a caller fills only the facts it needs)."""
    if isinstance(node, All | AnyOf):
        return frozenset().union(*(fields_of(c) for c in node.children))
    if isinstance(node, Not):
        return fields_of(node.child)
    if isinstance(node, FieldCheck):
        return frozenset({node.field})
    return frozenset()
