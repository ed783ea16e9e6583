"""Rules and journeys as editors write them (pure): validation with paths and fixes, defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.triggers.values.activity import best_send_hour, cart_of, next_at_hour, next_tier_drop
from gateway.triggers.values.automation import build_automation, default_definitions
from gateway.triggers.values.durations import AutomationError, format_duration, parse_duration
from gateway.triggers.values.journeys import END, Branch, Do, Wait
from gateway.triggers.values.rules import Webhook
from gateway.triggers.values.when import OnAbsence, OnEvent, RuleDefaults
from gateway.visitors import EngagementPolicy, Event
from tests.support.factories import event


def act(name: str, product: str, at: datetime, quantity: int = 1) -> Event:
    if name == "Order Completed":
        return event(name, f"{name}{at}", at=at, order_id="o", products=[{"product_id": product, "quantity": quantity}])
    return event(name, f"{name}{product}{at}", at=at, product_id=product, quantity=quantity)


DEFAULTS = RuleDefaults()
REFUND = {
    "key": "refund-follow-up",
    "when": {"event": "Order Refunded"},
    "do": [{"webhook": {"products": "event"}}],
}


def build(**kinds: list[dict[str, Any]]) -> Any:
    return build_automation(1, {"events": [], "channels": [], "rules": [], "journeys": [], **kinds}, DEFAULTS)


def problem(**kinds: list[dict[str, Any]]) -> tuple[str, str]:
    with pytest.raises(AutomationError) as caught:
        build(**kinds)
    return caught.value.path, caught.value.message


def test_the_built_in_triggers_are_rules_shipped_as_defaults() -> None:
    raw = default_definitions(timedelta(minutes=60), timedelta(days=30), 5.0)
    automation = build_automation(0, raw, DEFAULTS)
    assert sorted(automation.rules) == ["abandoned_cart", "favourite_on_promotion", "inactivity"]
    cart = automation.rules["abandoned_cart"]
    assert cart.when == OnAbsence(
        timedelta(hours=1),
        frozenset({"Product Added", "Product Removed", "Wishlist Product Added to Cart"}),
        frozenset({"Checkout Started", "Order Completed"}),
    )
    assert cart.holdout_percent == 10 and cart.cap.count == 1 and cart.cap.window == timedelta(days=7)
    assert isinstance(cart.actions[0], Webhook) and cart.actions[0].type == "abandoned_cart"
    # Without a webhook receiver rules that only send webhooks keep nothing (no timer writes).
    assert build_automation(0, raw, DEFAULTS, webhooks=False).owners() == ()


def test_a_rule_names_declared_events_and_channels() -> None:
    declared = {
        "events": [{"name": "Email Clicked", "channels": ["email"]}],
        "channels": [{"name": "email"}, {"name": "sms"}],
        "rules": [
            {
                "key": "email-to-sms",
                "when": {"event": {"name": "Email Clicked", "channel": "email"}},
                "if": {"field": "event.properties.campaign", "op": "equals", "value": "spring"},
                "do": [{"webhook": {"channel": "sms", "data": {"template": "spring-sms"}}}],
            }
        ],
    }
    rule = build(**declared).rules["email-to-sms"]
    assert rule.when == OnEvent(frozenset({"Email Clicked"}), frozenset({"email"}))
    assert problem(rules=[{**REFUND, "when": {"event": "Email Clicked"}}]) == (
        "rules[0].when.event",
        "unknown event 'Email Clicked'; did you mean 'Promotion Clicked'? "
        "(a shop's own event: declare it under events)",
    )
    assert problem(rules=[{**REFUND, "do": [{"webhook": {"channel": "smss"}}]}])[1].startswith(
        "unknown channel 'smss'; use one of web, app, kiosk, pos, beacon"
    )


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        ({**REFUND, "when": {"evnt": "Order Refunded"}}, "rules[0].when",
         "unknown trigger 'evnt'; did you mean 'event'?"),
        ({**REFUND, "when": {"event": "Order Refundd"}}, "rules[0].when.event", "did you mean 'Order Refunded'?"),
        ({**REFUND, "do": [{"webhok": {}}]}, "rules[0].do[0]", "unknown action 'webhok'; did you mean 'webhook'?"),
        ({**REFUND, "do": [{"webhook": {"products": "carts"}}]}, "rules[0].do[0].webhook.products",
         "did you mean 'cart'?"),
        ({**REFUND, "do": [{"webhook": {"recommendations": {"strategy": "FOR_YUO"}}}]},
         "rules[0].do[0].webhook.recommendations.strategy", "unknown strategy 'FOR_YUO'; did you mean 'FOR_YOU'?"),
        ({**REFUND, "if": {"field": "event.propertis.x", "op": "equals", "value": 1}}, "rules[0].if.field",
         "unknown field 'event.propertis.x'"),
        ({**REFUND, "if": {"field": "cart.value", "op": ">=", "value": 1}}, "rules[0].if.op", "did you mean 'gte'?"),
        ({**REFUND, "when": {"absence": {"for": "1 hour"}}}, "rules[0].when.absence.for",
         "a delay is a number and a unit"),
        ({**REFUND, "holdoutPercent": 120}, "rules[0].holdoutPercent", "a percentage from 0 to 100"),
        ({**REFUND, "cap": {"count": 0}}, "rules[0].cap.count", "an integer from 1 to 1000"),
        ({**REFUND, "do": [{"followUp": {"rule": "nope", "after": "2d"}}]}, "rules[0].do",
         "followUp names 'nope', which is not a rule whose 'when' is {\"followUp\": {}}"),
        ({**REFUND, "whne": {}}, "rules[0].whne", "unknown key; did you mean 'when'?"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_refused_with_a_path_and_a_fix(rule: dict[str, Any], path: str, message: str) -> None:
    found_path, found = problem(rules=[rule])
    assert found_path == path and message in found


CART_JOURNEY = {
    "key": "cart-recovery",
    "when": {"event": ["Product Added"]},
    "exitOn": ["Order Completed"],
    "steps": [
        {"id": "wait-1h", "wait": "1h"},
        {"id": "carted", "if": {"field": "cart.itemCount", "op": "gt", "value": 0}, "else": "end"},
        {"id": "reminder", "do": [{"webhook": {"type": "cart_reminder", "products": "cart"}}]},
        {"id": "wait-24h", "wait": "24h"},
        {
            "id": "no-order",
            "if": {"field": "journey.events.Order Completed", "op": "equals", "value": 0},
            "else": "end",
        },
        {"id": "discount", "do": [{"webhook": {"type": "cart_reminder", "data": {"discount": True}}}]},
    ],
}


def test_a_journey_has_waits_branches_and_steps_that_go_forward() -> None:
    journey = build(journeys=[CART_JOURNEY]).journeys["cart-recovery"]
    assert [type(s) for s in journey.steps] == [Wait, Branch, Do, Wait, Branch, Do]
    assert journey.after(1, None) == "reminder" and journey.after(5, None) == END
    assert journey.exit_on == frozenset({"Order Completed"})
    steps = CART_JOURNEY["steps"]
    assert isinstance(steps, list)
    looping = {**CART_JOURNEY, "steps": [*steps[:4], {**steps[4], "else": "carted"}, steps[5]]}
    assert problem(journeys=[looping]) == ("journeys[0].steps[4].else", "a branch goes forward only (no loops)")
    typo = {**CART_JOURNEY, "steps": [*steps[:4], {**steps[4], "then": "discont"}, steps[5]]}
    assert problem(journeys=[typo]) == ("journeys[0].steps[4].then", "no step 'discont'; did you mean 'discount'?")
    assert problem(rules=[{**REFUND, "key": "cart-recovery"}], journeys=[CART_JOURNEY])[1].startswith(
        "'cart-recovery' is a rule's key too"
    )
    # journey.* facts exist in journeys only
    rule_path, message = problem(rules=[{**REFUND, "if": steps[4]["if"]}])
    assert (rule_path, message.split(";")[0]) == ("rules[0].if.field", "unknown field 'journey.events.Order Completed'")


def test_durations_and_what_a_history_says() -> None:
    assert parse_duration("90s", "p") == timedelta(seconds=90) and parse_duration("1.5h", "p") == timedelta(hours=1.5)
    assert [format_duration(timedelta(seconds=s)) for s in (3600, 90, 0.6, 86400 * 30)] == ["1h", "90s", "0.6s", "30d"]
    now = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
    history = [
        act("Order Completed", "p-1", now - timedelta(days=1)),
        act("Product Added", "p-2", now - timedelta(hours=2)),
        act("Product Added", "p-3", now - timedelta(hours=1), quantity=2),
        act("Product Removed", "p-2", now - timedelta(minutes=30)),
    ]
    assert cart_of(history) == [("p-3", 2)]
    evenings = [act("Product Viewed", "p-1", now.replace(hour=19) - timedelta(days=d)) for d in range(1, 6)]
    assert best_send_hour(evenings, now) == 19 and best_send_hour(evenings[:4], now) is None
    assert next_at_hour(now, 19) == now.replace(hour=19, minute=0) and next_at_hour(now, 10) == now
    assert next_at_hour(now, 8) == (now + timedelta(days=1)).replace(hour=8, minute=0)
    policy = EngagementPolicy(half_life_days=30.0, active_at=10.0, lapsing_at=2.0)
    drop = next_tier_drop(policy, 20.0, now)
    assert drop is not None and abs((drop - now).total_seconds() - 30 * 86400) < 5  # 20 -> 10: one half-life
    assert next_tier_drop(policy, 1.0, now) is None
