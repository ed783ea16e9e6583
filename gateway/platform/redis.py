"""Opening the Redis client and translating its errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisClusterException, RedisError

from gateway.kernel import StoreUnavailable


def open_client(url: str, timeout_ms: int) -> Redis:
    """Connects lazily: creating the client never blocks or fails."""
    timeout = timeout_ms / 1000
    return Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        decode_responses=False,
    )


@asynccontextmanager
async def translated(store: str, operation: str) -> AsyncIterator[None]:
    try:
        yield
    except (RedisError, RedisClusterException, OSError) as exc:  # cluster errors are not RedisError
        raise StoreUnavailable(store, operation, exc) from exc


async def ping(client: Redis) -> None:
    async with translated("Redis", "ping"):
        await client.ping()
