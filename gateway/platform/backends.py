"""The store clients a process opens, chosen by URL scheme: `memory://`, `mongodb://`, `redis://`.

`open_backends` opens at most one MongoDB client and one Redis client (both connect lazily, so
opening never blocks or fails) and closes them when the exit stack unwinds. Each area then builds
its own stores from these handles (`gateway.<area>.stores.open_stores`): a memory implementation
where the URL said `memory://`, the real one otherwise.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gateway.platform.tracing import Tracing

MEMORY_SCHEME = "memory"


@dataclass(frozen=True, slots=True)
class Backends:
    """Open store clients; None where the URL chose the embedded memory implementation."""

    mongo_client: Any | None = None  # AsyncMongoClient
    mongo_db: Any | None = None  # AsyncDatabase of VITRINE_MONGODB_DATABASE
    redis: Any | None = None  # redis.asyncio.Redis
    redis_prefix: str = "vt:"

    @property
    def embedded(self) -> bool:
        return self.mongo_client is None and self.redis is None


def is_memory(url: str) -> bool:
    return url.startswith(MEMORY_SCHEME)


async def open_backends(
    mongodb_url: str,
    mongodb_database: str,
    redis_url: str,
    redis_prefix: str,
    timeout_ms: int,
    stack: AsyncExitStack,
    breaker_seconds: float = 5.0,
    *,
    tracing: Tracing | None = None,
) -> Backends:
    """Open the clients the URLs ask for; they are closed when `stack` unwinds. Every wait on them
    is bounded by `timeout_ms`, and after a timeout their calls fail at once for `breaker_seconds`
    (gateway.platform.breaker). With `tracing`, every MongoDB command and Redis command or
    pipeline is a span."""
    mongo_client: Any | None = None
    mongo_db: Any | None = None
    redis: Any | None = None
    if not is_memory(mongodb_url):
        from gateway.platform.mongo import open_client

        listeners = [tracing.mongo_listener()] if tracing is not None else []
        mongo_client = open_client(mongodb_url, timeout_ms, breaker_seconds, event_listeners=listeners)
        stack.push_async_callback(mongo_client.close)
        mongo_db = mongo_client[mongodb_database]
    if not is_memory(redis_url):
        from gateway.platform.redis import open_client as open_redis

        redis = open_redis(redis_url, timeout_ms, breaker_seconds)
        stack.push_async_callback(redis.aclose)
        if tracing is not None:
            tracing.instrument_redis(redis)
    return Backends(mongo_client, mongo_db, redis, redis_prefix)
