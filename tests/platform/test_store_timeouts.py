"""Every store wait is bounded: a frozen server costs a request at most the store timeout.

Each test starts its own Redis and MongoDB-protocol servers (the shared ones must not freeze),
serves a gateway on them with a 1 s store timeout, and freezes one server with SIGSTOP: it
keeps its connections open and answers nothing, the hardest case for a client (a dead server
refuses connections at once). Every request made meanwhile, one by one and many at a time, must
answer within the timeout plus a margin, and so must the worker's jobs. Before, MongoDB's
socket timeout was at least 5 s and redis-py retried a timed-out command up to 10 times.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from gateway.kernel import StoreUnavailable
from gateway.testing.servers import ServerHandle, start_mongo, start_redis
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

TIMEOUT_MS = 1000
MARGIN_S = 0.8  # less than one more timeout (a request that waited twice fails), room for a loaded machine
BREAKER_S = 5.0  # longer than the rounds below take, so none meets a half-open trial

PAGE = """{ products(first: 3) { totalCount }
  viewer { visitorId personalized degraded session { recentlyViewed { id } } profile { counters { name count } } } }"""
TRACK = """mutation($m: String!) { track(events: [{messageId: $m, name: "Product Viewed",
  properties: {product_id: "p-00001"}}]) { accepted rejected } }"""
SLOTS = "{ recommendations(strategy: POPULAR, first: 3) { degraded items { product { id } } } }"


@contextmanager
def frozen(server: ServerHandle) -> Iterator[None]:
    os.killpg(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(server.process.pid, signal.SIGCONT)


async def timed(call: Awaitable[Any]) -> tuple[float, Any]:
    started = time.monotonic()
    try:
        result: Any = await call
    except StoreUnavailable as exc:
        result = exc
    return time.monotonic() - started, result


def requests(gw: Gateway, token: str, n: int) -> list[Callable[[], Awaitable[httpx.Response | Any]]]:
    visitor = {"x-vitrine-visitor": token}
    return [
        lambda: gw.client.post("/graphql", json={"query": PAGE}, headers=visitor),
        lambda: gw.client.post("/graphql", json={"query": TRACK, "variables": {"m": f"m-{n}"}}, headers=visitor),
        lambda: gw.client.post("/v1/events", json=[{"messageId": f"e-{n}", "name": "Cart Viewed"}], headers=visitor),
        lambda: gw.client.post("/graphql", json={"query": "{ myData }"}, headers=visitor),
        lambda: gw.client.post("/graphql", json={"query": SLOTS}, headers=visitor),
        lambda: gw.client.get("/readyz"),
    ]


@pytest.fixture
def servers() -> Iterator[dict[str, ServerHandle]]:
    redis, mongo = start_redis(), start_mongo()
    try:
        yield {"redis": redis, "mongodb": mongo}
    finally:
        redis.stop()
        mongo.stop()


@pytest.mark.parametrize("which", ["mongodb", "redis"])
async def test_no_request_waits_longer_than_the_store_timeout_on_a_frozen_server(
    which: str, servers: dict[str, ServerHandle]
) -> None:
    settings = make_settings(
        servers["mongodb"].url, servers["redis"].url, store_timeout_ms=TIMEOUT_MS, store_breaker_seconds=BREAKER_S
    )
    async with running_gateway(settings) as gw:
        warm = await gw.client.post("/graphql", json={"query": TRACK, "variables": {"m": "warm"}})
        assert warm.json()["data"]["track"]["accepted"] == 1
        token = warm.headers["x-vitrine-visitor"]
        bound = TIMEOUT_MS / 1000 + MARGIN_S
        with frozen(servers[which]):
            durations: list[tuple[str, float]] = []
            for n in range(3):  # one by one: the first pays the timeout, the breaker spares the rest
                for i, make in enumerate(requests(gw, token, n)):
                    elapsed, response = await timed(make())
                    assert response.status_code < 500 or response.status_code == 503, response.text
                    durations.append((f"request {i} round {n}", elapsed))
            # A hung server costs one timeout, not one per request: once a call timed out, the
            # breaker fails the next ones at once (BREAKER_S is longer than these rounds).
            later = [(name, d) for name, d in durations if not name.endswith("round 0")]
            assert max(d for _, d in later) < TIMEOUT_MS / 1000 / 2, later
            await asyncio.sleep(BREAKER_S)  # the half-open trial: one call waits, the rest fail at once
            many = await asyncio.gather(*(timed(make()) for n in range(3) for make in requests(gw, token, 10 + n)))
            durations += [(f"concurrent {i}", elapsed) for i, (elapsed, _) in enumerate(many)]
            runtime = gw.runtime.services
            for name, job in (
                ("event replay", lambda: runtime.events.replay_unapplied(older_than_seconds=0)),
                ("segment re-evaluation", runtime.segments.reevaluate_all),
            ):
                elapsed, _ = await timed(job())
                durations.append((name, elapsed))
            slowest = max(durations, key=lambda d: d[1])
            assert slowest[1] < bound, f"{slowest[0]} took {slowest[1]:.2f} s with {which} frozen"
        await asyncio.sleep(BREAKER_S)
        after = await gw.client.post("/graphql", json={"query": PAGE}, headers={"x-vitrine-visitor": token})
        assert after.json()["data"]["viewer"]["personalized"] is True  # back once the server answers
