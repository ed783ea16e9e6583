"""RateLimitStore contract, run against the memory store, a Redis server and a Redis Cluster."""

from __future__ import annotations

import asyncio

from gateway.wiring import Stores
from tests.conftest import REDIS_BACKENDS

pytestmark = REDIS_BACKENDS


async def test_allows_up_to_the_limit_then_refuses_with_retry_after(stores: Stores) -> None:
    decisions = [await stores.rate_limits.hit("ip:10.0.0.1", 3, 60) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert all(1 <= d.retry_after_seconds <= 60 for d in decisions[3:])
    assert decisions[0].retry_after_seconds == 0


async def test_keys_are_counted_separately(stores: Stores) -> None:
    assert (await stores.rate_limits.hit("a", 1, 60)).allowed
    assert (await stores.rate_limits.hit("b", 1, 60)).allowed
    assert not (await stores.rate_limits.hit("a", 1, 60)).allowed


async def test_a_new_window_starts_after_expiry(stores: Stores) -> None:
    assert (await stores.rate_limits.hit("w", 1, 1)).allowed
    assert not (await stores.rate_limits.hit("w", 1, 1)).allowed
    await asyncio.sleep(1.2)
    assert (await stores.rate_limits.hit("w", 1, 1)).allowed


async def test_concurrent_hits_never_exceed_the_limit(stores: Stores) -> None:
    decisions = await asyncio.gather(*(stores.rate_limits.hit("burst", 10, 60) for _ in range(30)))
    assert sum(d.allowed for d in decisions) == 10
