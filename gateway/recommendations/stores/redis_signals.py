"""Collaborative signals in Redis, shared by every gateway instance.

Keys (all under the configured prefix):
- `g:<signal key>`   a sorted set per list (`view:<p>`, `buy:<p>`, `popular:<scope>`, ...),
                      trimmed to its cap once it passes 125% of it;
- `gh:<visitor>`      the visitor's history, a list of "product\\tunix\\tkind", newest first,
                      capped, expiring 90 days after the last event;
- `gk:<event key>`    marks an applied update for 35 days (events older than 30 days are
                      rejected at intake, so a replay always finds its mark);
- `gc`                a hash of clicks per strategy.
An update is one Lua script: check-and-set the mark, then every increment, trim, history
push and click, so it is atomic and applied at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from gateway.catalogue import ProductId
from gateway.kernel import VisitorId
from gateway.platform.redis import translated
from gateway.recommendations.values.signals import HistoryEntry, SignalConfig, SignalUpdate, cap_of, per_key

STORE = "Redis signals"
APPLIED_TTL_SECONDS = 35 * 86400
HISTORY_TTL_SECONDS = 90 * 86400

# KEYS: mark, history, clicks, list keys...
# ARGV: mark ttl, history cap, history ttl, n history entries, entries...,
#       n clicks, strategies..., then per list key: n members, cap, (member, amount)...
_RECORD = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then return 0 end
local i = 4
local nh = tonumber(ARGV[i]); i = i + 1
for _ = 1, nh do redis.call('LPUSH', KEYS[2], ARGV[i]); i = i + 1 end
if nh > 0 then
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
end
local nc = tonumber(ARGV[i]); i = i + 1
for _ = 1, nc do redis.call('HINCRBY', KEYS[3], ARGV[i], 1); i = i + 1 end
for k = 4, #KEYS do
  local n = tonumber(ARGV[i]); local cap = tonumber(ARGV[i + 1]); i = i + 2
  for _ = 1, n do redis.call('ZINCRBY', KEYS[k], ARGV[i + 1], ARGV[i]); i = i + 2 end
  local card = redis.call('ZCARD', KEYS[k])
  if card > cap + math.floor(cap / 4) then redis.call('ZREMRANGEBYRANK', KEYS[k], 0, card - cap - 1) end
end
return 1
"""


def _entry_out(h: HistoryEntry) -> str:
    return f"{h.product_id}\t{h.at!r}\t{h.kind}"


def _entry_in(raw: bytes) -> HistoryEntry:
    pid, at, kind = raw.decode().split("\t")
    return HistoryEntry(ProductId(pid), float(at), kind)


def _pairs(rows: list[Any]) -> list[tuple[ProductId, float]]:
    """ZREVRANGE WITHSCORES as (member, score): RESP3 nests pairs, RESP2 is flat."""
    if rows and isinstance(rows[0], list):
        return [(ProductId(m.decode()), float(s)) for m, s in rows]
    return [(ProductId(rows[i].decode()), float(rows[i + 1])) for i in range(0, len(rows), 2)]


class RedisSignalStore:
    def __init__(self, client: Redis, prefix: str = "vt:", config: SignalConfig | None = None) -> None:
        self._redis = client
        self._prefix = prefix
        self._config = config or SignalConfig()
        self._script = client.register_script(_RECORD)

    def _args(self, u: SignalUpdate) -> tuple[list[str], list[str | int]]:
        by_key: dict[str, dict[str, float]] = {}
        for key, member, amount in u.increments:
            members = by_key.setdefault(key, {})
            members[member] = members.get(member, 0.0) + amount
        keys = [f"{self._prefix}gk:{u.event_key}", f"{self._prefix}gh:{u.visitor_id}", f"{self._prefix}gc"]
        args: list[str | int] = [APPLIED_TTL_SECONDS, self._config.history_cap, HISTORY_TTL_SECONDS, len(u.history)]
        args.extend(_entry_out(h) for h in u.history)
        args.append(len(u.clicks))
        args.extend(u.clicks)
        for key, members in by_key.items():
            keys.append(f"{self._prefix}g:{key}")
            args.extend((len(members), cap_of(key, self._config)))
            for name, amount in members.items():
                args.extend((name, repr(amount)))
        return keys, args

    async def record(self, updates: Sequence[SignalUpdate]) -> list[bool]:
        if not updates:
            return []
        async with translated(STORE, "record"), self._redis.pipeline(transaction=False) as pipe:
            for u in updates:
                keys, args = self._args(u)
                await self._script(keys=keys, args=args, client=pipe)
            results = await pipe.execute()
        return [bool(r) for r in results]

    async def histories(self, visitor_ids: Sequence[VisitorId]) -> list[tuple[HistoryEntry, ...]]:
        if not visitor_ids:
            return []
        async with translated(STORE, "histories"), self._redis.pipeline(transaction=False) as pipe:
            for vid in visitor_ids:
                pipe.lrange(f"{self._prefix}gh:{vid}", 0, -1)
            raw = await pipe.execute()
        return [tuple(_entry_in(r) for r in rows) for rows in raw]

    async def lookup(self, keys: Sequence[str], k: int | Sequence[int]) -> list[list[tuple[ProductId, float]]]:
        wanted = [(key, limit) for key, limit in zip(keys, per_key(keys, k), strict=True) if limit > 0]
        if not wanted:
            return [[] for _ in keys]
        async with translated(STORE, "lookup"), self._redis.pipeline(transaction=False) as pipe:
            for key, limit in wanted:
                # Raw command, no `withscores=True`: redis-py's score callback re-encodes every score
                # (measured ~1.5 ms per FOR_YOU); `_pairs` reads both protocol shapes directly.
                pipe.execute_command("ZREVRANGE", f"{self._prefix}g:{key}", 0, limit - 1, "WITHSCORES")
            raw = iter(await pipe.execute())
        return [_pairs(next(raw)) if limit > 0 else [] for limit in per_key(keys, k)]

    async def clicks(self) -> dict[str, int]:
        async with translated(STORE, "clicks"):
            raw = await self._redis.hgetall(f"{self._prefix}gc")
        return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        async with translated(STORE, "erase_visitor"):
            marks = [k async for k in self._redis.scan_iter(match=f"{self._prefix}gk:{visitor_id}:*", count=500)]
            await self._redis.delete(f"{self._prefix}gh:{visitor_id}", *marks)
