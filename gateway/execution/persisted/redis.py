"""Persisted documents in Redis.

APQ documents are keys `<prefix>apq:{registry}:<sha256>` with a TTL (refreshed on use, so hot
documents stay); trusted documents live in one hash `<prefix>trusted` without expiry.

The APQ keys are counted: a sorted set `<prefix>apq:{registry}` holds each registered hash
scored by its registration time, and a registration past `max_entries` drops the oldest
registrations (a client re-sends a dropped document's text, as the protocol expects). One script
does it, so instances registering at once cannot overshoot. The braces are a Redis Cluster hash
tag (gateway.platform.redis_keys): the script touches the index and documents together, so they
share one slot (at most `max_entries` documents, VITRINE_APQ_MAX_DOCUMENTS).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from redis.asyncio import Redis

from gateway.platform.redis import translated
from gateway.platform.redis_keys import owned

STORE = "Redis persisted queries"
REGISTRY = "registry"  # the hash tag of every APQ key: the registration script touches them together
DEFAULT_MAX_ENTRIES = 2000

# KEYS: the index, the document's key; ARGV: documents' key prefix, sha256, document, ttl seconds,
# now (seconds), max entries. Every key it touches is in the index's slot.
_PUT_AUTOMATIC = """
local index, prefix, sha, ttl, now, cap = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ttl)
redis.call('ZADD', index, now, sha)
redis.call('ZREMRANGEBYSCORE', index, '-inf', now - ttl)
local over = redis.call('ZCARD', index) - cap
if over > 0 then
  local oldest = redis.call('ZPOPMIN', index, over)
  for i = 1, #oldest, 2 do redis.call('DEL', prefix .. oldest[i]) end
end
return 1
"""


class RedisPersistedQueryStore:
    def __init__(
        self, client: Redis, prefix: str = "vt:", ttl_seconds: int = 86_400, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._max = max_entries
        self._put = client.register_script(_PUT_AUTOMATIC)
        self._index = owned(prefix, "apq", REGISTRY)

    def _document_key(self, sha256: str) -> str:
        return owned(self._prefix, "apq", REGISTRY, sha256)

    async def get_automatic(self, sha256: str) -> str | None:
        async with translated(STORE, "get_automatic"):
            raw = await self._redis.getex(self._document_key(sha256), ex=self._ttl)
        return _text(raw)

    async def put_automatic(self, sha256: str, document: str) -> None:
        async with translated(STORE, "put_automatic"):
            await self._put(
                keys=[self._index, self._document_key(sha256)],
                args=[f"{self._index}:", sha256, document.encode(), self._ttl, int(time.time()), self._max],
            )

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
