"""Sessions in Redis.

Per visitor two keys with the same sliding TTL: `<prefix>s:{<id>}` (the session as JSON) and
`<prefix>sp:{<id>}` (a copy of the profile, so a warm request needs no MongoDB round trip). The
braces are a Redis Cluster hash tag: both keys live in the visitor's slot, so the read script
and the write transaction work on a cluster (`gateway.platform.redis_keys`).
Reading any number of sessions is one round trip of GETEX commands, which also slides the
expiry: one small script for a single visitor (the common case: the request's own visitor,
one command instead of a pipeline), a pipeline for several. Writes use WATCH/MULTI with the
same pure `apply_change` the memory store uses, so both backends follow one rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from redis.asyncio import Redis
from redis.exceptions import WatchError

import gateway.visitors.stores.codec as codec
from gateway.kernel import VisitorId
from gateway.platform.redis import translated
from gateway.platform.redis_keys import owned
from gateway.visitors.values.profile import Profile
from gateway.visitors.values.session import SESSION_TTL_SECONDS, Session, SessionChange, apply_change

STORE = "Redis sessions"
MAX_WATCH_RETRIES = 20

# KEYS: session, profile copy; ARGV: TTL seconds. Both values (nil when absent), both expiries slid.
_GET_ONE = """
return {redis.call('GETEX', KEYS[1], 'EX', ARGV[1]), redis.call('GETEX', KEYS[2], 'EX', ARGV[1])}
"""


class RedisSessionStore:
    def __init__(self, client: Redis, prefix: str = "vt:", ttl_seconds: int = SESSION_TTL_SECONDS) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._get_one = client.register_script(_GET_ONE)

    def _key(self, visitor_id: str) -> str:
        return owned(self._prefix, "s", visitor_id)

    def _profile_key(self, visitor_id: str) -> str:
        return owned(self._prefix, "sp", visitor_id)

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Session | None]:
        if not ids:
            return []
        if len(ids) == 1:
            async with translated(STORE, "get_many"):
                raw = await self._get_one(keys=[self._key(ids[0]), self._profile_key(ids[0])], args=[self._ttl])
        else:
            async with translated(STORE, "get_many"), self._redis.pipeline(transaction=False) as pipe:
                for vid in ids:
                    pipe.getex(self._key(vid), ex=self._ttl)
                    pipe.getex(self._profile_key(vid), ex=self._ttl)
                raw = await pipe.execute()
        result: list[Session | None] = []
        for i, vid in enumerate(ids):
            session_raw, profile_raw = raw[2 * i], raw[2 * i + 1]
            if session_raw is None and profile_raw is None:
                result.append(None)
                continue
            profile = codec.profile_in(orjson.loads(profile_raw)) if profile_raw else None
            data = orjson.loads(session_raw) if session_raw else {}
            result.append(codec.session_in(vid, data, profile))
        return result

    async def apply(self, visitor_id: VisitorId, changes: Sequence[SessionChange]) -> Session:
        key = self._key(visitor_id)
        async with translated(STORE, "apply"), self._redis.pipeline(transaction=True) as pipe:
            for _ in range(MAX_WATCH_RETRIES):
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    session = codec.session_in(visitor_id, orjson.loads(raw) if raw else {}, None)
                    for change in changes:
                        session = apply_change(session, change)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, orjson.dumps(codec.session_out(session)), ex=self._ttl)
                    pipe.expire(self._profile_key(visitor_id), self._ttl)
                    await pipe.execute()
                    return session
                except WatchError:
                    continue  # another writer changed this session: re-read and re-apply
        raise RuntimeError(f"session {visitor_id} kept changing during {MAX_WATCH_RETRIES} attempts")

    async def cache_profile(self, visitor_id: VisitorId, profile: Profile) -> None:
        async with translated(STORE, "cache_profile"):
            payload = orjson.dumps(codec.profile_out(profile, as_text=True))
            await self._redis.set(self._profile_key(visitor_id), payload, ex=self._ttl)

    async def delete(self, visitor_id: VisitorId) -> None:
        async with translated(STORE, "delete"):
            await self._redis.delete(self._key(visitor_id), self._profile_key(visitor_id))
