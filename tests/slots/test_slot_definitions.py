"""Slot, variant, audience and experiment definitions: validation messages an editor can act on."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.audiences import ConditionError
from gateway.slots.values.content import Banner, ProductCarousel
from gateway.slots.values.definitions import build_snapshot, diff
from gateway.slots.values.slots import parse_slot
from tests.support.slot_fixtures import HERO, STRIP, banner, definitions, variant


def test_a_valid_release_is_indexed_for_the_request_path() -> None:
    snap = build_snapshot(3, definitions())
    assert snap.version == 3
    assert [v.id for v in snap.live_by_slot["home-hero"]] == ["vip", "runners", "capped"]
    assert isinstance(snap.slots["home-hero"].default, Banner)
    assert isinstance(snap.slots["home-strip"].default, ProductCarousel)
    # Behaviour counts the slot needs are known up front (prefetched in one round trip).
    (query,) = snap.behaviour_by_slot["home-hero"]
    assert (query.event, query.category, query.within_days) == ("Product Viewed", "c-running", 7.0)


def error_of(defs: dict[str, Any]) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        build_snapshot(1, defs)
    return caught.value


@pytest.mark.parametrize(
    ("content", "path", "fragment"),
    [
        ({"title": "x", "imageUrl": "https://i/x.jpg", "link": "/x"}, "content.altText", "screen readers"),
        ({"imageUrl": "https://i/x.jpg", "altText": "a", "link": "/x"}, "content.title", "required for a banner"),
        ({**banner("x"), "link": "sale"}, "content.link", "absolute URL"),
        ({**banner("x"), "textColour": "red"}, "content.textColour", "hex colour"),
        ({**banner("x"), "titel": "typo"}, "content", "unknown field(s) ['titel']"),
    ],
)
def test_missing_or_wrong_content_fields(content: dict[str, Any], path: str, fragment: str) -> None:
    defs = definitions(variants=[{**variant("bad", "x", 1), "content": content}])
    err = error_of(defs)
    assert err.path == f"variants[3].{path}" and fragment in err.message


def test_carousel_needs_a_strategy_or_products() -> None:
    with pytest.raises(ConditionError, match="needs a strategy or a fixed list"):
        parse_slot({**STRIP, "default": {"title": "Empty"}})
    slot = parse_slot({**STRIP, "default": {"title": "For you", "strategy": "for-you"}})
    assert isinstance(slot.default, ProductCarousel) and slot.default.strategy == "FOR_YOU"
    # A product-anchored strategy needs a product a slot cannot name: refused with the choices.
    with pytest.raises(ConditionError, match="unknown strategy 'similar'; a carousel can use FOR_YOU, TRENDING"):
        parse_slot({**STRIP, "default": {"title": "Alike", "strategy": "similar"}})


@pytest.mark.parametrize(
    ("condition", "path", "fragment"),
    [
        ({"field": "cart.valu", "op": "gt", "value": 1}, "conditions.field", "did you mean 'cart.value'"),
        ({"field": "cart.value", "op": "greaterThan", "value": 1}, "conditions.op", "did you mean"),
    ],
)
def test_unknown_field_or_operator_gets_a_suggestion(condition: dict[str, Any], path: str, fragment: str) -> None:
    err = error_of(definitions(variants=[variant("bad", "x", 1, conditions=condition)]))
    assert err.path == f"variants[3].{path}" and fragment in err.message


def test_unknown_definition_field_gets_a_suggestion() -> None:
    err = error_of(definitions(variants=[{**variant("bad", "x", 1), "priorty": 3}]))
    assert err.path == "variants[3].priorty" and "did you mean 'priority'" in err.message


def test_references_must_exist() -> None:
    assert "no audience 'nobody'" in error_of(definitions(variants=[variant("x", "x", 1, audience="nobody")])).message
    err = error_of(definitions(variants=[variant("x", "x", 1, slot="nowhere")]))
    assert err.path == "variants[3].slot" and "create the slot first" in err.message


def test_overlapping_schedules_with_equal_priority_are_refused() -> None:
    a = variant("bf-a", "A", 50, schedule={"start": "2026-11-27T00:00", "end": "2026-11-30T00:00"})
    b = variant("bf-b", "B", 50, schedule={"start": "2026-11-29T00:00", "end": "2026-12-02T00:00"})
    err = error_of(definitions(variants=[a, b]))
    assert "'bf-a' and 'bf-b'" in err.message and "overlap" in err.message and "higher priority" in err.message
    # Back to back (end is exclusive), or different priorities: fine.
    b_later = variant("bf-b", "B", 50, schedule={"start": "2026-11-30T00:00", "end": "2026-12-02T00:00"})
    build_snapshot(1, definitions(variants=[a, b_later]))
    build_snapshot(1, definitions(variants=[a, {**b, "priority": 51}]))
    # Same dates, different days of the week: they never meet.
    fri = variant("fri", "F", 60, schedule={"daysOfWeek": ["friday"]})
    sat = variant("sat", "S", 60, schedule={"daysOfWeek": ["saturday"]})
    build_snapshot(1, definitions(variants=[fri, sat]))


def ab(arms: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"key": "hero-test", "type": "ab", "status": "running", "slot": "home-hero", "arms": arms, **extra}


def test_allocation_must_sum_to_100() -> None:
    arms = [{"key": "control", "weight": 50}, {"key": "bold", "variant": "vip", "weight": 40}]
    err = error_of(definitions(experiments=[ab(arms)]))
    assert err.path == "experiments[0].arms" and "add up to 90%" in err.message and "50/50" in err.message
    half = [{"key": "control", "weight": 50}, {"key": "bold", "variant": "vip"}]
    assert "every arm a weight, or none" in error_of(definitions(experiments=[ab(half)])).message


def test_experiment_checks() -> None:
    arms = [{"key": "control"}, {"key": "bold", "variant": "nope"}]
    err = error_of(definitions(experiments=[ab(arms)]))
    assert err.path == "experiments[0].arms[1].variant" and "no variant 'nope'" in err.message
    draft = {**variant("draft-v", "D", 1), "status": "draft"}
    arms = [{"key": "control"}, {"key": "d", "variant": "draft-v"}]
    assert "publish it before" in error_of(definitions(variants=[draft], experiments=[ab(arms)])).message
    two = [ab([{"key": "c"}, {"key": "v", "variant": "vip"}]), {**ab([{"key": "c"}, {"key": "b"}]), "key": "other"}]
    assert "already in running experiment" in error_of(definitions(experiments=two)).message
    assert "below 100" in error_of(definitions(experiments=[ab([{"key": "c"}, {"key": "b"}], holdout=100)])).message


def test_diff_names_what_changed() -> None:
    before = definitions()
    after = definitions(variants=[variant("new", "N", 1)])
    after["slots"] = [{**HERO, "description": "changed"}, STRIP]
    after["audiences"] = []
    changes = [(c.kind, c.key, c.change, c.fields) for c in diff(before, after)]
    assert changes == [
        ("slots", "home-hero", "changed", ("description",)),
        ("variants", "new", "added", ()),
        ("audiences", "runners", "removed", ()),
    ]


def test_a_broken_definition_is_reported_once_not_at_every_reference() -> None:
    """A slot whose default is wrong is one problem: its variants are not also 'no slot'."""
    from gateway.audiences import problems_of

    broken_hero = {**HERO, "default": {**banner("x"), "altText": "", "link": "nowhere"}}
    defs = {**definitions(), "slots": [broken_hero, STRIP]}
    defs["audiences"] = [{"key": "runners", "conditions": {"field": "cart.valeu", "op": "gt", "value": 1}}]
    problems = problems_of(error_of(defs))
    assert [(p.path, p.message.split(";")[0]) for p in problems] == [
        ("slots[0].default.altText", "required for a banner image (screen readers read it)"),
        ("slots[0].default.link", "must be an absolute URL (https://...) or a site path (/...)"),
        ("audiences[0].conditions.field", "unknown field 'cart.valeu'"),
    ]
