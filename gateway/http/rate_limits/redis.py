"""Fixed-window rate-limit counters in Redis, shared by every worker and instance.

One pipelined round trip per hit: create the window key with its expiry if absent (SET NX EX,
which works on Redis 6), count (INCR), and read the time left (PTTL) for Retry-After.
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from gateway.http.rate_limits.protocol import RateDecision
from gateway.platform.redis import translated

STORE = "Redis rate limits"


class RedisRateLimitStore:
    def __init__(self, client: Redis, prefix: str = "vt:") -> None:
        self._redis = client
        self._prefix = prefix

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        name = f"{self._prefix}rl:{key}"
        async with translated(STORE, "hit"), self._redis.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=window_seconds, nx=True)
            pipe.incr(name)
            pipe.pttl(name)
            _, count, pttl = await pipe.execute()
        count = int(count)
        if count <= limit:
            return RateDecision(True, limit - count, 0)
        left_ms = int(pttl) if int(pttl) > 0 else window_seconds * 1000
        return RateDecision(False, 0, max(1, math.ceil(left_ms / 1000)))
