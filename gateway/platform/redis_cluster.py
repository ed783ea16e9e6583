"""Redis Cluster and Redis Sentinel clients, chosen by URL scheme, and what stores need on a cluster.

    redis+cluster://host:port[,host:port...][?options]      any seed nodes; the rest are discovered
    redis+sentinel://host:port[,host:port...]/service[/db]   Sentinels that name the master `service`

`gateway.platform.backends` parses the URL and calls these; both connect lazily, like
`gateway.platform.redis.open_client`, and take the same timeouts.

On a cluster every script, transaction and multi-key command must keep its keys in one hash
slot (`gateway.platform.redis_keys`). Pipelines are fine across slots: redis-py's cluster
pipeline sends each node its share. A script queued in a cluster pipeline is sent as `EVAL`
with its text (`queue_script`): redis-py leaves NOSCRIPT recovery inside a cluster pipeline to
the caller, and a master that restarted, or a replica promoted in a failover, starts with an
empty script cache. Outside pipelines `Script` objects load themselves on NOSCRIPT.

Classic pub/sub (`PUBLISH`) reaches subscribers on every node over the cluster bus, so release
broadcasts work unchanged: the subscriber connects to the node that serves the channel's slot
and resubscribes through a fresh one when that node fails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, ClusterPipeline, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript


def open_cluster(nodes: Sequence[tuple[str, int]], options: Mapping[str, str], timeout_ms: int) -> RedisCluster:
    """A cluster client on the seed nodes; it discovers the others and follows MOVED/ASK."""
    timeout = timeout_ms / 1000
    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in nodes],
        password=options.get("password"),
        username=options.get("username"),
        ssl=options.get("ssl", "").lower() in {"1", "true", "yes"},
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        decode_responses=False,
        # A master that just failed: retry briefly (the client refreshes the slot map between
        # tries), then fail: the store translates it and personalization fails open.
        retry=Retry(ExponentialBackoff(cap=0.1, base=0.01), retries=2),
    )


def open_sentinel(
    sentinels: Sequence[tuple[str, int]],
    service: str,
    db: int,
    options: Mapping[str, str],
    timeout_ms: int,
    breaker_seconds: float | None = None,
) -> Redis:
    """A client of the master the Sentinels name; it asks them again after a failover. Like a
    single server's client, it does not retry a timed-out command and has a circuit breaker."""
    from redis.asyncio.retry import Retry as AsyncRetry
    from redis.asyncio.sentinel import Sentinel
    from redis.backoff import NoBackoff

    from gateway.platform.breaker import DEFAULT_COOLDOWN_SECONDS
    from gateway.platform.redis import GuardedRedis, guard

    timeout = timeout_ms / 1000
    sentinel = Sentinel(list(sentinels), socket_timeout=timeout, socket_connect_timeout=timeout)
    client = sentinel.master_for(
        service,
        redis_class=GuardedRedis,
        db=db,
        password=options.get("password"),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=AsyncRetry(NoBackoff(), 0),
        health_check_interval=30,
        decode_responses=False,
    )
    assert isinstance(client, GuardedRedis)
    return guard(client, DEFAULT_COOLDOWN_SECONDS if breaker_seconds is None else breaker_seconds)


def is_cluster(client: Any) -> bool:
    return isinstance(client, RedisCluster)


async def queue_script(pipe: Any, script: AsyncScript, keys: Sequence[Any], args: Sequence[Any]) -> None:
    """Queue `script` in `pipe`: EVALSHA (loaded first) on one server, EVAL with the text on a cluster."""
    if isinstance(pipe, ClusterPipeline):
        text = script.script.decode() if isinstance(script.script, bytes) else str(script.script)
        pipe.eval(text, len(keys), *keys, *args)
    else:
        await script(keys=list(keys), args=list(args), client=pipe)


async def ping_any(client: RedisCluster) -> None:
    """Readiness on a cluster: some primary answers. One failed master is a partial outage that
    the stores absorb (they fail open for its slots only); pulling every instance out of the
    load balancer for it would turn it into a total one."""
    from gateway.kernel import StoreUnavailable
    from gateway.platform.redis import translated

    last: StoreUnavailable | None = None
    if not client.get_primaries():  # nothing sent yet: learn the cluster's nodes first
        async with translated("Redis", "ping"):
            await client.initialize()
    for node in client.get_primaries():
        try:
            async with translated("Redis", "ping"):
                await client.ping(target_nodes=node)
            return
        except StoreUnavailable as exc:
            last = exc
    raise last or StoreUnavailable("Redis", "ping")
