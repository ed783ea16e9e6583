"""Rules edited while the gateway runs: every kind of `when`, every action, holdouts, caps,
consent and lift, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.kernel import VisitorId
from gateway.settings import Settings
from gateway.testing.servers import free_port
from gateway.triggers.values import DeliveryStatus
from tests.support.appclient import Gateway, running_gateway
from tests.support.automation import DELETE, publish, save, send
from tests.support.identity_helpers import new_device
from tests.support.settings import TEST_SERVER_KEY
from tests.support.webhook_receiver import Receiver

CONSENT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p, source: "prefs") { viewer { visitorId } } }"""


def order(message_id: str, product: str = "p-00001", name: str = "Order Completed") -> dict[str, Any]:
    lines = [{"product_id": product, "quantity": 1}]
    return {"messageId": message_id, "name": name, "properties": {"order_id": message_id, "products": lines}}


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def hook_settings(backend_settings: Settings, port: int) -> Settings:
    return replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_holdout_percent=0.0,
    )


@pytest.fixture
async def gw(hook_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(hook_settings) as gateway:
        yield gateway


async def delivered(gw: Gateway, rule: str) -> list[Any]:
    return await gw.runtime.stores.triggers.outbox.find(rule=rule)


async def test_segment_entries_chain_rules_and_manual_segments(gw: Gateway) -> None:
    rules = [
        {
            "key": "first-order-vip",
            "when": {"event": "Order Completed"},
            "if": {"field": "profile.purchases", "op": "gte", "value": 1},
            "do": [{"enterSegment": "vip-list"}],
        },
        {"key": "welcome-vip", "when": {"segmentEntered": "vip-list"}, "do": [{"webhook": {"headline": "Welcome"}}]},
        {"key": "refund-not-vip", "when": {"event": "Order Refunded"}, "do": [{"leaveSegment": "vip-list"}]},
        {
            "key": "bye-vip",
            "when": {"segmentExited": "vip-list"},
            "do": [{"setTrait": {"name": "wasVip", "value": True}}],
        },
        {
            "key": "browser",
            "when": {"segmentEntered": "browsers"},
            "do": [{"setTrait": {"name": "browsed", "value": True}}],
        },
    ]
    segment = """mutation { saveSegment(key: "browsers", name: "Browsers",
      definition: {behaviour: {event: "Product Viewed", withinDays: 7}, op: "gte", value: 1}) { ok } }"""
    assert "errors" not in await gw.admin(segment, key=TEST_SERVER_KEY)
    await publish(gw, rules=rules)
    device = await new_device(gw)
    await device.view("p-00003")
    await send(device, order("o1"))
    pid = VisitorId(device.visitor_id)
    (members,) = await gw.runtime.services.segments.of([pid])
    assert members == {"vip-list", "browsers"}  # one entered by a rule, one by its condition
    triggers = gw.runtime.services.triggers
    assert await triggers.fire_due(datetime.now(UTC) + timedelta(seconds=1)) == 2  # two segment changes
    (welcome,) = await delivered(gw, "welcome-vip")
    assert welcome.payload["trigger"]["event"] == "Segment Entered"
    assert welcome.payload["trigger"]["properties"] == {"segment": "vip-list"}
    (profile,) = await gw.runtime.stores.visitors.profiles.get_many([pid])
    assert profile is not None and profile.traits["browsed"] is True
    history = await gw.runtime.stores.visitors.events.history([pid], [], None, 50)
    assert [s.event.name for s in history if s.event.name.startswith("Segment")] == ["Segment Entered"] * 2
    # A replayed order changes nothing: the membership is there, the welcome was sent once.
    await send(device, order("o1"))
    assert await triggers.fire_due(datetime.now(UTC) + timedelta(seconds=1)) == 0
    assert len(await delivered(gw, "welcome-vip")) == 1
    await send(device, order("r1", name="Order Refunded"))
    assert (await gw.runtime.services.segments.of([pid])) == [frozenset({"browsers"})]
    assert await triggers.fire_due(datetime.now(UTC) + timedelta(seconds=1)) == 1
    (profile,) = await gw.runtime.stores.visitors.profiles.get_many([pid])
    assert profile is not None and profile.traits["wasVip"] is True


async def test_follow_ups_tiers_and_absences_of_a_shops_own(gw: Gateway) -> None:
    rules = [  # a follow-up's target is saved first: the workspace is always valid
        {
            "key": "refund-2d",
            "when": {"followUp": {}},
            "do": [{"webhook": {"products": "event", "headline": "How did it go?"}}],
        },
        {
            "key": "refund",
            "when": {"event": "Order Refunded"},
            "do": [{"followUp": {"rule": "refund-2d", "after": "2d"}}],
        },
        {"key": "now-active", "when": {"tierChanged": {"to": "active"}}, "do": [{"webhook": {}}]},
        {"key": "lapsing", "when": {"tierChanged": {"from": "active", "to": "lapsing"}}, "do": [{"webhook": {}}]},
        {
            "key": "viewed-no-cart",
            "when": {"absence": {"after": ["Product Viewed"], "of": ["Product Added"], "for": "3h"}},
            "do": [{"webhook": {}}],
        },
    ]
    await publish(gw, rules=rules)
    triggers, now = gw.runtime.services.triggers, datetime.now(UTC)
    device = await new_device(gw)
    await send(device, order("o1"))  # 20 points: inactive -> active
    (active,) = await delivered(gw, "now-active")
    assert active.payload["trigger"]["properties"] == {"from": "inactive", "to": "active"}
    await send(device, order("r1", name="Order Refunded"))
    await device.view("p-00002")
    assert await triggers.fire_due(now + timedelta(days=1)) == 1  # viewed 3 h ago, nothing carted since
    assert await triggers.fire_due(now + timedelta(days=2, minutes=1)) == 1  # the follow-up
    (follow,) = await delivered(gw, "refund-2d")
    assert follow.payload["trigger"]["event"] == "Follow-up"
    assert [p["id"] for p in follow.payload["products"]] == ["p-00001"]  # the refunded order's
    (absent,) = await delivered(gw, "viewed-no-cart")
    assert absent.payload["trigger"]["properties"]["after"] == "Product Viewed"
    # The score decays: one half-life (30 days) later 20 points are 10, then lapsing.
    assert await triggers.fire_due(now + timedelta(days=40)) == 2  # the tier drop, and the default inactivity
    (lapsed,) = await delivered(gw, "lapsing")
    assert lapsed.payload["trigger"]["properties"] == {"from": "active", "to": "lapsing"}


async def test_holdout_caps_consent_and_lift_apply_to_every_rule(gw: Gateway, port: int) -> None:
    rules = [
        {"key": "held", "when": {"event": "Product Viewed"}, "holdoutPercent": 100, "do": [{"webhook": {}}]},
        {"key": "capped", "when": {"event": "Product Viewed"}, "cap": {"count": 2, "days": 1}, "do": [{"webhook": {}}]},
    ]
    await publish(gw, rules=rules)
    device, private = await new_device(gw), await new_device(gw)
    await private.gql(CONSENT, {"p": [{"purpose": "MARKETING", "granted": False}]})
    for i in range(3):
        await device.view(f"p-0000{i + 1}", prefix=f"v{i}")
        await private.view(f"p-0000{i + 1}", prefix=f"v{i}")
    (held,) = await delivered(gw, "held")
    assert held.status is DeliveryStatus.HOLDOUT  # recorded for lift, never sent
    assert [d.profile_id for d in await delivered(gw, "capped")] == [device.visitor_id] * 2
    await send(device, order("o1"))
    lift = await gw.admin('{ ruleLift(rule: "capped") { messaged messagedConverted heldOut } }', key=TEST_SERVER_KEY)
    assert lift["data"]["ruleLift"] == {"messaged": 0, "messagedConverted": 0, "heldOut": 0}  # none attempted yet
    sender, receiver = gw.runtime.services.webhooks, Receiver(port)
    assert sender is not None
    await receiver.start()
    try:
        assert await sender.deliver_due(datetime.now(UTC)) == 2
    finally:
        await receiver.stop()
    lift = await gw.admin('{ ruleLift(rule: "capped") { messaged messagedConverted } }', key=TEST_SERVER_KEY)
    assert lift["data"]["ruleLift"] == {"messaged": 2, "messagedConverted": 2}
    lift = await gw.admin('{ ruleLift(rule: "held") { heldOut heldOutConverted } }', key=TEST_SERVER_KEY)
    assert lift["data"]["ruleLift"] == {"heldOut": 1, "heldOutConverted": 1}


async def test_rules_are_edited_published_and_rolled_back_while_running(gw: Gateway) -> None:
    served = "{ servedAutomationRelease servedRules { key kind active when } }"
    body = await gw.admin(served, key=TEST_SERVER_KEY)
    assert body["data"]["servedAutomationRelease"] == 0
    assert [r["key"] for r in body["data"]["servedRules"]] == ["abandoned_cart", "favourite_on_promotion", "inactivity"]
    bad = await save(gw, "RULES", {"key": "x", "when": {"event": "Order Refundd"}, "do": [{"webhook": {}}]})
    assert bad == {
        "ok": False,
        "problems": [
            {
                "path": "rule.when.event",
                "message": "unknown event 'Order Refundd'; did you mean 'Order Refunded'? "
                "(a shop's own event: declare it under events)",
            }
        ],
    }
    rule = {"key": "viewed", "when": {"event": "Product Viewed"}, "do": [{"webhook": {}}]}
    first = await publish(gw, rules=[rule], note="add viewed")
    device = await new_device(gw)
    await device.view("p-00001", prefix="a")
    await publish(gw, rules=[{**rule, "enabled": False}], note="pause viewed")
    await device.view("p-00002", prefix="b")
    assert len(await delivered(gw, "viewed")) == 1
    rollback = "mutation($v: Int!) { rollbackAutomation(version: $v) { version rollbackOf } }"
    body = await gw.admin(rollback, {"v": first}, key=TEST_SERVER_KEY)
    assert body["data"]["rollbackAutomation"]["rollbackOf"] == first
    other = await new_device(gw)  # (the first device is capped: one message per rule per 7 days)
    await other.view("p-00003", prefix="c")
    assert len(await delivered(gw, "viewed")) == 2
    body = await gw.admin("{ automationDiff(base: 1, target: 2) { kind key change fields } }", key=TEST_SERVER_KEY)
    assert body["data"]["automationDiff"] == [
        {"kind": "rules", "key": "viewed", "change": "changed", "fields": ["enabled"]}
    ]
    # The default rules came along into the workspace at the first edit; deleting one is a change.
    gone = await gw.admin(DELETE, {"k": "RULES", "key": "inactivity"}, key=TEST_SERVER_KEY)
    assert gone["data"]["deleteAutomationDefinition"]["ok"] is True
    await publish(gw)
    assert "inactivity" not in gw.runtime.services.automation.current.rules
    # Viewers read, editors write.
    created = await gw.admin('mutation { createApiKey(name: "look", role: VIEWER) { secret } }', key=TEST_SERVER_KEY)
    viewer = created["data"]["createApiKey"]["secret"]
    refused = await gw.admin('mutation { publishAutomation(note: "x") { version } }', key=viewer, status=403)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
