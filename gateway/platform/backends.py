"""The store clients a process opens, chosen by URL scheme: `memory://`, `mongodb://`, `redis://`.

Redis may also be a cluster (`redis+cluster://host:port,host:port`) or a master found through
Sentinels (`redis+sentinel://host:port/service`): `gateway.platform.redis_cluster`.

`open_backends` opens at most one MongoDB client and one Redis client (both connect lazily, so
opening never blocks or fails) and closes them when the exit stack unwinds. Each area then builds
its own stores from these handles (`gateway.<area>.stores.open_stores`): a memory implementation
where the URL said `memory://`, the real one otherwise.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from gateway.platform.tracing import Tracing

MEMORY_SCHEME = "memory"
CLUSTER_SCHEME = "redis+cluster"
SENTINEL_SCHEME = "redis+sentinel"
DEFAULT_REDIS_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379


def _hosts(netloc: str, default_port: int) -> list[tuple[str, int]]:
    """`a:1,b:2` (userinfo dropped: the password goes in `?password=`) as (host, port) pairs."""
    hosts = []
    for part in netloc.rsplit("@", 1)[-1].split(","):
        part = part.strip()
        if not part:
            continue
        host, sep, port = part.rpartition(":")
        if not sep:
            host, port = part, str(default_port)
        try:
            hosts.append((host.strip("[]"), int(port)))
        except ValueError:
            raise ValueError(f"bad port in {part!r}") from None
    if not hosts:
        raise ValueError("name at least one host:port")
    return hosts


def cluster_nodes(url: str) -> list[tuple[str, int]]:
    """The seed nodes of a `redis+cluster://` URL."""
    return _hosts(urlsplit(url).netloc, DEFAULT_REDIS_PORT)


def sentinel_address(url: str) -> tuple[list[tuple[str, int]], str, int]:
    """(Sentinels, service name, database) of a `redis+sentinel://` URL."""
    parts = urlsplit(url)
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise ValueError("name the master after the hosts: redis+sentinel://host:26379/<service>[/<db>]")
    db = int(path[1]) if len(path) > 1 else 0
    return _hosts(parts.netloc, DEFAULT_SENTINEL_PORT), path[0], db


def check_url(url: str) -> str:
    """The URL if it parses (ValueError naming the problem otherwise): settings call this."""
    scheme = urlsplit(url).scheme
    if scheme == CLUSTER_SCHEME:
        cluster_nodes(url)
    elif scheme == SENTINEL_SCHEME:
        sentinel_address(url)
    return url


@dataclass(frozen=True, slots=True)
class Backends:
    """Open store clients; None where the URL chose the embedded memory implementation."""

    mongo_client: Any | None = None  # AsyncMongoClient
    mongo_db: Any | None = None  # AsyncDatabase of VITRINE_MONGODB_DATABASE
    redis: Any | None = None  # redis.asyncio.Redis, or RedisCluster for redis+cluster://
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
    (gateway.platform.breaker; a Redis Cluster client has none: gateway.platform.redis). With
    `tracing`, every MongoDB command and Redis command or pipeline is a span."""
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
        redis = _open_redis(redis_url, timeout_ms, breaker_seconds)
        stack.push_async_callback(redis.aclose)
        if tracing is not None:
            tracing.instrument_redis(redis)
    return Backends(mongo_client, mongo_db, redis, redis_prefix)


def _open_redis(url: str, timeout_ms: int, breaker_seconds: float) -> Any:
    from gateway.platform.redis_cluster import open_cluster, open_sentinel

    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.password:  # redis+cluster://:secret@host:port,... like redis://
        options.setdefault("password", parts.password)
    if parts.username:
        options.setdefault("username", parts.username)
    if parts.scheme == CLUSTER_SCHEME:
        return open_cluster(cluster_nodes(url), options, timeout_ms)
    if parts.scheme == SENTINEL_SCHEME:
        sentinels, service, db = sentinel_address(url)
        return open_sentinel(sentinels, service, db, options, timeout_ms, breaker_seconds)
    from gateway.platform.redis import open_client

    return open_client(url, timeout_ms, breaker_seconds)
