"""Opening the Redis client and translating its errors.

Every wait is bounded by VITRINE_STORE_TIMEOUT_MS: connecting and each read (socket timeouts),
and no retry (redis-py 6+ retries a timed-out command up to 10 times by default, so one hung
Redis made a command wait many timeouts). A circuit breaker (gateway.platform.breaker) makes the
calls after a timeout fail at once: a hung Redis costs one timeout, not one per request.

The breaker guards one server and a Sentinel-managed master (`guard`). A Redis Cluster client
(gateway.platform.redis_cluster) has none: one breaker for the whole cluster would turn one hung
master into an outage of every slot, while the stores already fail open for that master's slots.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.kernel import StoreUnavailable
from gateway.platform.breaker import DEFAULT_COOLDOWN_SECONDS, Breaker


def is_unavailable(exc: BaseException) -> bool:
    """A wait that ran out. A refused connection fails at once by itself: no need to open the
    circuit, and none to wait for the cooldown once Redis is back."""
    return isinstance(exc, RedisTimeoutError | TimeoutError)


class GuardedPipeline(Pipeline):
    """Both ways a pipeline reaches the server: `execute`, and the commands it runs at once while
    it WATCHes keys (optimistic transactions)."""

    breaker: Breaker

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        async with self.breaker.call():
            return await super().execute(raise_on_error)

    async def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        async with self.breaker.call():
            return await super().immediate_execute_command(*args, **options)  # type: ignore[no-untyped-call]


class GuardedRedis(Redis):
    """redis.asyncio.Redis whose commands and pipelines go through a circuit breaker (scripts run
    as commands). Pub/sub connections are not guarded: they wait for messages by design."""

    breaker: Breaker

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        async with self.breaker.call():
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        pipe = GuardedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipe.breaker = self.breaker
        return pipe


def open_client(url: str, timeout_ms: int, breaker_seconds: float = DEFAULT_COOLDOWN_SECONDS) -> Redis:
    """Connects lazily: creating the client never blocks or fails."""
    timeout = timeout_ms / 1000
    client = GuardedRedis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=30,
        decode_responses=False,
    )
    assert isinstance(client, GuardedRedis)
    return guard(client, breaker_seconds)


def guard(client: GuardedRedis, breaker_seconds: float = DEFAULT_COOLDOWN_SECONDS) -> GuardedRedis:
    """Give a GuardedRedis (from `open_client`, or a Sentinel's `master_for`) its circuit breaker."""
    client.breaker = Breaker("Redis", is_unavailable, RedisConnectionError, cooldown=breaker_seconds)
    return client


@asynccontextmanager
async def translated(store: str, operation: str) -> AsyncIterator[None]:
    try:
        yield
    except (RedisError, RedisClusterException, OSError) as exc:  # cluster errors are not RedisError
        raise StoreUnavailable(store, operation, exc) from exc


async def ping(client: Redis) -> None:
    async with translated("Redis", "ping"):
        await client.ping()
