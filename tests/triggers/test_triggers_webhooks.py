"""Triggers end to end with a real webhook receiver that is down for a while, then up."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.settings import Settings
from gateway.testing.servers import free_port
from gateway.triggers.values import DeliveryStatus
from tests.support.appclient import Gateway, running_gateway
from tests.support.factories import BRANDS, CATEGORIES, product
from tests.support.identity_helpers import TRACK, Device, new_device
from tests.support.webhook_receiver import Receiver

SECRET = "webhook-secret-0123456789-abcdefghijklmn"
ADMIN = "bootstrap-admin-key-0123456789-abcdefghijkl"
CONSENT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p, source: "prefs") { viewer { visitorId } } }"""


def documented_verify() -> Callable[[str, str, bytes], bool]:
    """The receiver snippet from docs/triggers.md, run as written."""
    text = (Path(__file__).parent.parent.parent / "docs" / "triggers.md").read_text()
    (code,) = re.findall(r"```python verify\n(.*?)```", text, re.S)
    scope: dict[str, Any] = {}
    exec(code, scope)
    verify: Callable[[str, str, bytes], bool] = scope["verify"]
    return verify


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def hook_settings(backend_settings: Settings, port: int) -> Settings:
    return replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        webhook_secret=SECRET,
        webhook_max_attempts=3,
        trigger_holdout_percent=0.0,
        admin_api_key=ADMIN,
    )


@pytest.fixture
async def gw(hook_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(hook_settings) as gateway:
        yield gateway


async def add_to_cart(device: Device, product_id: str, message_id: str) -> None:
    event = {"messageId": message_id, "name": "Product Added", "properties": {"product_id": product_id}}
    assert (await device.gql(TRACK, {"events": [event]}))["track"]["accepted"] == 1


async def test_every_trigger_arrives_once_signed_after_the_receiver_comes_back(gw: Gateway, port: int) -> None:
    cart, fan, sleepy = await new_device(gw), await new_device(gw, "app"), await new_device(gw)
    await add_to_cart(cart, "p-00001", "c1")
    wish = {"messageId": "w1", "name": "Product Added to Wishlist", "properties": {"product_id": "p-00003"}}
    await fan.gql(TRACK, {"events": [wish]})
    await sleepy.view("p-00005")
    # A catalogue import lowers the wishlisted product's price.
    await gw.runtime.stores.catalog.upsert([product(3, price="40.00")], BRANDS, CATEGORIES)

    triggers, sender = gw.runtime.services.triggers, gw.runtime.services.webhooks
    assert sender is not None
    now = datetime.now(UTC)
    assert await triggers.fire_due(now) == 1  # the promotion scan
    assert await triggers.fire_due(now + timedelta(minutes=61)) == 1  # the abandoned cart
    assert await triggers.fire_due(now + timedelta(days=31)) == 3  # three people went quiet
    assert await triggers.fire_due(now + timedelta(days=31)) == 0

    # The receiver is down: every attempt fails and is rescheduled with backoff.
    assert await sender.deliver_due(now + timedelta(days=32)) == 0
    pending = await gw.runtime.stores.triggers.outbox.find()
    assert len(pending) == 5 and all(d.attempts == 1 and d.last_error for d in pending)
    assert await sender.deliver_due(now + timedelta(days=32)) == 0  # not due again yet: backoff

    receiver = Receiver(port)
    await receiver.start()
    try:
        assert await sender.deliver_due(now + timedelta(days=33)) == 5
        assert await sender.deliver_due(now + timedelta(days=34)) == 0
    finally:
        await receiver.stop()

    verify = documented_verify()
    keys = [r.headers["idempotency-key"] for r in receiver.received]
    assert len(keys) == len(set(keys)) == 5
    bodies = []
    for request in receiver.received:
        assert request.path == "/hooks"
        assert verify(SECRET, request.headers["vitrine-signature"], request.body)
        assert not verify("another-secret-0123456789-abcdefghijkl", request.headers["vitrine-signature"], request.body)
        body = orjson.loads(request.body)
        assert body["id"] == request.headers["idempotency-key"] and body["type"] == request.headers["vitrine-event"]
        bodies.append(body)
    assert Counter(b["type"] for b in bodies) == {"inactivity": 3, "abandoned_cart": 1, "favourite_on_promotion": 1}
    (abandoned,) = [b for b in bodies if b["type"] == "abandoned_cart"]
    assert abandoned["profileId"] == cart.visitor_id
    assert [(p["id"], p["quantity"], p["price"]) for p in abandoned["products"]] == [
        ("p-00001", 1, {"amount": "51.00", "currency": "PLN"})
    ]
    (promo,) = [b for b in bodies if b["type"] == "favourite_on_promotion"]
    assert promo["profileId"] == fan.visitor_id
    assert promo["products"][0]["price"] == {"amount": "40.00", "currency": "PLN"}
    assert promo["suggestedContent"]["matchedBy"] == "wishlist"
    assert promo["channels"]["preferred"] == "app"
    assert all(d.status is DeliveryStatus.DELIVERED for d in await gw.runtime.stores.triggers.outbox.find())


async def test_dead_letters_are_listed_and_can_be_retried(gw: Gateway, port: int) -> None:
    device = await new_device(gw)
    await add_to_cart(device, "p-00002", "c1")
    triggers, sender = gw.runtime.services.triggers, gw.runtime.services.webhooks
    assert sender is not None
    now = datetime.now(UTC)
    await triggers.fire_due(now + timedelta(minutes=61))
    receiver = Receiver(port, status=500)
    await receiver.start()
    try:
        for hours in (2, 3, 4):  # 3 attempts, the configured maximum
            await sender.deliver_due(now + timedelta(hours=hours))
        dead = await gw.admin("{ deliveries(status: DEAD) { id attempts lastError kind } }", key=ADMIN)
        (letter,) = dead["data"]["deliveries"]
        assert letter["attempts"] == 3 and letter["lastError"] == "HTTP 500" and letter["kind"] == "abandoned_cart"
        receiver.status = 200
        retried = await gw.admin(
            "mutation($id: ID!) { retryDelivery(id: $id) { status attempts } }", {"id": letter["id"]}, key=ADMIN
        )
        assert retried["data"]["retryDelivery"] == {"status": "PENDING", "attempts": 0}
        assert await sender.deliver_due(datetime.now(UTC) + timedelta(seconds=1)) == 1
    finally:
        await receiver.stop()
    # Four requests with one key: at least once, and the key lets the receiver see it is one message.
    assert len(receiver.received) == 4 and len({r.headers["idempotency-key"] for r in receiver.received}) == 1


async def test_checkout_cancels_and_caps_consent_and_holdout_apply(hook_settings: Settings) -> None:
    async with running_gateway(replace(hook_settings, trigger_holdout_percent=100.0)) as held:
        device = await new_device(held)
        await add_to_cart(device, "p-00002", "c1")
        await held.runtime.services.triggers.fire_due(datetime.now(UTC) + timedelta(minutes=61))
        (record,) = await held.runtime.stores.triggers.outbox.find()
        assert record.status is DeliveryStatus.HOLDOUT  # recorded for lift, never sent
        assert await held.runtime.stores.triggers.outbox.claim_due(datetime.now(UTC) + timedelta(days=1), 1, 10) == []

    async with running_gateway(hook_settings) as gw:
        triggers, outbox = gw.runtime.services.triggers, gw.runtime.stores.triggers.outbox
        now = datetime.now(UTC)
        buyer = await new_device(gw)
        await add_to_cart(buyer, "p-00002", "b1")
        order = {
            "messageId": "o1",
            "name": "Order Completed",
            "properties": {"order_id": "o1", "products": [{"product_id": "p-00002", "quantity": 1}]},
        }
        await buyer.gql(TRACK, {"events": [order]})
        private = await new_device(gw)
        await private.gql(CONSENT, {"p": [{"purpose": "MARKETING", "granted": False}]})
        await add_to_cart(private, "p-00002", "p1")
        capped = await new_device(gw)
        await add_to_cart(capped, "p-00002", "k1")
        # The buyer's timer was cancelled by the order; `private` fires but refused marketing.
        assert await triggers.fire_due(now + timedelta(minutes=61)) == 2
        await add_to_cart(capped, "p-00004", "k2")  # abandons a second cart the same day
        await triggers.fire_due(now + timedelta(minutes=200))
        mine = {buyer.visitor_id, private.visitor_id, capped.visitor_id}  # (the real backend keeps the first block's)
        carts = [d for d in await outbox.find() if d.rule == "abandoned_cart" and d.profile_id in mine]
        assert [d.profile_id for d in carts] == [capped.visitor_id]  # 1 per 7 days; none for the others


async def test_a_timer_fires_once_with_two_instances(backend: str, hook_settings: Settings) -> None:
    if backend == "memory":
        return  # instances share timers only through MongoDB
    async with running_gateway(hook_settings) as gw1, running_gateway(hook_settings) as gw2:
        devices = [await new_device(gw1 if i % 2 else gw2) for i in range(6)]
        for i, device in enumerate(devices):
            await add_to_cart(device, "p-00001", f"c{i}")
        later = datetime.now(UTC) + timedelta(minutes=61)
        fired = await asyncio.gather(
            *(g.runtime.services.triggers.fire_due(later, limit=2) for g in (gw1, gw2, gw1, gw2, gw1, gw2))
        )
        assert sum(fired) == 6
        carts = [d for d in await gw1.runtime.stores.triggers.outbox.find() if d.rule == "abandoned_cart"]
        assert sorted(d.profile_id for d in carts) == sorted(d.visitor_id for d in devices)


async def test_lift_compares_messaged_people_with_the_holdout(hook_settings: Settings, port: int) -> None:
    settings = replace(hook_settings, trigger_holdout_percent=50.0, trigger_abandoned_cart_minutes=0.01)
    async with running_gateway(settings) as gw:
        devices = [await new_device(gw) for _ in range(16)]
        for i, device in enumerate(devices):
            await add_to_cart(device, "p-00001", f"c{i}")
        fired_at = datetime.now(UTC) + timedelta(seconds=1)
        await gw.runtime.services.triggers.fire_due(fired_at)
        receiver = Receiver(port)
        await receiver.start()
        try:
            assert gw.runtime.services.webhooks is not None
            await gw.runtime.services.webhooks.deliver_due(fired_at)
        finally:
            await receiver.stop()
        status = {d.profile_id: d.status for d in await gw.runtime.stores.triggers.outbox.find()}
        messaged = [d for d in devices if status[d.visitor_id] is DeliveryStatus.DELIVERED]
        held = [d for d in devices if status[d.visitor_id] is DeliveryStatus.HOLDOUT]
        assert len(messaged) + len(held) == 16 and messaged and held
        for device in [*messaged[:3], *held[:1]]:  # who bought afterwards
            order = {
                "messageId": "o",
                "name": "Order Completed",
                "timestamp": (fired_at + timedelta(seconds=2)).isoformat(),
                "properties": {"order_id": "o", "products": [{"product_id": "p-00001", "quantity": 1}]},
            }
            await device.gql(TRACK, {"events": [order]})
        body = await gw.admin(
            "{ triggerLift(kind: ABANDONED_CART) { messaged messagedConverted heldOut heldOutConverted lift } }",
            key=ADMIN,
        )
        lift = body["data"]["triggerLift"]
        expected = (3 / len(messaged)) / (1 / len(held)) - 1
        assert lift["messaged"] == len(messaged) and lift["messagedConverted"] == 3
        assert lift["heldOut"] == len(held) and lift["heldOutConverted"] == 1
        assert abs(lift["lift"] - expected) < 1e-9
