"""The decision order: schedule/status -> experiment -> audience by priority -> frequency cap -> default."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gateway.audiences.values.conditions import BehaviourQuery
from gateway.slots.values.content import Banner
from gateway.slots.values.decision import Reason, Visit, decide, decode_decision_id
from gateway.slots.values.definitions import build_snapshot
from gateway.slots.values.experiments import assign
from tests.support.slot_fixtures import definitions, variant

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
RUNNING_VIEWS = BehaviourQuery("Product Viewed", 7.0, "c-running")


def visit(unit: str = "v_someone", channel: str | None = "web", **facts: Any) -> Visit:
    return Visit(unit=unit, facts=facts, now=NOW, channel=channel)


def title(decision: Any) -> str:
    assert isinstance(decision.content, Banner)
    return str(decision.content.title)


def test_nothing_matches_so_default_content() -> None:
    snap = build_snapshot(1, {**definitions(), "variants": []})
    d = decide(snap, snap.slots["home-hero"], visit())
    assert (d.reason, title(d), d.variant, d.matched_conditions) == (Reason.DEFAULT, "Welcome", None, ())


def test_highest_priority_match_wins_and_explains_itself() -> None:
    snap = build_snapshot(1, definitions())
    slot = snap.slots["home-hero"]
    vip = decide(snap, slot, visit(segments=["vip"], **{"profile.traits.sport": "running"}))
    assert (vip.reason, vip.variant and vip.variant.id, vip.matched_conditions) == (
        Reason.AUDIENCE_MATCH,
        "vip",
        ("segments contains vip",),
    )
    runner = decide(snap, slot, visit(**{"profile.traits.sport": "running"}))
    assert runner.variant is not None and runner.variant.id == "runners"
    assert runner.matched_conditions == ("profile.traits.sport equals running",)
    # The capped variant has no targeting: everyone else gets it while under the cap.
    anyone = decide(snap, slot, visit())
    assert anyone.variant is not None and anyone.variant.id == "capped"


def test_behaviour_counts_in_a_window_target_visitors() -> None:
    snap = build_snapshot(1, definitions())
    v = Visit("v_x", {}, NOW, "web", behaviour={RUNNING_VIEWS: 3})
    d = decide(snap, snap.slots["home-hero"], v)
    assert d.variant is not None and d.variant.id == "runners"
    assert d.matched_conditions == ("count(Product Viewed category=c-running in 7d) gte 3",)
    two = decide(snap, snap.slots["home-hero"], Visit("v_x", {}, NOW, "web", behaviour={RUNNING_VIEWS: 2}))
    assert two.variant is not None and two.variant.id == "capped"


def test_frequency_cap_skips_to_the_next_match_then_default() -> None:
    snap = build_snapshot(1, definitions())
    slot = snap.slots["home-hero"]
    d = decide(snap, slot, Visit("v", {}, NOW, "web", impressions={"capped": 1}))
    assert (d.reason, d.variant) == (Reason.FREQUENCY_CAPPED, None)
    runner = Visit("v", {"profile.traits.sport": "running"}, NOW, "web", impressions={"capped": 5})
    assert decide(snap, slot, runner).reason is Reason.AUDIENCE_MATCH


def test_schedule_and_status_filter_first() -> None:
    later = variant("later", "Black Friday", 99, schedule={"start": "2026-11-27T00:00"})
    draft = {**variant("draft", "Draft", 98), "status": "draft"}
    snap = build_snapshot(1, definitions(variants=[later, draft]))
    slot = snap.slots["home-hero"]
    assert decide(snap, slot, visit()).variant.id == "capped"  # type: ignore[union-attr]
    friday = Visit("v", {}, datetime(2026, 11, 26, 23, 0, tzinfo=UTC), "web")  # 00:00 in Warsaw
    assert decide(snap, slot, friday).variant.id == "later"  # type: ignore[union-attr]


def test_channel_not_served_gets_the_default() -> None:
    snap = build_snapshot(1, definitions())
    d = decide(snap, snap.slots["home-hero"], visit(channel="kiosk"))
    assert d.reason is Reason.CHANNEL_NOT_SERVED and title(d) == "Welcome" and "kiosk" in (d.detail or "")


def test_time_of_day_is_in_the_slot_time_zone() -> None:
    evening = variant("evening", "Good evening", 40, conditions={"field": "time.hourOfDay", "op": "gte", "value": 18})
    snap = build_snapshot(1, definitions(variants=[evening]))
    slot = snap.slots["home-hero"]
    at_17_utc = Visit("v", {}, datetime(2026, 11, 22, 17, 0, tzinfo=UTC), "web")  # 18:00 in Warsaw
    assert decide(snap, slot, at_17_utc).variant.id == "evening"  # type: ignore[union-attr]
    at_16_utc = Visit("v", {}, datetime(2026, 11, 22, 16, 59, tzinfo=UTC), "web")
    assert decide(snap, slot, at_16_utc).variant.id == "capped"  # type: ignore[union-attr]


EXPERIMENT = {
    "key": "hero-test",
    "status": "running",
    "slot": "home-hero",
    "arms": [{"key": "control"}, {"key": "bold", "variant": "bold"}],
    "holdout": 10,
    "conditions": {"field": "session.country", "op": "equals", "value": "PL"},
}


def test_experiment_comes_before_audiences_and_is_deterministic() -> None:
    snap = build_snapshot(1, definitions(variants=[variant("bold", "Bold", 1)], experiments=[EXPERIMENT]))
    slot = snap.slots["home-hero"]
    seen = {}
    for i in range(200):
        unit = f"v_{i}"
        d = decide(snap, slot, visit(unit, **{"session.country": "PL", "segments": ["vip"]}))
        expected = assign(snap.experiments["hero-test"], unit)
        assert expected is not None and d.assignment == expected
        assert d == decide(snap, slot, visit(unit, **{"session.country": "PL", "segments": ["vip"]}))
        seen[expected.arm] = d
    assert seen["bold"].reason is Reason.EXPERIMENT and title(seen["bold"]) == "Bold"
    assert seen["control"].reason is Reason.EXPERIMENT and title(seen["control"]) == "Welcome"
    assert seen["holdout"].reason is Reason.HOLDOUT and seen["holdout"].assignment.holdout  # type: ignore[union-attr]
    assert seen["bold"].matched_conditions == ("session.country equals PL",)
    # Outside the experiment's audience: normal targeting, and the arm's variant is never served.
    outside = decide(snap, slot, visit("v_1", **{"session.country": "DE"}))
    assert outside.assignment is None and outside.variant is not None and outside.variant.id == "capped"


def test_forced_variant_for_preview_and_decision_ids_round_trip() -> None:
    draft = {**variant("draft", "Draft", 98), "status": "draft"}
    snap = build_snapshot(7, definitions(variants=[draft]))
    d = decide(snap, snap.slots["home-hero"], visit(channel="kiosk"), forced_variant="draft")
    assert d.reason is Reason.FORCED and title(d) == "Draft"
    ref = decode_decision_id(d.id)
    assert ref is not None and (ref.slot, ref.variant, ref.experiment, ref.version) == ("home-hero", "draft", None, 7)
    assert decode_decision_id("garbage") is None
