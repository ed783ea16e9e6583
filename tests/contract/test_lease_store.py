"""LeaseStore contract, run against the memory store, a Redis server and a Redis Cluster."""

from __future__ import annotations

import asyncio

from gateway.wiring import Stores
from tests.conftest import REDIS_BACKENDS

pytestmark = REDIS_BACKENDS


async def test_a_lease_is_exclusive_renewable_by_its_owner_and_expires(stores: Stores) -> None:
    leases = stores.leases
    assert await leases.acquire("merge:p1", "one", 5)
    assert not await leases.acquire("merge:p1", "two", 5)
    assert await leases.acquire("merge:p1", "one", 5)
    await leases.release("merge:p1", "two")
    assert not await leases.acquire("merge:p1", "two", 5)
    await leases.release("merge:p1", "one")
    assert await leases.acquire("merge:p1", "two", 0.05)
    await asyncio.sleep(0.15)
    assert await leases.acquire("merge:p1", "three", 5)


async def test_leases_on_many_keys_are_independent(stores: Stores) -> None:
    got = await asyncio.gather(*(stores.leases.acquire(f"intake:{n}", "me", 5) for n in range(32)))
    assert all(got)
    assert not any(await asyncio.gather(*(stores.leases.acquire(f"intake:{n}", "you", 5) for n in range(32))))
