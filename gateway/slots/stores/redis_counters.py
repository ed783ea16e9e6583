"""Behaviour counts, impressions and experiment tallies in Redis: small, bounded, one round trip.

Keys (all under the configured prefix; the braces are Redis Cluster hash tags, so the keys one
script touches share a slot: `gateway.platform.redis_keys`):
    bc:{<visitor>}:<yyyymmdd>    hash field "<event>|<scope>" -> count; expires after 367 days
    bcs:{<visitor>}              zset of recently counted event keys (dedupe for replays), last 500
    imp:{<visitor>}:<variant>    zset of serve times (ms); trimmed to 90 days and 1,000 entries
    xe:{<experiment>}            hash visitor -> "<arm>|<iso time>" (first exposure)
    xm:{<experiment>}:<metric>   set of visitors who clicked / converted
    xc:{<experiment>}            hash "<arm>|<metric>" -> unique visitors
Each write is one Lua script, so a check-and-count is atomic under concurrency.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from redis.asyncio import Redis

from gateway.kernel import VisitorId
from gateway.platform.redis import translated
from gateway.platform.redis_cluster import queue_script
from gateway.platform.redis_keys import owned, owner_of
from gateway.slots.values.exposures import Exposure

BEHAVIOUR_TTL = 367 * 86400
IMPRESSION_TTL = 90 * 86400
SEEN_CAP = 500
IMPRESSIONS_CAP = 1000

_RECORD_BEHAVIOUR = f"""
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -{SEEN_CAP + 1})
redis.call('EXPIRE', KEYS[1], {BEHAVIOUR_TTL})
for i = 3, #ARGV do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
redis.call('EXPIRE', KEYS[2], {BEHAVIOUR_TTL})
return 1
"""

_RECORD_IMPRESSION = f"""
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - {IMPRESSION_TTL * 1000})
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -{IMPRESSIONS_CAP + 1})
redis.call('EXPIRE', KEYS[1], {IMPRESSION_TTL})
return 1
"""

_ONCE_THEN_COUNT = """
local added
if ARGV[3] == 'hash' then added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[4])
else added = redis.call('SADD', KEYS[1], ARGV[1]) end
if added == 1 then redis.call('HINCRBY', KEYS[2], ARGV[2], 1) end
return added
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class RedisBehaviourStore:
    STORE = "Redis behaviour counts"

    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._script = client.register_script(_RECORD_BEHAVIOUR)

    async def record(self, visitor_id: VisitorId, event_key: str, day: str, fields: Sequence[str]) -> bool:
        keys = [owned(self._prefix, "bcs", visitor_id), owned(self._prefix, "bc", visitor_id, day)]
        async with translated(self.STORE, "record"):
            done = await self._script(keys=keys, args=[event_key, _ms(datetime.now(UTC)), *fields])
        return bool(done)

    async def counts(self, visitor_ids: Sequence[VisitorId], wanted: Sequence[tuple[str, str]]) -> list[int]:
        if not wanted or not visitor_ids:
            return [0] * len(wanted)
        async with translated(self.STORE, "counts"), self._redis.pipeline(transaction=False) as pipe:
            for visitor_id in visitor_ids:
                for day, field in wanted:
                    pipe.hget(owned(self._prefix, "bc", visitor_id, day), field)
            raw = await pipe.execute()
        n = len(wanted)
        return [sum(int(r) for r in raw[i::n] if r is not None) for i in range(n)]

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, dict[str, int]]:
        head = owned(self._prefix, "bc", visitor_id) + ":"
        async with translated(self.STORE, "export_visitor"):
            keys = sorted([_text(k) async for k in self._redis.scan_iter(match=f"{head}*", count=500)])
            found: dict[str, dict[str, int]] = {}
            for key in keys:
                raw = await self._redis.hgetall(key)
                found[key[len(head) :]] = {_text(field): int(n) for field, n in sorted(raw.items())}
        return found

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        pattern = owned(self._prefix, "bc", visitor_id) + ":*"
        async with translated(self.STORE, "erase_visitor"):
            days = [k async for k in self._redis.scan_iter(match=pattern, count=500)]
            await self._redis.delete(owned(self._prefix, "bcs", visitor_id), *days)


class RedisImpressionStore:
    STORE = "Redis impressions"

    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._script = client.register_script(_RECORD_IMPRESSION)

    async def record(self, visitor_id: VisitorId, variant_ids: Sequence[str], at: datetime) -> None:
        if not variant_ids:
            return
        async with translated(self.STORE, "record"), self._redis.pipeline(transaction=False) as pipe:
            for vid in variant_ids:
                member = f"{_ms(at)}:{uuid.uuid4().hex[:8]}"  # two serves in one millisecond both count
                await queue_script(pipe, self._script, [owned(self._prefix, "imp", visitor_id, vid)], [_ms(at), member])
            await pipe.execute()

    async def counts(self, visitor_id: VisitorId, windows: Sequence[tuple[str, datetime]]) -> list[int]:
        if not windows:
            return []
        async with translated(self.STORE, "counts"), self._redis.pipeline(transaction=False) as pipe:
            for vid, since in windows:
                pipe.zcount(owned(self._prefix, "imp", visitor_id, vid), _ms(since), "+inf")
            return [int(n) for n in await pipe.execute()]

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, list[datetime]]:
        head = owned(self._prefix, "imp", visitor_id) + ":"
        async with translated(self.STORE, "export_visitor"):
            keys = sorted([_text(k) async for k in self._redis.scan_iter(match=f"{head}*", count=500)])
            found: dict[str, list[datetime]] = {}
            for key in keys:
                served = await self._redis.zrange(key, 0, -1, withscores=True)
                if served:
                    times = [datetime.fromtimestamp(float(entry[1]) / 1000, UTC) for entry in served]
                    found[key[len(head) :]] = times
        return found

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        pattern = owned(self._prefix, "imp", visitor_id) + ":*"
        async with translated(self.STORE, "erase_visitor"):
            keys = [k async for k in self._redis.scan_iter(match=pattern, count=500)]
            if keys:
                await self._redis.delete(*keys)


class RedisExperimentStore:
    STORE = "Redis experiments"

    def __init__(self, client: Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix
        self._script = client.register_script(_ONCE_THEN_COUNT)

    async def expose(self, experiment: str, arm: str, visitor_id: VisitorId, at: datetime) -> bool:
        keys = [owned(self._prefix, "xe", experiment), owned(self._prefix, "xc", experiment)]
        async with translated(self.STORE, "expose"):
            added = await self._script(
                keys=keys, args=[visitor_id, f"{arm}|exposures", "hash", f"{arm}|{at.isoformat()}"]
            )
        return bool(added)

    async def exposures_of(self, visitor_id: VisitorId, experiments: Sequence[str]) -> list[Exposure | None]:
        if not experiments:
            return []
        async with translated(self.STORE, "exposures_of"), self._redis.pipeline(transaction=False) as pipe:
            for exp in experiments:
                pipe.hget(owned(self._prefix, "xe", exp), visitor_id)
            raw = await pipe.execute()
        result: list[Exposure | None] = []
        for value in raw:
            if value is None:
                result.append(None)
                continue
            arm, _, at = value.decode().partition("|")
            result.append(Exposure(arm, datetime.fromisoformat(at)))
        return result

    async def mark(self, experiment: str, metric: str, arm: str, visitor_id: VisitorId) -> bool:
        keys = [owned(self._prefix, "xm", experiment, metric), owned(self._prefix, "xc", experiment)]
        async with translated(self.STORE, "mark"):
            added = await self._script(keys=keys, args=[visitor_id, f"{arm}|{metric}", "set", ""])
        return bool(added)

    async def counts(self, experiment: str) -> dict[str, dict[str, int]]:
        async with translated(self.STORE, "counts"):
            raw = await self._redis.hgetall(owned(self._prefix, "xc", experiment))
        result: dict[str, dict[str, int]] = {}
        for field, n in raw.items():
            name = field.decode() if isinstance(field, bytes) else str(field)
            arm, _, metric = name.partition("|")
            result.setdefault(arm, {"exposures": 0, "clicks": 0, "conversions": 0})[metric] = int(n)
        return result

    async def reset(self, experiment: str) -> None:
        p = self._prefix
        keys = [owned(p, kind, experiment) for kind in ("xe", "xc")]
        keys += [owned(p, "xm", experiment, metric) for metric in ("clicks", "conversions")]
        async with translated(self.STORE, "reset"):
            await self._redis.delete(*keys)

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, tuple[Exposure | None, list[str]]]:
        p = self._prefix
        found: dict[str, tuple[Exposure | None, list[str]]] = {}
        async with translated(self.STORE, "export_visitor"):
            async for key in self._redis.scan_iter(match=f"{p}xe:*", count=500):
                value = await self._redis.hget(key, visitor_id)
                if value is not None:
                    arm, _, at = _text(value).partition("|")
                    found[owner_of(_text(key))] = (Exposure(arm, datetime.fromisoformat(at)), [])
            async for key in self._redis.scan_iter(match=f"{p}xm:*", count=500):
                if await self._redis.sismember(key, visitor_id):
                    name = _text(key)
                    experiment, metric = owner_of(name), name.rpartition(":")[2]
                    found.setdefault(experiment, (None, []))[1].append(metric)
        return {e: (exposure, sorted(metrics)) for e, (exposure, metrics) in sorted(found.items())}

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        # Per-arm counts (xc:) are aggregates and stay; the visitor's membership goes.
        async with translated(self.STORE, "erase_visitor"):
            async for key in self._redis.scan_iter(match=f"{self._prefix}xe:*", count=500):
                await self._redis.hdel(key, visitor_id)
            async for key in self._redis.scan_iter(match=f"{self._prefix}xm:*", count=500):
                await self._redis.srem(key, visitor_id)
