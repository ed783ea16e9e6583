"""The condition language: every operator, combinator, validation message and explanation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.audiences import ConditionError
from gateway.audiences.values.condition_evaluation import evaluate
from gateway.audiences.values.conditions import BehaviourQuery, parse_condition

FACTS: dict[str, Any] = {
    "profile.traits.tier": "gold",
    "profile.traits.points": 1200,
    "profile.lastSeen": datetime(2026, 11, 20, tzinfo=UTC),
    "segments": ["vip", "runners"],
    "session.channel": "app",
    "session.referrer": "https://search.example/q=shoes",
    "session.utmCampaign": "black-friday-2026",
    "cart.value": 249.5,
    "cart.items": ["p-1", "p-2"],
    "time.hourOfDay": 21,
    "time.dayOfWeek": "sunday",
}


def no_behaviour(query: BehaviourQuery) -> int:
    return 0


def holds(raw: Any, facts: dict[str, Any] = FACTS) -> bool:
    return evaluate(parse_condition(raw), facts, no_behaviour).matched


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("profile.traits.tier", "equals", "gold", True),
        ("profile.traits.tier", "equals", "silver", False),
        ("profile.traits.tier", "notEquals", "silver", True),
        ("profile.traits.tier", "in", ["gold", "platinum"], True),
        ("profile.traits.tier", "notIn", ["gold"], False),
        ("session.referrer", "contains", "search.example", True),
        ("session.utmCampaign", "startsWith", "black-friday", True),
        ("session.utmCampaign", "endsWith", "2025", False),
        ("session.utmCampaign", "regex", r"^black-friday-\d{4}$", True),
        ("cart.value", "lt", 250, True),
        ("cart.value", "lte", 249.5, True),
        ("cart.value", "gt", 249.5, False),
        ("cart.value", "gte", 100, True),
        ("cart.value", "between", [200, 300], True),
        ("time.hourOfDay", "between", [6, 18], False),
        ("profile.traits.points", "gt", 1000, True),
        ("profile.lastSeen", "gte", "2026-11-01T00:00:00Z", True),
        ("profile.lastSeen", "lt", "2026-11-01", False),
        ("segments", "contains", "vip", True),
        ("segments", "in", ["runners", "x"], True),
        ("segments", "notIn", ["x", "y"], True),
        ("cart.items", "contains", "p-3", False),
        ("profile.traits.email", "missing", None, True),
        ("profile.traits.tier", "exists", None, True),
        ("session.country", "exists", None, False),
        ("session.country", "notEquals", "PL", True),
    ],
)
def test_operators(field: str, op: str, value: Any, expected: bool) -> None:
    raw: dict[str, Any] = {"field": field, "op": op}
    if value is not None:
        raw["value"] = value
    assert holds(raw) is expected


def test_combinators_and_explanations() -> None:
    tree = {
        "all": [
            {"field": "session.channel", "op": "in", "value": ["app", "kiosk"]},
            {
                "any": [
                    {"field": "segments", "op": "contains", "value": "vip"},
                    {"field": "cart.value", "op": "gt", "value": 500},
                ]
            },
            {"not": {"field": "time.dayOfWeek", "op": "equals", "value": "monday"}},
        ]
    }
    outcome = evaluate(parse_condition(tree), FACTS, no_behaviour)
    assert outcome.matched
    assert outcome.matched_conditions == ("session.channel in ['app', 'kiosk']", "segments contains vip")
    assert not holds({"not": tree})
    assert evaluate(parse_condition({"not": tree}), FACTS, no_behaviour).matched_conditions == ()


def test_behaviour_counts_in_windows() -> None:
    seen: list[BehaviourQuery] = []

    def counter(query: BehaviourQuery) -> int:
        seen.append(query)
        return 3 if query.category == "c-running" and query.within_days == 7 else 0

    raw = {"behaviour": {"event": "Product Viewed", "category": "c-running", "withinDays": 7}, "op": "gte", "value": 3}
    outcome = evaluate(parse_condition(raw), {}, counter)
    assert outcome.matched and outcome.matched_conditions == ("count(Product Viewed category=c-running in 7d) gte 3",)
    assert seen == [BehaviourQuery("Product Viewed", 7.0, "c-running")]
    raw["value"] = 4
    assert not evaluate(parse_condition(raw), {}, counter).matched


@pytest.mark.parametrize(
    ("raw", "path", "fragment"),
    [
        (
            {"field": "profile.trait.tier", "op": "equals", "value": "x"},
            "conditions.field",
            "did you mean 'profile.traits.<name>'",
        ),
        ({"field": "cart.value", "op": "greater", "value": 1}, "conditions.op", "did you mean"),
        ({"field": "cart.value", "op": "gte", "value": "lots"}, "conditions.value", "compares numbers or dates"),
        ({"field": "cart.value", "op": "between", "value": [5, 1]}, "conditions.value", "first bound is greater"),
        ({"field": "cart.value", "op": "in", "value": []}, "conditions.value", "non-empty list"),
        ({"field": "session.channel", "op": "regex", "value": "(unclosed"}, "conditions.value", "invalid regex"),
        ({"field": "session.channel", "op": "exists", "value": 1}, "conditions.value", "takes no value"),
        ({"field": "session.channel", "op": "gt", "value": 3}, "conditions.op", "does not apply to a string field"),
        ({"all": []}, "conditions.all", "non-empty list"),
        ({"all": [{"any": [{"feild": "x"}]}]}, "conditions.all[0].any[0]", "did you mean 'field'"),
        (
            {"behaviour": {"event": "Product Viewed", "withinDays": 0}, "op": "gte", "value": 1},
            "conditions.behaviour.withinDays",
            "1 to 365",
        ),
        (
            {"behaviour": {"event": "Product Viewed", "withinDays": 7}, "op": "contains", "value": 1},
            "conditions.op",
            "behaviour count",
        ),
    ],
)
def test_invalid_definitions_say_where_and_how_to_fix(raw: Any, path: str, fragment: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(raw)
    assert caught.value.path == path and fragment in caught.value.message


def test_depth_is_bounded() -> None:
    node: Any = {"field": "cart.value", "op": "gt", "value": 1}
    for _ in range(10):
        node = {"not": node}
    with pytest.raises(ConditionError, match="deeper than 8"):
        parse_condition(node)


@pytest.mark.parametrize(
    ("written", "meant"), [(">=", "gte"), ("greaterThan", "gt"), ("==", "equals"), ("nin", "notIn")]
)
def test_operators_from_other_tools_get_our_spelling(written: str, meant: str) -> None:
    with pytest.raises(ConditionError, match=f"did you mean '{meant}'"):
        parse_condition({"field": "cart.value", "op": written, "value": 1})


def test_an_operator_far_from_any_lists_them_all() -> None:
    with pytest.raises(ConditionError, match="use one of equals, notEquals"):
        parse_condition({"field": "cart.value", "op": "zzz", "value": 1})
