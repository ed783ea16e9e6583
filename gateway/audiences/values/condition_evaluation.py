"""Evaluating a parsed condition (`gateway.audiences.values.conditions`) against facts (pure).

`evaluate` is deterministic: the same facts give the same answer and the same list of matched
leaf conditions (for decision explanations).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.audiences.values.conditions import (
    All,
    AnyOf,
    BehaviourCounter,
    Condition,
    FieldCheck,
    Not,
    Op,
    as_date,
)


def _compare(op: Op, actual: Any, expected: Any) -> bool:
    if op is Op.EXISTS:
        return actual is not None
    if op is Op.MISSING:
        return actual is None
    if actual is None:
        return op in _HOLDS_FOR_NULL
    if isinstance(actual, list | tuple | set | frozenset):  # a list fact (segments, interests)
        items = list(actual)
        if op is Op.CONTAINS or op is Op.EQUALS:
            return expected in items
        if op is Op.NOT_EQUALS:
            return expected not in items
        if op is Op.IN:
            return any(i in expected for i in items)
        if op is Op.NOT_IN:
            return not any(i in expected for i in items)
        return any(_compare(op, i, expected) for i in items)
    if isinstance(expected, datetime):
        actual = as_date(actual)
        if actual is None:
            return False
        if (actual.tzinfo is None) != (expected.tzinfo is None):
            actual, expected = actual.replace(tzinfo=None), expected.replace(tzinfo=None)
    return _COMPARE_ONE[op](actual, expected)


def _ordered(test: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bool]:
    def compare(actual: Any, expected: Any) -> bool:
        try:
            return bool(test(actual, expected))
        except TypeError:  # e.g. a trait holding a string compared with a number
            return False

    return compare


def _between(actual: Any, expected: Any) -> bool:
    try:
        return bool(expected[0] <= actual <= expected[1])
    except TypeError:
        return False


_HOLDS_FOR_NULL = frozenset({Op.NOT_EQUALS, Op.NOT_IN})

# One present, non-list value against the parsed comparison value (see parse_condition).
_COMPARE_ONE: Mapping[Op, Callable[[Any, Any], bool]] = {
    Op.EQUALS: lambda actual, expected: bool(actual == expected),
    Op.NOT_EQUALS: lambda actual, expected: bool(actual != expected),
    Op.IN: lambda actual, expected: actual in expected,
    Op.NOT_IN: lambda actual, expected: actual not in expected,
    Op.CONTAINS: lambda actual, expected: isinstance(actual, str) and isinstance(expected, str) and expected in actual,
    Op.STARTS_WITH: lambda actual, expected: isinstance(actual, str) and actual.startswith(expected),
    Op.ENDS_WITH: lambda actual, expected: isinstance(actual, str) and actual.endswith(expected),
    Op.REGEX: lambda actual, expected: isinstance(actual, str) and expected.search(actual) is not None,
    Op.LT: _ordered(operator.lt),
    Op.LTE: _ordered(operator.le),
    Op.GT: _ordered(operator.gt),
    Op.GTE: _ordered(operator.ge),
    Op.BETWEEN: _between,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    matched: bool
    matched_conditions: tuple[str, ...]  # labels of the leaves that held, in tree order


# The walks below are module functions taking what they need, never closures that call
# themselves: a recursive closure is a reference cycle (function -> cell -> function) that only
# the cyclic garbage collector frees, and every page evaluates conditions. Their garbage is what
# made the collector's pauses the page's p99 (docs/performance.md).


def evaluate(condition: Condition, facts: Mapping[str, Any], behaviour: BehaviourCounter) -> Outcome:
    """Evaluate against `facts` (field name -> value; absent means missing)."""
    matched: list[str] = []
    result = _walk(condition, facts, behaviour, matched)
    return Outcome(result, tuple(matched) if result else ())


def _walk(node: Condition, facts: Mapping[str, Any], behaviour: BehaviourCounter, matched: list[str]) -> bool:
    if isinstance(node, All):
        return all(_walk(c, facts, behaviour, matched) for c in node.children)
    if isinstance(node, AnyOf):
        return any(_walk(c, facts, behaviour, matched) for c in node.children)
    if isinstance(node, Not):
        mark = len(matched)
        result = not _walk(node.child, facts, behaviour, matched)
        del matched[mark:]  # what held inside a negation is not a reason for a match
        return result
    if isinstance(node, FieldCheck):
        ok = _compare(node.op, facts.get(node.field), node.value)
    else:
        ok = _compare(node.op, behaviour(node.query), node.value)
    if ok:
        matched.append(node.label)
    return ok


def evaluate_known(
    condition: Condition,
    facts: Mapping[str, Any],
    behaviour: BehaviourCounter,
    unknown: Callable[[str], bool],
) -> bool | None:
    """Evaluate where some fields cannot be known (`unknown(field)`): True or False when the known
    facts decide it whatever the unknown ones are, None when it depends on them (Kleene logic)."""
    return _walk_known(condition, facts, behaviour, unknown)


def _walk_known(
    node: Condition, facts: Mapping[str, Any], behaviour: BehaviourCounter, unknown: Callable[[str], bool]
) -> bool | None:
    if isinstance(node, All):
        results = [_walk_known(c, facts, behaviour, unknown) for c in node.children]
        return False if False in results else (None if None in results else True)
    if isinstance(node, AnyOf):
        results = [_walk_known(c, facts, behaviour, unknown) for c in node.children]
        return True if True in results else (None if None in results else False)
    if isinstance(node, Not):
        inner = _walk_known(node.child, facts, behaviour, unknown)
        return None if inner is None else not inner
    if isinstance(node, FieldCheck):
        return None if unknown(node.field) else _compare(node.op, facts.get(node.field), node.value)
    return _compare(node.op, behaviour(node.query), node.value)


def fields_of(condition: Condition) -> list[str]:
    """Every field a condition tests, in tree order, once each."""
    found: dict[str, None] = {}
    _collect_fields(condition, found)
    return list(found)


def _collect_fields(node: Condition, found: dict[str, None]) -> None:
    if isinstance(node, All | AnyOf):
        for child in node.children:
            _collect_fields(child, found)
    elif isinstance(node, Not):
        _collect_fields(node.child, found)
    elif isinstance(node, FieldCheck):
        found[node.field] = None
