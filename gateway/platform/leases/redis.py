"""Leases in Redis: `SET key owner NX PX ttl`; release and renewal only by the owner (Lua)."""

from __future__ import annotations

from redis.asyncio import Redis

from gateway.platform.redis import translated

STORE = "Redis leases"

# Take the lease if free, or extend it if this owner already holds it.
_ACQUIRE = """
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1
elseif cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLeaseStore:
    def __init__(self, client: Redis, prefix: str = "vt:") -> None:
        self._redis = client
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}lease:{key}"

    async def acquire(self, key: str, owner: str, ttl_seconds: float) -> bool:
        async with translated(STORE, "acquire"):
            ok = await self._redis.eval(_ACQUIRE, 1, self._key(key), owner, str(max(1, int(ttl_seconds * 1000))))
        return bool(ok)

    async def release(self, key: str, owner: str) -> None:
        async with translated(STORE, "release"):
            await self._redis.eval(_RELEASE, 1, self._key(key), owner)
