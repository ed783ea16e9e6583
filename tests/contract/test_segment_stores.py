"""Segment definition and membership contracts, on memory and on MongoDB."""

from __future__ import annotations

import asyncio

from gateway.audiences.values.segments import build_segment
from gateway.kernel.visitor import VisitorId
from gateway.wiring import Stores
from tests.support.factories import NOW

P1, P2 = VisitorId("v_segmentaaaaaaaaaaaaaa1"), VisitorId("v_segmentaaaaaaaaaaaaaa2")


async def test_definitions_round_trip(stores: Stores) -> None:
    vip = build_segment("vip", "VIP", "big spenders", {"field": "profile.purchases", "op": "gte", "value": 3}, NOW)
    await stores.audiences.segments.save(vip)
    await stores.audiences.segments.save(
        build_segment("a-first", "A", "", {"field": "profile.city", "op": "exists"}, NOW)
    )
    found = await stores.audiences.segments.all()
    assert [s.key for s in found] == ["a-first", "vip"]
    assert found[1] == vip
    assert (
        await stores.audiences.segments.delete("vip") is True and await stores.audiences.segments.delete("vip") is False
    )


async def test_membership_changes_are_reported_exactly_once(stores: Stores) -> None:
    results = await asyncio.gather(
        *(stores.audiences.memberships.update(P1, ["vip", "city"], [], NOW) for _ in range(5))
    )
    entered = sorted(k for e, _ in results for k in e)
    assert entered == ["city", "vip"]  # five concurrent evaluations, one Entered per segment
    await stores.audiences.memberships.update(P2, ["vip"], [], NOW)
    assert await stores.audiences.memberships.memberships([P1, P2, VisitorId("v_nobody")]) == [
        frozenset({"vip", "city"}),
        frozenset({"vip"}),
        frozenset(),
    ]
    assert await stores.audiences.memberships.sizes() == {"vip": 2, "city": 1}
    assert await stores.audiences.memberships.update(P1, [], ["vip", "never"], NOW) == ([], ["vip"])
    assert await stores.audiences.memberships.update(P1, [], ["vip"], NOW) == ([], [])
    await stores.audiences.memberships.drop_segment("city")
    await stores.audiences.memberships.erase(P2)
    assert await stores.audiences.memberships.sizes() == {}
