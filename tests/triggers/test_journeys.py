"""Journeys: waits, branches, exits, holdouts and per-step lift; each step's effects exactly once
when a worker dies between doing a step and recording that it did (both backends)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.kernel import VisitorId
from gateway.runtime import Runtime
from gateway.settings import Settings
from gateway.testing.servers import free_port
from gateway.triggers import (
    Actions,
    JourneyRunner,
    MessageContent,
    People,
    Position,
    PositionStatus,
)
from gateway.triggers.stores.protocol import PositionStore
from gateway.triggers.values import DeliveryStatus
from tests.support.appclient import Gateway, running_gateway
from tests.support.automation import publish, send
from tests.support.identity_helpers import new_device
from tests.support.settings import TEST_SERVER_KEY

CART_RECOVERY = {
    "key": "cart-recovery",
    "name": "Cart recovery",
    "when": {"event": ["Product Added", "Wishlist Product Added to Cart"]},
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
        {
            "id": "discount",
            "do": [{"webhook": {"type": "cart_reminder", "products": "cart", "data": {"discount": True}}}],
        },
    ],
}
BROWSE = {
    "key": "browse-nudge",
    "when": {"event": "Product Viewed"},
    "exitOn": ["Product Added"],
    "holdoutPercent": 100,
    "steps": [{"id": "wait", "wait": "2h"}, {"id": "nudge", "do": [{"webhook": {"recommendations": {"count": 2}}}]}],
}


def add(message_id: str, product: str = "p-00001") -> dict[str, Any]:
    return {"messageId": message_id, "name": "Product Added", "properties": {"product_id": product}}


def order(message_id: str) -> dict[str, Any]:
    lines = [{"product_id": "p-00001", "quantity": 1}]
    return {
        "messageId": message_id,
        "name": "Order Completed",
        "properties": {"order_id": message_id, "products": lines},
    }


@pytest.fixture
async def gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    settings = replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{free_port()}/hooks",
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_holdout_percent=0.0,
    )
    async with running_gateway(settings) as gateway:
        yield gateway


async def positions(gw: Gateway, journey: str) -> dict[str, Position]:
    found = await gw.runtime.stores.triggers.positions.find(journey, None, None, 100)
    return {p.profile_id: p for p in found}


async def test_a_cart_journey_waits_branches_and_messages_twice(gw: Gateway) -> None:
    await publish(gw, journeys=[CART_RECOVERY, BROWSE])
    triggers = gw.runtime.services.triggers
    keeps, buys, empties, browses = [await new_device(gw) for _ in range(4)]
    for device in (keeps, buys, empties):
        await send(device, add("a1"))
    await send(empties, {"messageId": "r1", "name": "Product Removed", "properties": {"product_id": "p-00001"}})
    await browses.view("p-00004")
    now = datetime.now(UTC)
    await triggers.advance_journeys(now)  # everyone starts waiting
    at = await positions(gw, "cart-recovery")
    assert {p.step for p in at.values()} == {"wait-1h"} and all(p.waiting for p in at.values())
    assert await triggers.advance_journeys(now + timedelta(minutes=30)) == 0  # not due yet

    await triggers.advance_journeys(now + timedelta(minutes=61))
    at = await positions(gw, "cart-recovery")
    assert at[empties.visitor_id].status is PositionStatus.DONE  # nothing carted: the branch ended it
    assert at[keeps.visitor_id].step == "wait-24h" and at[buys.visitor_id].step == "wait-24h"
    await send(buys, order("o1"))
    await send(browses, add("a9", "p-00004"))  # the browse journey's exit event, before its nudge
    await triggers.advance_journeys(now + timedelta(hours=26))
    at = await positions(gw, "cart-recovery")
    assert all(at[d.visitor_id].status is PositionStatus.DONE for d in (keeps, buys, empties))
    assert at[browses.visitor_id].step == "wait-1h"  # its add to cart started this journey

    sent = await gw.runtime.stores.triggers.outbox.find(rule="cart-recovery")
    by_step = {(d.profile_id, d.step) for d in sent}
    assert by_step == {(keeps.visitor_id, "reminder"), (buys.visitor_id, "reminder"), (keeps.visitor_id, "discount")}
    (discount,) = [d for d in sent if d.step == "discount"]
    assert discount.payload["data"] == {"discount": True} and discount.payload["journey"] == "cart-recovery"
    assert discount.payload["type"] == "cart_reminder" and discount.type == "cart_reminder"
    assert [p["id"] for p in discount.payload["products"]] == ["p-00001"]  # the cart, an hour+ after the session
    (left,) = (await positions(gw, "browse-nudge")).values()
    assert left.status is PositionStatus.EXITED
    assert await gw.runtime.stores.triggers.outbox.find(rule="browse-nudge") == []
    lift = await gw.admin(
        '{ ruleLift(rule: "cart-recovery", step: "reminder") { messaged heldOut } '
        'journeyCounts(journey: "cart-recovery") { step status people } }',
        key=TEST_SERVER_KEY,
    )
    assert lift["data"]["journeyCounts"] == [
        {"step": "end", "status": "DONE", "people": 3},
        {"step": "wait-1h", "status": "ACTIVE", "people": 1},
    ]
    assert lift["data"]["ruleLift"] == {"messaged": 0, "heldOut": 0}  # none attempted yet (no receiver here)


async def test_held_out_people_walk_the_journey_without_messages(gw: Gateway) -> None:
    await publish(gw, journeys=[{**BROWSE, "exitOn": ["Order Completed"]}])
    triggers = gw.runtime.services.triggers
    device = await new_device(gw)
    await device.view("p-00001")
    await device.view("p-00002", prefix="again")  # in the journey already: no second entry
    now = datetime.now(UTC)
    await triggers.advance_journeys(now)
    await triggers.advance_journeys(now + timedelta(hours=3))
    (record,) = await gw.runtime.stores.triggers.outbox.find(rule="browse-nudge")
    assert record.status is DeliveryStatus.HOLDOUT and record.step == "nudge"
    assert len(record.payload["recommendations"]["items"]) == 2
    sender = gw.runtime.services.webhooks
    assert sender is not None and await gw.runtime.stores.triggers.outbox.claim_due(now + timedelta(days=1), 1, 9) == []
    await device.view("p-00003", prefix="third")  # done, but the entry cap (1 per 7 days) holds
    assert len(await positions(gw, "browse-nudge")) == 1
    assert (await positions(gw, "browse-nudge"))[device.visitor_id].status is PositionStatus.DONE


class Killed(Exception):
    """A worker dying: raised instead of recording a move."""


class DiesAfterEffects:
    """A worker's view of the positions that dies the first time it would record a move after a
    step with effects: the effects are done, the position still says they are not."""

    def __init__(self, inner: PositionStore) -> None:
        self.inner = inner
        self.died = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def move(self, position: Position, *, release: bool) -> bool:
        if not self.died and position.step == "wait-24h":
            self.died = True
            raise Killed
        return await self.inner.move(position, release=release)


def worker(runtime: Runtime, positions: PositionStore | DiesAfterEffects) -> JourneyRunner:
    """Another worker process's journey runner, on the same stores."""
    s, stores = runtime.services, runtime.stores
    people = People(
        stores.visitors.profiles,
        stores.visitors.events,
        s.directory,
        stores.audiences.memberships,
        s.catalog,
        engagement=s.engagement,
        interest_half_life_days=runtime.settings.interest_half_life_days,
    )
    content = MessageContent(stores.catalog, s.recommendations, people)
    actions = Actions(
        people,
        content,
        stores.triggers.outbox,
        stores.triggers.timers,
        stores.visitors.profiles,
        stores.audiences.memberships,
        stores.audiences.segments,
        stores.visitors.events,
        webhooks=True,
        consent_required=False,
    )
    return JourneyRunner(positions, people, actions, lambda: s.automation.current)  # type: ignore[arg-type]


async def test_a_step_is_done_once_when_its_worker_dies_midway(gw: Gateway) -> None:
    await publish(gw, journeys=[CART_RECOVERY])
    runtime = gw.runtime
    devices: Sequence[Any] = [await new_device(gw) for _ in range(3)]
    for device in devices:
        await send(device, add("a1"))
    now = datetime.now(UTC)
    await runtime.services.triggers.advance_journeys(now)
    dying = DiesAfterEffects(runtime.stores.triggers.positions)
    first, second = worker(runtime, dying), worker(runtime, runtime.stores.triggers.positions)
    with pytest.raises(Killed):
        await first.advance_due(now + timedelta(minutes=61), limit=1)  # dies after sending one reminder
    sent = await runtime.stores.triggers.outbox.find(rule="cart-recovery")
    assert len(sent) == 1
    victim = sent[0].profile_id
    # The dead worker's claim holds the position until its lease runs out; the others go on.
    await second.advance_due(now + timedelta(minutes=61, seconds=10))
    at = await positions(gw, "cart-recovery")
    assert at[victim].step == "reminder" and at[victim].waiting is False
    assert sum(1 for p in at.values() if p.step == "wait-24h") == 2
    await second.advance_due(now + timedelta(minutes=61, seconds=31))  # lease over: the step is redone
    sent = await runtime.stores.triggers.outbox.find(rule="cart-recovery")
    assert sorted((d.profile_id, d.step) for d in sent) == sorted(
        (VisitorId(d.visitor_id), "reminder") for d in devices
    )
    assert (await positions(gw, "cart-recovery"))[victim].step == "wait-24h"
    await second.advance_due(now + timedelta(hours=30))
    sent = await runtime.stores.triggers.outbox.find(rule="cart-recovery")
    assert len(sent) == 6 and len({d.id for d in sent}) == 6  # reminder and discount, once per person
