"""SignalStore contract, run against the memory store, a Redis server and a Redis Cluster (over TCP)."""

from __future__ import annotations

import asyncio

from gateway.catalogue.values import ProductId
from gateway.kernel.visitor import VisitorId
from gateway.recommendations.values.signals import HistoryEntry, SignalConfig, SignalUpdate
from gateway.wiring import Stores
from tests.conftest import REDIS_BACKENDS

pytestmark = REDIS_BACKENDS

V1, V2 = VisitorId("v_signal1aaaaaaaaaaaaaaaa"), VisitorId("v_signal2aaaaaaaaaaaaaaaa")
P = [ProductId(f"p-{n:05d}") for n in range(400)]


def bump(key: str, event_key: str, *pairs: tuple[ProductId, float], visitor: VisitorId = V1) -> SignalUpdate:
    return SignalUpdate(event_key, visitor, increments=tuple((key, m, a) for m, a in pairs))


async def test_increments_accumulate_and_read_best_first(stores: Stores) -> None:
    s = stores.recommendations.signals
    assert await s.record([bump("view:p-1", "e1", (P[1], 1.0), (P[2], 2.5))]) == [True]
    assert await s.record([bump("view:p-1", "e2", (P[1], 2.0), (P[3], 0.5))]) == [True]
    (top,) = await s.lookup(["view:p-1"], 10)
    assert top == [(P[1], 3.0), (P[2], 2.5), (P[3], 0.5)]
    assert await s.lookup(["view:p-1", "view:nothing"], 2) == [[(P[1], 3.0), (P[2], 2.5)], []]


async def test_update_is_applied_at_most_once_per_event_key(stores: Stores) -> None:
    s = stores.recommendations.signals
    update = SignalUpdate(
        "v1:m1", V1, (HistoryEntry(P[1], 100.0, "view"),), (("popular:all", P[1], 1.0),), ("FOR_YOU",)
    )
    assert await s.record([update, update]) == [True, False]
    assert await s.record([update]) == [False]
    assert await s.lookup(["popular:all"], 5) == [[(P[1], 1.0)]]
    assert await s.histories([V1]) == [(HistoryEntry(P[1], 100.0, "view"),)]
    assert await s.clicks() == {"FOR_YOU": 1}


async def test_ties_order_by_larger_id_first(stores: Stores) -> None:
    await stores.recommendations.signals.record([bump("popular:all", "e1", (P[1], 1.0), (P[3], 1.0), (P[2], 1.0))])
    (top,) = await stores.recommendations.signals.lookup(["popular:all"], 3)
    assert [p for p, _ in top] == [P[3], P[2], P[1]]


async def test_lists_are_bounded_keeping_the_best(stores: Stores) -> None:
    cap = SignalConfig().neighbour_cap
    pairs = [(P[n], float(n)) for n in range(1, cap + cap // 4 + 2)]  # one past the trim threshold
    await stores.recommendations.signals.record([bump("view:p-x", "e1", *pairs)])
    (top,) = await stores.recommendations.signals.lookup(["view:p-x"], 10 * cap)
    assert len(top) == cap
    assert top[0] == pairs[-1] and top[-1] == pairs[-cap]


async def test_history_is_newest_first_capped_and_per_visitor(stores: Stores) -> None:
    cap = SignalConfig().history_cap
    updates = [SignalUpdate(f"h{n}", V1, (HistoryEntry(P[n % 400], float(n), "view"),)) for n in range(cap + 5)]
    await stores.recommendations.signals.record(updates)
    await stores.recommendations.signals.record([SignalUpdate("o1", V2, (HistoryEntry(P[7], 1.5, "buy"),))])
    mine, theirs, nobody = await stores.recommendations.signals.histories(
        [V1, V2, VisitorId("v_nobodyaaaaaaaaaaaaaaaa")]
    )
    assert len(mine) == cap and mine[0].at == float(cap + 4) and mine[-1].at == 5.0
    assert theirs == (HistoryEntry(P[7], 1.5, "buy"),) and nobody == ()


async def test_concurrent_updates_lose_nothing(stores: Stores) -> None:
    await asyncio.gather(
        *(stores.recommendations.signals.record([bump("buy:p-1", f"c{n}", (P[2], 1.0))]) for n in range(20))
    )
    assert await stores.recommendations.signals.lookup(["buy:p-1"], 1) == [[(P[2], 20.0)]]


async def test_erasing_a_visitor_drops_history_and_keeps_lists(stores: Stores) -> None:
    await stores.recommendations.signals.record([SignalUpdate(f"{V1}:m1", V1, (HistoryEntry(P[1], 1.0, "view"),))])
    await stores.recommendations.signals.record([bump("view:p-00001", f"{V1}:m2", (P[2], 1.0))])
    await stores.recommendations.signals.record([SignalUpdate(f"{V2}:m1", V2, (HistoryEntry(P[3], 1.0, "view"),))])
    await stores.recommendations.signals.erase_visitor(V1)
    mine, theirs = await stores.recommendations.signals.histories([V1, V2])
    assert mine == () and theirs == (HistoryEntry(P[3], 1.0, "view"),)
    assert await stores.recommendations.signals.lookup(["view:p-00001"], 5) == [[(P[2], 1.0)]]  # aggregates stay


async def test_lookup_takes_one_limit_per_key(stores: Stores) -> None:
    s = stores.recommendations.signals
    await s.record([bump("view:p-1", "l1", (P[1], 3.0), (P[2], 2.0), (P[3], 1.0))])
    await s.record([bump("buy:p-1", "l2", (P[4], 3.0), (P[5], 2.0))])
    found = await s.lookup(["view:p-1", "buy:p-1", "view:p-1", "view:none"], [1, 5, 0, 3])
    assert found == [[(P[1], 3.0)], [(P[4], 3.0), (P[5], 2.0)], [], []]
