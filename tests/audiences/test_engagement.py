"""Engagement scoring and the profile facts conditions see (pure)."""

from __future__ import annotations

from datetime import timedelta

from gateway.audiences.values.condition_evaluation import evaluate
from gateway.audiences.values.conditions import BehaviourQuery, parse_condition
from gateway.audiences.values.profile_facts import behaviour_counter, profile_facts
from gateway.kernel.visitor import VisitorId
from gateway.visitors.values.engagement import EngagementPolicy, Tier
from gateway.visitors.values.profile import empty_profile
from tests.support.factories import NOW, event, product


def test_score_halves_every_half_life_and_tiers_follow() -> None:
    policy = EngagementPolicy(half_life_days=30, points={"Order Completed": 20}, active_at=10, lapsing_at=2)
    mass = policy.mass("Order Completed", NOW)
    assert abs(policy.score(mass, NOW) - 20) < 1e-9
    assert abs(policy.score(mass, NOW + timedelta(days=30)) - 10) < 1e-9
    assert policy.tier(policy.score(mass, NOW + timedelta(days=29))) is Tier.ACTIVE
    assert policy.tier(policy.score(mass, NOW + timedelta(days=60))) is Tier.LAPSING
    assert policy.tier(policy.score(mass, NOW + timedelta(days=150))) is Tier.INACTIVE
    assert policy.mass("Unknown", NOW) == 0.0


def test_facts_and_behaviour_windows_drive_conditions() -> None:
    policy = EngagementPolicy()
    profile = empty_profile(VisitorId("v_x"))
    from dataclasses import replace

    profile = replace(
        profile,
        counters={"Order Completed": 2, "pos:Order Completed": 1},
        traits={"ageBand": "25-34", "campaigns": ["spring"]},
        engagement_mass=policy.mass("Order Completed", NOW) * 2,
    )
    facts = profile_facts(profile, NOW, interest_half_life_days=14, engagement=policy)
    assert facts["profile.purchases"] == 2 and facts["profile.channels"] == ["pos"]
    assert facts["profile.engagementTier"] == "active" and facts["profile.ageBand"] == "25-34"
    events = [
        event("Product Viewed", "a", at=NOW - timedelta(days=1), product_id="p-00001"),
        event("Product Viewed", "b", at=NOW - timedelta(days=3), product_id="p-00002"),
        event("Product Viewed", "c", at=NOW - timedelta(days=10), product_id="p-00001"),
    ]
    products = {p.id: p for p in (product(1), product(2, category="c-home"))}
    count = behaviour_counter(events, products, {"c-running": ("c-shoes", "c-running")}, NOW)  # type: ignore[dict-item]
    assert count(BehaviourQuery("Product Viewed", 7)) == 2
    assert count(BehaviourQuery("Product Viewed", 30, category="c-shoes")) == 2  # via the sub-category
    assert count(BehaviourQuery("Product Viewed", 30, product="p-00002")) == 1
    cond = parse_condition(
        {
            "all": [
                {"field": "profile.counters.pos:Order Completed", "op": "gte", "value": 1},
                {"field": "profile.campaigns", "op": "contains", "value": "spring"},
            ]
        }
    )
    assert evaluate(cond, facts, count).matched
