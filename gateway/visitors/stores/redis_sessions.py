"""Sessions in Redis.

Per visitor up to three keys with the same sliding TTL: `<prefix>s:{<id>}` (the session as JSON),
`<prefix>sp:{<id>}` (a copy of the profile, so a warm request needs no MongoDB round trip) and
`<prefix>so:{<id>}` (a list of staged changes of accepted events not applied yet,
values/staged.py). The braces are a Redis Cluster hash tag: the keys live in the visitor's
slot, so the read script and the write transaction work on a cluster
(`gateway.platform.redis_keys`).
Reading any number of sessions is one round trip of GETEX commands, which also slides the
expiry: one small script for a single visitor (the common case: the request's own visitor,
one command instead of a pipeline), a pipeline for several. Writes use WATCH/MULTI with the
same pure `apply_change` the memory store uses, so both backends follow one rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import orjson
from redis.asyncio import Redis
from redis.exceptions import WatchError

import gateway.visitors.stores.codec as codec
from gateway.kernel import VisitorId
from gateway.platform.redis import translated
from gateway.platform.redis_cluster import queue_script
from gateway.platform.redis_keys import owned
from gateway.visitors.values.profile import Profile
from gateway.visitors.values.session import SESSION_TTL_SECONDS, Session, SessionChange, apply_change
from gateway.visitors.values.staged import STAGED_CAP, StagedChange, with_staged

STORE = "Redis sessions"
MAX_WATCH_RETRIES = 20

# KEYS: session, profile copy, staged changes; ARGV: TTL seconds. The values (nil when absent),
# the staged list (empty when none), every expiry slid.
_GET_ONE = """
local staged = redis.call('LRANGE', KEYS[3], 0, -1)
if #staged > 0 then redis.call('EXPIRE', KEYS[3], ARGV[1]) end
return {redis.call('GETEX', KEYS[1], 'EX', ARGV[1]), redis.call('GETEX', KEYS[2], 'EX', ARGV[1]), staged}
"""

# KEYS: staged changes; ARGV: event keys. Keeps the entries ("<key>\\n<json>") of other keys.
_UNSTAGE = """
local gone = {}
for i = 1, #ARGV do gone[ARGV[i]] = true end
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
if #entries == 0 then return 0 end
local keep = {}
for _, entry in ipairs(entries) do
  local key = string.match(entry, '^([^\\n]*)')
  if not gone[key] then keep[#keep + 1] = entry end
end
if #keep == #entries then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
if #keep > 0 then
  redis.call('RPUSH', KEYS[1], unpack(keep))
  if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return #entries - #keep
"""


class RedisSessionStore:
    def __init__(self, client: Redis, prefix: str = "vt:", ttl_seconds: int = SESSION_TTL_SECONDS) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._get_one = client.register_script(_GET_ONE)
        self._unstage = client.register_script(_UNSTAGE)

    def _key(self, visitor_id: str) -> str:
        return owned(self._prefix, "s", visitor_id)

    def _profile_key(self, visitor_id: str) -> str:
        return owned(self._prefix, "sp", visitor_id)

    def _staged_key(self, visitor_id: str) -> str:
        return owned(self._prefix, "so", visitor_id)

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Session | None]:
        if not ids:
            return []
        if len(ids) == 1:
            vid = ids[0]
            keys = [self._key(vid), self._profile_key(vid), self._staged_key(vid)]
            async with translated(STORE, "get_many"):
                raw = await self._get_one(keys=keys, args=[self._ttl])
        else:
            async with translated(STORE, "get_many"), self._redis.pipeline(transaction=False) as pipe:
                for vid in ids:
                    pipe.getex(self._key(vid), ex=self._ttl)
                    pipe.getex(self._profile_key(vid), ex=self._ttl)
                    pipe.lrange(self._staged_key(vid), 0, -1)
                raw = await pipe.execute()
        result: list[Session | None] = []
        for i, vid in enumerate(ids):
            session_raw, profile_raw, staged_raw = raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]
            session: Session | None = None
            if session_raw is not None or profile_raw is not None:
                profile = codec.profile_in(orjson.loads(profile_raw)) if profile_raw else None
                data = orjson.loads(session_raw) if session_raw else {}
                session = codec.session_in(vid, data, profile)
                # The stored bytes themselves: any write to any of the keys changes the fingerprint.
                fingerprint = hash((session_raw, profile_raw, tuple(staged_raw or ())))
                session = replace(session, fingerprint=fingerprint)
            result.append(with_staged(vid, session, [codec.staged_in(r) for r in staged_raw or ()]))
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
        keys = (self._key(visitor_id), self._profile_key(visitor_id), self._staged_key(visitor_id))
        async with translated(STORE, "delete"):
            await self._redis.delete(*keys)

    async def stage(self, visitor_id: VisitorId, changes: Sequence[StagedChange]) -> None:
        if not changes:
            return
        key = self._staged_key(visitor_id)
        async with translated(STORE, "stage"), self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, *(codec.staged_out(c) for c in changes))
            pipe.ltrim(key, -STAGED_CAP, -1)
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def unstage(self, applied: Mapping[VisitorId, Sequence[str]]) -> None:
        if not applied:
            return
        async with translated(STORE, "unstage"), self._redis.pipeline(transaction=False) as pipe:
            for visitor_id, keys in applied.items():
                if keys:
                    await queue_script(pipe, self._unstage, [self._staged_key(visitor_id)], list(keys))
            await pipe.execute()
