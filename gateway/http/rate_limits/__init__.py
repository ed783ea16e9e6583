"""Rate-limit counters: memory (one process) or Redis (shared by every instance)."""

from __future__ import annotations

from gateway.http.rate_limits.protocol import RateDecision, RateLimitStore
from gateway.platform.backends import Backends


def open_store(backends: Backends) -> RateLimitStore:
    if backends.redis is None:
        from gateway.http.rate_limits.memory import MemoryRateLimitStore

        return MemoryRateLimitStore()
    from gateway.http.rate_limits.redis import RedisRateLimitStore

    return RedisRateLimitStore(backends.redis, backends.redis_prefix)


__all__ = ["RateDecision", "RateLimitStore", "open_store"]
