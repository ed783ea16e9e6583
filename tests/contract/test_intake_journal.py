"""IntakeJournal contract, run against the memory journal, a Redis server and a Redis Cluster."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gateway.kernel import VisitorId
from gateway.visitors import Event, IntakeJournal
from gateway.visitors.stores.memory_journal import MemoryIntakeJournal, partition_of
from gateway.wiring import Stores
from tests.conftest import REDIS_BACKENDS
from tests.support.factories import event

pytestmark = REDIS_BACKENDS

ALICE, BOB = VisitorId("v_journalaliceaaaaaaaaa"), VisitorId("v_journalbobaaaaaaaaaaa")


@pytest.fixture
async def journal(stores: Stores) -> AsyncIterator[IntakeJournal]:
    yield stores.visitors.journal or MemoryIntakeJournal()


def viewed(message_id: str, visitor: str = ALICE) -> Event:
    return event("Product Viewed", message_id, visitor=visitor, product_id="p-00001")


async def test_appended_events_are_read_back_in_order_once_per_message_id(journal: IntakeJournal) -> None:
    first = (await journal.append(ALICE, [viewed("m1"), viewed("m2")])).entry_ids
    appended = await journal.append(ALICE, [viewed("m2"), viewed("m3")])
    again = appended.entry_ids
    assert all(first) and again[0] is None and again[1] is not None
    assert appended.waiting == 2  # m1 and m2 were there before
    n = journal.partition_of(ALICE)
    entries = await journal.read(n, 10)
    assert [x.event.message_id for x in entries] == ["m1", "m2", "m3"]
    assert entries[0].event == viewed("m1")  # every field comes back
    assert [x.entry_id for x in entries] == [first[0], first[1], again[1]]


async def test_the_same_message_id_from_another_visitor_is_another_event(journal: IntakeJournal) -> None:
    assert (await journal.append(ALICE, [viewed("m1")])).entry_ids[0] is not None
    appended = await journal.append(BOB, [viewed("m1", BOB)])
    assert appended.entry_ids[0] is not None and appended.waiting == 0


async def test_read_pages_and_remove_trims(journal: IntakeJournal) -> None:
    await journal.append(ALICE, [viewed(f"m{i}") for i in range(5)])
    n = journal.partition_of(ALICE)
    page = await journal.read(n, 2)
    assert [x.event.message_id for x in page] == ["m0", "m1"]
    await journal.remove(n, page)
    await journal.remove(n, page)  # twice: counted down once
    assert [x.event.message_id for x in await journal.read(n, 10)] == ["m2", "m3", "m4"]
    assert (await journal.append(ALICE, [viewed("m5")])).waiting == 3
    await journal.remove(n, await journal.read(n, 10))
    assert (await journal.append(ALICE, [viewed("m6")])).waiting == 0
    backlog = await journal.backlog()
    assert backlog.events == 1 and backlog.oldest_seconds >= 0
    assert [x.event.message_id for x in await journal.read(n, 10, older_than_seconds=3600)] == []


async def test_concurrent_appends_of_one_message_keep_one(journal: IntakeJournal) -> None:
    results = await asyncio.gather(*(journal.append(ALICE, [viewed("same")]) for _ in range(10)))
    assert sum(1 for r in results if r.entry_ids[0] is not None) == 1
    assert len(await journal.read(journal.partition_of(ALICE), 100)) == 1


async def test_erasing_a_visitor_drops_their_buffered_events_only(journal: IntakeJournal) -> None:
    # Two visitors in one partition: find Bob's twin of Alice's partition.
    twin = next(
        v
        for i in range(1000)
        if partition_of(v := f"v_twin{i:018d}", journal.partitions) == journal.partition_of(ALICE)
    )
    await journal.append(ALICE, [viewed("a1")])
    await journal.append(twin, [viewed("t1", twin)])
    await journal.erase_visitor(ALICE)
    left = await journal.read(journal.partition_of(ALICE), 10)
    assert [x.event.visitor_id for x in left] == [twin]
    appended = await journal.append(ALICE, [viewed("a1")])
    assert appended.entry_ids[0] is not None and appended.waiting == 0  # its seen ids and count went too


async def test_partitions_are_stable_and_spread(journal: IntakeJournal) -> None:
    assert partition_of("v_abc", 16) == partition_of("v_abc", 16)
    assert len({partition_of(f"v_{i}", 16) for i in range(200)}) == 16
    assert journal.partition_of(ALICE) == partition_of(ALICE, journal.partitions)
