"""The worked examples of docs/triggers.md, end to end: the very blocks of the page are published
through the admin API to a running gateway (no restart) and each seed scenario is played against
real MongoDB and Redis servers (and in memory)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.kernel import VisitorId
from gateway.settings import Settings
from gateway.testing.servers import free_port
from tests.support.appclient import Gateway, running_gateway
from tests.support.automation import publish, send
from tests.support.identity_helpers import Device, new_device
from tests.support.settings import TEST_SERVER_KEY
from tests.support.webhook_receiver import Receiver
from tests.triggers.test_triggers_webhooks import SECRET, documented_verify

DOC = Path(__file__).resolve().parents[2] / "docs" / "triggers.md"


def examples() -> dict[str, Any]:
    """Every ```json example=<name>``` block (parsed) and ```graphql example=<name>``` (text)."""
    found: dict[str, Any] = {}
    for lang, name, body in re.findall(r"```(json|graphql) example=([\w-]+)\n(.*?)```", DOC.read_text(), re.S):
        found[name] = orjson.loads(body) if lang == "json" else body
    return found


EXAMPLES = examples()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
async def gw(backend_settings: Settings, port: int) -> AsyncIterator[Gateway]:
    settings = replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        webhook_secret=SECRET,
        trigger_holdout_percent=0.0,
    )
    async with running_gateway(settings) as gateway:
        e = EXAMPLES
        await publish(
            gateway,
            channels=e["channels"],
            events=[e["email-clicked"], e["store-entered"]],
            rules=[e["proximity-offer"], e["after-return"], e["return-received"], e["click-to-sms"], e["best-time"]],
            journeys=[e["cart-journey"]],
            note="the worked examples",
        )
        yield gateway


async def identify(device: Device, customer: str, card: str | None = None) -> None:
    props: dict[str, Any] = {"customerId": customer, **({"loyaltyCardId": card} if card else {})}
    result = await send(device, {"messageId": f"id-{customer}", "type": "identify", "properties": props})
    assert result["accepted"] == 1, result


def order(message_id: str, *products: str, name: str = "Order Completed") -> dict[str, Any]:
    lines = [{"product_id": p, "quantity": 1} for p in products]
    return {"messageId": message_id, "name": name, "properties": {"order_id": message_id, "products": lines}}


def evenings(device_prefix: str, hour: int = 19, days: int = 5) -> list[dict[str, Any]]:
    """Views at `hour` UTC on each of the last `days` days: an evening shopper."""
    today = datetime.now(UTC).replace(hour=hour, minute=5, second=0, microsecond=0)
    return [
        {
            "messageId": f"{device_prefix}{d}",
            "name": "Product Viewed",
            "timestamp": (today - timedelta(days=d)).isoformat(),
            "properties": {"product_id": f"p-{10 + d:05d}"},
        }
        for d in range(1, days + 1)
    ]


async def deliveries(gw: Gateway, rule: str) -> list[Any]:
    return await gw.runtime.stores.triggers.outbox.find(rule=rule)


async def test_a_newsletter_with_products_from_past_purchases(gw: Gateway) -> None:
    reader, other = await new_device(gw), await new_device(gw)
    await identify(reader, "cust-1042")
    await send(reader, *evenings("e"), order("o1", "p-00001"))
    await send(other, order("o2", "p-00001", "p-00005"))  # bought together by someone else
    body = await gw.admin(EXAMPLES["newsletter"], {"customer": "cust-1042"}, key=TEST_SERVER_KEY)
    assert "errors" not in body, body
    found = body["data"]["customerRecommendations"]
    assert found["profileId"] == reader.visitor_id and found["customerId"] == "cust-1042"
    assert (found["strategy"], found["basedOn"], found["bestSendHour"]) == ("BOUGHT_TOGETHER", "purchases", 19)
    ids = [item["id"] for item in found["items"]]
    assert ids[0] == "p-00005" and "p-00001" not in ids  # what they own is left out
    assert len(ids) == 4 and all(item["inStock"] for item in found["items"])
    unknown = await gw.admin(EXAMPLES["newsletter"], {"customer": "nobody"}, key=TEST_SERVER_KEY)
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_proximity_offer_when_a_known_customer_enters_a_store(gw: Gateway) -> None:
    phone, door = await new_device(gw, "app"), await new_device(gw, "beacon")
    await identify(phone, "cust-1042", card="LC-1042")
    entered = {
        "name": "Store Entered",
        "channel": "beacon",
        "properties": {"store_id": "waw-1", "loyalty_card_id": "LC-1042"},
    }
    assert (await send(door, {"messageId": "door-7-0001", **entered}))["accepted"] == 1
    assert (await send(door, {"messageId": "door-7-0002", **entered}))["accepted"] == 1  # again that day: capped
    stranger = {**entered, "properties": {"store_id": "waw-1", "loyalty_card_id": "LC-9999"}}
    assert (await send(door, {"messageId": "door-7-0003", **stranger}))["accepted"] == 1  # no customer id
    (offer,) = await deliveries(gw, "proximity-offer")
    payload = offer.payload
    assert (offer.profile_id, payload["customerId"], payload["channel"]) == (phone.visitor_id, "cust-1042", "push")
    assert payload["type"] == "store_offer" and payload["trigger"]["properties"]["store_id"] == "waw-1"
    assert payload["trigger"]["channel"] == "beacon" and len(payload["recommendations"]["items"]) == 3
    bad = await send(door, {"messageId": "door-7-0004", **entered, "properties": {"store": "waw-1"}})
    assert (
        bad["results"][0]["reason"]
        == "properties.store_id is required for Store Entered; did you mean to send 'store' as 'store_id'?"
    )


async def test_a_follow_up_two_days_after_a_return(gw: Gateway) -> None:
    device = await new_device(gw)
    await send(device, order("o1", "p-00003"))
    await send(device, order("r1", "p-00003", name="Order Refunded"))
    triggers, now = gw.runtime.services.triggers, datetime.now(UTC)
    (profile,) = await gw.runtime.stores.visitors.profiles.get_many([VisitorId(device.visitor_id)])
    assert profile is not None and profile.traits["lastReturn"] is True
    await triggers.fire_due(now + timedelta(days=1))
    assert await deliveries(gw, "after-return") == []
    await triggers.fire_due(now + timedelta(days=2, minutes=1))
    (follow_up,) = await deliveries(gw, "after-return")
    payload = follow_up.payload
    assert (payload["type"], payload["channel"]) == ("return_follow_up", "email")
    assert [p["id"] for p in payload["products"]] == ["p-00003"]  # what came back
    assert payload["recommendations"]["basedOn"] == "event" and len(payload["recommendations"]["items"]) == 4
    assert "p-00003" not in [i["id"] for i in payload["recommendations"]["items"]]


async def test_an_email_click_gets_an_sms(gw: Gateway, port: int) -> None:
    device = await new_device(gw)
    clicked = {"name": "Email Clicked", "channel": "email", "properties": {"campaign_id": "spring-24", "link": "/sale"}}
    autumn = {**clicked, "properties": {"campaign_id": "autumn-24"}}
    result = await send(device, {"messageId": "c1", **clicked}, {"messageId": "c2", **autumn})
    assert result["accepted"] == 2
    (sms,) = await deliveries(gw, "email-click-sms")
    receiver = Receiver(port)
    await receiver.start()
    try:
        sender = gw.runtime.services.webhooks
        assert sender is not None and await sender.deliver_due(datetime.now(UTC) + timedelta(seconds=1)) == 1
    finally:
        await receiver.stop()
    (request,) = receiver.received
    assert documented_verify()(SECRET, request.headers["vitrine-signature"], request.body)
    body = orjson.loads(request.body)
    assert request.headers["vitrine-event"] == "campaign_follow_up" and body["id"] == sms.id
    assert (body["channel"], body["trigger"]["channel"], body["data"]) == ("sms", "email", {"template": "spring-sms"})
    assert body["channels"]["seen"] == ["email"]


async def test_picks_are_sent_at_the_hour_the_customer_shops(gw: Gateway) -> None:
    device = await new_device(gw)
    await send(device, *evenings("e"), order("o1", "p-00001"))  # 20 points: active
    triggers = gw.runtime.services.triggers
    later = datetime.now(UTC) + timedelta(days=40)  # 20 points decayed below 10: lapsing
    await triggers.fire_due(later)
    if not await deliveries(gw, "winback-best-hour"):  # held until 19:00 (unless it is 19h now)
        assert later.hour != 19
        evening = later.replace(hour=19, minute=0, second=0, microsecond=0)
        evening += timedelta(days=1) if evening < later else timedelta(0)
        await triggers.fire_due(evening - timedelta(minutes=1))
        assert await deliveries(gw, "winback-best-hour") == []
        await triggers.fire_due(evening + timedelta(seconds=1))
    (winback,) = await deliveries(gw, "winback-best-hour")
    assert winback.created_at.hour == 19 and winback.payload["bestSendHour"] == 19
    assert winback.payload["trigger"]["properties"] == {"from": "active", "to": "lapsing"}
    assert len(winback.payload["recommendations"]["items"]) == 4


async def test_a_cart_rescue_reminds_then_offers_a_discount(gw: Gateway) -> None:
    keeps, buys = await new_device(gw), await new_device(gw)
    for device in (keeps, buys):
        await send(device, {"messageId": "a1", "name": "Product Added", "properties": {"product_id": "p-00002"}})
    triggers, now = gw.runtime.services.triggers, datetime.now(UTC)
    await triggers.advance_journeys(now)
    await triggers.advance_journeys(now + timedelta(minutes=61))
    await send(buys, order("o1", "p-00002"))
    await triggers.advance_journeys(now + timedelta(hours=26))
    sent = await deliveries(gw, "cart-rescue")
    assert sorted((d.profile_id == keeps.visitor_id, d.step) for d in sent) == [
        (False, "reminder"),
        (True, "discount"),
        (True, "reminder"),
    ]
    (discount,) = [d for d in sent if d.step == "discount"]
    assert discount.payload["data"] == {"discount": True} and discount.payload["products"][0]["id"] == "p-00002"
    lift = await gw.admin(
        '{ ruleLift(rule: "cart-rescue", step: "discount") { messaged heldOut } }', key=TEST_SERVER_KEY
    )
    assert "errors" not in lift
