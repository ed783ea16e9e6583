"""EventStore contract, run against the memory store and MongoDB (SecantusDB over TCP)."""

from __future__ import annotations

from datetime import timedelta

from gateway.kernel.visitor import VisitorId
from gateway.wiring import Stores
from tests.support.factories import NOW, event

V1 = "v_aaaaaaaaaaaaaaaaaaaaaa"  # the factories' default visitor


async def test_append_is_idempotent_per_visitor_and_message(stores: Stores) -> None:
    first = await stores.visitors.events.append(
        [event("Product Viewed", "m1", product_id="p-1"), event("Cart Viewed", "m2")]
    )
    again = await stores.visitors.events.append([event("Cart Viewed", "m2"), event("Cart Viewed", "m3")])
    other_visitor = await stores.visitors.events.append(
        [event("Cart Viewed", "m2", visitor="v_otheraaaaaaaaaaaaaaaaa")]
    )
    assert first == [True, True] and again == [False, True] and other_visitor == [True]


async def test_unapplied_until_marked(stores: Stores) -> None:
    old = NOW - timedelta(hours=1)
    await stores.visitors.events.append([event("Cart Viewed", "m1", at=old), event("Cart Viewed", "m2", at=old)])
    pending = await stores.visitors.events.unapplied(0, 10)
    assert sorted(s.event.message_id for s in pending) == ["m1", "m2"]
    await stores.visitors.events.mark_applied([f"{V1}:m1"])
    pending = await stores.visitors.events.unapplied(0, 10)
    assert [s.event.message_id for s in pending] == ["m2"]


async def test_events_round_trip_for_visitor_newest_first(stores: Stores) -> None:
    await stores.visitors.events.append(
        [
            event("Product Viewed", "m1", at=NOW - timedelta(minutes=2), product_id="p-1", nested={"a": [1, 2]}),
            event("Product Added", "m2", at=NOW, product_id="p-1", quantity=2),
        ]
    )
    stored = await stores.visitors.events.history([VisitorId(V1)], [], None, 10)
    assert [s.event.message_id for s in stored] == ["m2", "m1"]
    assert stored[1].event.properties == {"product_id": "p-1", "nested": {"a": [1, 2]}}
    assert stored[0].event.timestamp == NOW
