"""Trigger timer and outbox contracts, on memory and on MongoDB."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.kernel.visitor import VisitorId
from gateway.triggers.values import Delivery, DeliveryStatus, Timer, TimerKind
from gateway.wiring import Stores
from tests.support.factories import NOW

P = VisitorId("v_triggeraaaaaaaaaaaaaa1")


def timer(key: str, minutes: int) -> Timer:
    return Timer(key, TimerKind.ABSENCE, P, NOW + timedelta(minutes=minutes), {"n": minutes})


async def test_timers_move_only_later_and_fire_once(stores: Stores) -> None:
    await stores.triggers.timers.schedule(timer("t1", 60))
    await stores.triggers.timers.schedule(timer("t1", 30))  # an older event replayed: ignored
    assert await stores.triggers.timers.claim_due(NOW + timedelta(minutes=45), "a", 60, 10) == []
    await stores.triggers.timers.schedule(timer("t2", 10))
    claims = await asyncio.gather(
        *(stores.triggers.timers.claim_due(NOW + timedelta(hours=2), o, 60, 10) for o in "abcd")
    )
    got = sorted(t.key for c in claims for t in c)
    assert got == ["t1", "t2"]  # four concurrent claimers, each timer claimed once
    (t1,) = [t for c in claims for t in c if t.key == "t1"]
    assert t1.data == {"n": 60}
    # Still held: no one else gets it; after the lease it is claimable again (the holder died).
    assert await stores.triggers.timers.claim_due(NOW + timedelta(hours=2), "e", 60, 10) == []
    again = await stores.triggers.timers.claim_due(NOW + timedelta(hours=2, minutes=2), "e", 60, 10)
    assert sorted(t.key for t in again) == ["t1", "t2"]
    await stores.triggers.timers.done(next(t for t in again if t.key == "t2"))
    await stores.triggers.timers.schedule(timer("t1", 90))  # rescheduled while claimed: a newer version
    await stores.triggers.timers.done(t1)  # the old version's completion must not delete the new one
    assert [t.key for t in await stores.triggers.timers.claim_due(NOW + timedelta(hours=3), "f", 60, 10)] == ["t1"]
    assert await stores.triggers.timers.erase(P) == 1


def delivery(key: str, minutes: int = 0, status: DeliveryStatus = DeliveryStatus.PENDING) -> Delivery:
    at = NOW + timedelta(minutes=minutes)
    return Delivery(key, "inactivity", P, {"id": key}, at, status, next_attempt_at=at)


async def test_outbox_is_idempotent_and_claims_due_items(stores: Stores) -> None:
    assert await stores.triggers.outbox.enqueue(delivery("d1")) is True
    assert await stores.triggers.outbox.enqueue(delivery("d1")) is False
    await stores.triggers.outbox.enqueue(delivery("d2", 5))
    await stores.triggers.outbox.enqueue(delivery("h1", status=DeliveryStatus.HOLDOUT))
    claims = await asyncio.gather(
        *(stores.triggers.outbox.claim_due(NOW + timedelta(minutes=1), 60, 10) for _ in range(3))
    )
    assert sorted(d.id for c in claims for d in c) == ["d1"]
    (d1,) = [d for c in claims for d in c]
    from dataclasses import replace

    await stores.triggers.outbox.record(
        replace(d1, attempts=1, next_attempt_at=NOW + timedelta(minutes=30), last_error="x")
    )
    due = await stores.triggers.outbox.claim_due(NOW + timedelta(minutes=10), 60, 10)
    assert [d.id for d in due] == ["d2"]
    await stores.triggers.outbox.record(replace(due[0], status=DeliveryStatus.DEAD, attempts=8))
    assert [d.id for d in await stores.triggers.outbox.find(status=DeliveryStatus.DEAD)] == ["d2"]
    assert await stores.triggers.outbox.count_since(P, "inactivity", NOW) == 3
    assert await stores.triggers.outbox.count_since(P, "abandoned_cart", NOW) == 0
    assert await stores.triggers.outbox.count_since(P, "inactivity", NOW + timedelta(minutes=1)) == 1
    assert await stores.triggers.outbox.erase([P]) == 3
    assert await stores.triggers.outbox.find() == []
