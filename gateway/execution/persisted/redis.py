"""Persisted documents in Redis.

APQ documents are plain keys `<prefix>apq:<sha256>` with a TTL (refreshed on use, so hot
documents stay); trusted documents live in one hash `<prefix>trusted` without expiry.
"""

from __future__ import annotations

from collections.abc import Mapping

from redis.asyncio import Redis

from gateway.platform.redis import translated

STORE = "Redis persisted queries"


class RedisPersistedQueryStore:
    def __init__(self, client: Redis, prefix: str = "vt:", ttl_seconds: int = 86_400) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    async def get_automatic(self, sha256: str) -> str | None:
        async with translated(STORE, "get_automatic"):
            raw = await self._redis.getex(f"{self._prefix}apq:{sha256}", ex=self._ttl)
        return _text(raw)

    async def put_automatic(self, sha256: str, document: str) -> None:
        async with translated(STORE, "put_automatic"):
            await self._redis.set(f"{self._prefix}apq:{sha256}", document.encode(), ex=self._ttl)

    async def get_trusted(self, sha256: str) -> str | None:
        async with translated(STORE, "get_trusted"):
            raw = await self._redis.hget(f"{self._prefix}trusted", sha256)
        return _text(raw)

    async def register_trusted(self, documents: Mapping[str, str]) -> int:
        if not documents:
            return 0
        async with translated(STORE, "register_trusted"):
            added = await self._redis.hset(
                f"{self._prefix}trusted", mapping={h: d.encode() for h, d in documents.items()}
            )
        return int(added)

    async def count_trusted(self) -> int:
        async with translated(STORE, "count_trusted"):
            return int(await self._redis.hlen(f"{self._prefix}trusted"))


def _text(raw: bytes | str | None) -> str | None:
    if raw is None:
        return None
    return raw.decode() if isinstance(raw, bytes) else raw
