"""Segments end to end: editors define them, membership follows events and the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.kernel.visitor import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, new_device

ADMIN = "bootstrap-admin-key-0123456789-abcdefghijkl"
SAVE = """mutation($k: String!, $n: String!, $d: JSON!) { saveSegment(key: $k, name: $n, definition: $d) {
  ok segment { key timeBased size } problems { path message } } }"""
SEGMENTS = "{ segments { key name size timeBased } }"
VIEWER_SEGMENTS = "{ viewer { segments { key name } profile { engagement { score tier } } } }"

RUNNERS = {
    "behaviour": {"event": "Product Viewed", "category": "c-shoes", "withinDays": 7},
    "op": "gte",
    "value": 2,
}
LAPSED_BUYERS = {
    "all": [
        {"field": "profile.purchases", "op": "gte", "value": 1},
        {"behaviour": {"event": "Order Completed", "withinDays": 7}, "op": "equals", "value": 0},
    ]
}
ENGAGED = {"field": "profile.engagementTier", "op": "equals", "value": "active"}
IN_STORE_BUYERS = {"field": "profile.counters.pos:Order Completed", "op": "gte", "value": 1}


@pytest.fixture
async def gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(replace(backend_settings, admin_api_key=ADMIN)) as gateway:
        yield gateway


def order(message_id: str, at: datetime | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "messageId": message_id,
        "name": "Order Completed",
        "properties": {"order_id": message_id, "products": [{"product_id": "p-00001", "quantity": 1}]},
    }
    if at is not None:
        event["timestamp"] = at.isoformat()
    return event


async def define(gw: Gateway, key: str, definition: dict[str, Any]) -> dict[str, Any]:
    body = await gw.admin(SAVE, {"k": key, "n": key.title(), "d": definition}, key=ADMIN)
    assert "errors" not in body, body
    payload = body["data"]["saveSegment"]
    assert payload["ok"] and payload["problems"] == [], payload
    saved: dict[str, Any] = payload["segment"]
    return saved


async def keys_of(device: Any) -> list[str]:
    data = await device.gql(VIEWER_SEGMENTS)
    return [s["key"] for s in data["viewer"]["segments"]]


async def test_membership_in_real_time_with_entered_and_exited_events(gw: Gateway) -> None:
    assert (await define(gw, "runners", RUNNERS))["timeBased"] is True
    await define(gw, "engaged", ENGAGED)
    device = await new_device(gw)
    await device.view("p-00001")
    assert await keys_of(device) == []
    await device.view("p-00002", prefix="n")  # a second running shoe: c-running is under c-shoes
    assert await keys_of(device) == ["runners"]
    await device.gql(TRACK, {"events": [order("o1")]})
    data = await device.gql(VIEWER_SEGMENTS)
    assert data["viewer"]["profile"]["engagement"]["tier"] == "ACTIVE"  # 2 views + an order = 22 points
    assert [s["key"] for s in data["viewer"]["segments"]] == ["engaged", "runners"]
    sizes = {s["key"]: s["size"] for s in (await gw.admin(SEGMENTS, key=ADMIN))["data"]["segments"]}
    assert sizes == {"engaged": 1, "runners": 1}
    log = await gw.runtime.stores.visitors.events.history([VisitorId(device.visitor_id)], [], None, 50)
    entered = sorted(s.event.properties["segment"] for s in log if s.event.name == "Segment Entered")
    assert entered == ["engaged", "runners"]  # once each, though evaluated after every event


async def test_time_based_segments_change_on_the_schedule(gw: Gateway) -> None:
    await define(gw, "lapsed-buyers", LAPSED_BUYERS)
    device = await new_device(gw)
    now = datetime.now(UTC)
    await device.gql(TRACK, {"events": [order("old", now - timedelta(days=10))]})
    assert await keys_of(device) == ["lapsed-buyers"]
    await device.gql(TRACK, {"events": [order("new")]})
    assert await keys_of(device) == []  # bought again: out at once
    service = gw.runtime.services.segments
    assert await service.reevaluate_all() == 0  # nothing changed with time yet
    service._clock = lambda: datetime.now(UTC) + timedelta(days=8)  # a week later, no new order
    assert await service.reevaluate_all() == 1
    assert await keys_of(device) == ["lapsed-buyers"]
    log = await gw.runtime.stores.visitors.events.history([VisitorId(device.visitor_id)], [], None, 50)
    names = [s.event.name for s in sorted(log, key=lambda s: s.event.timestamp) if s.event.name.startswith("Segment")]
    assert names == ["Segment Entered", "Segment Exited", "Segment Entered"]


async def test_in_store_purchases_count_in_segments(gw: Gateway) -> None:
    await define(gw, "in-store", IN_STORE_BUYERS)
    online = await new_device(gw)
    await online.identify("c-store", l="CARD-9")
    gw.client.cookies.clear()
    pos = {**order("till-1"), "channel": "pos"}
    pos["properties"] = {**pos["properties"], "loyalty_card_id": "CARD-9"}
    server = {"authorization": f"Bearer {ADMIN}"}  # the till's backend vouches for the card
    response = await gw.client.post("/v1/events", json=[pos], headers={"x-vitrine-channel": "pos", **server})
    assert response.json()["accepted"] == 1
    assert await keys_of(online) == ["in-store"]


async def test_editors_get_actionable_errors_and_viewers_cannot_edit(gw: Gateway) -> None:
    bad = await gw.admin(
        SAVE, {"k": "x", "n": "X", "d": {"field": "profile.purchase", "op": "gte", "value": 1}}, key=ADMIN
    )
    payload = bad["data"]["saveSegment"]
    assert payload["ok"] is False and payload["segment"] is None
    assert payload["problems"] == [
        {"path": "conditions.field", "message": "unknown field 'profile.purchase'; did you mean 'profile.purchases'?"}
    ]
    # Every problem at once, each at its path: the key, the name and both leaves.
    many = await gw.admin(
        SAVE,
        {
            "k": "Not A Key",
            "n": " ",
            "d": {"any": [{"field": "profile.purchase", "op": "gte", "value": 1}, {"field": "cart.value", "op": ">"}]},
        },
        key=ADMIN,
    )
    assert [p["path"] for p in many["data"]["saveSegment"]["problems"]] == [
        "key",
        "name",
        "conditions.any[0].field",
        "conditions.any[1].op",
    ]
    assert (await gw.admin(SEGMENTS, key=ADMIN))["data"]["segments"] == []  # nothing was saved
    created = await gw.admin('mutation { createApiKey(name: "v", role: VIEWER) { secret } }', key=ADMIN)
    viewer_key = created["data"]["createApiKey"]["secret"]
    denied = await gw.admin(SAVE, {"k": "x", "n": "X", "d": ENGAGED}, key=viewer_key, status=403)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gw.admin(SEGMENTS, key=viewer_key))["data"]["segments"] == []


async def test_slot_audiences_can_use_segments_and_engagement(gw: Gateway) -> None:
    from gateway.audiences.values.condition_evaluation import evaluate
    from gateway.audiences.values.conditions import parse_condition

    await define(gw, "runners", RUNNERS)
    device = await new_device(gw)
    await device.view("p-00001", "p-00002")
    await device.gql(TRACK, {"events": [order("o1")]})
    (state,) = await gw.runtime.services.visitors.load([VisitorId(device.visitor_id)])
    facts = await gw.runtime.services.audience_facts(state)
    audience = parse_condition(
        {
            "all": [
                {"field": "segments", "op": "contains", "value": "runners"},
                {"field": "profile.engagementTier", "op": "equals", "value": "active"},
                {"field": "profile.channels", "op": "contains", "value": "web"},
            ]
        }
    )
    assert evaluate(audience, facts, lambda q: 0).matched
    stranger = await new_device(gw)
    (state,) = await gw.runtime.services.visitors.load([VisitorId(stranger.visitor_id)])
    assert not evaluate(audience, await gw.runtime.services.audience_facts(state), lambda q: 0).matched
