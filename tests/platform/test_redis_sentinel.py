"""`redis+sentinel://`: the stores run on the master that a Sentinel names (the same binary, `--sentinel`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest

from gateway.kernel import StoreUnavailable, VisitorId
from gateway.testing.servers import SentinelHandle, start_redis_sentinel
from gateway.visitors.values.session import SessionChange
from gateway.wiring import connect
from tests.support.factories import NOW
from tests.support.settings import make_settings


@pytest.fixture(scope="module")
def sentinel() -> Iterator[SentinelHandle]:
    handle = start_redis_sentinel()
    try:
        yield handle
    finally:
        handle.stop()


async def test_stores_work_through_a_sentinel(sentinel: SentinelHandle, unique: str) -> None:
    from gateway.kernel import Channel

    settings = make_settings(redis_url=sentinel.url, redis_prefix=f"s{unique}:")
    async with AsyncExitStack() as stack:
        stores = await connect(settings, stack)
        visitor = VisitorId("v_sentinelaaaaaaaaaaaaaa")
        # The Sentinel may need a moment after start to report the master it monitors.
        for _ in range(50):
            try:
                await stores.leases.acquire("warm", "me", 1)
                break
            except StoreUnavailable:
                await asyncio.sleep(0.1)
        await stores.visitors.sessions.apply(visitor, [SessionChange("k1", NOW, Channel.WEB, search="shoes")])
        (session,) = await stores.visitors.sessions.get_many([visitor])
        assert session is not None and session.recent_searches == ("shoes",)
        assert (await stores.rate_limits.hit("ip:1", 1, 60)).allowed
        assert not (await stores.rate_limits.hit("ip:1", 1, 60)).allowed
        assert await stores.leases.acquire("lease", "one", 5) and not await stores.leases.acquire("lease", "two", 5)
