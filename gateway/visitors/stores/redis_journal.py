"""The intake journal in Redis: one stream per partition, trimmed once the event log holds the events.

Keys (braces: Redis Cluster hash tags, so a partition's keys share one slot):
    ij:{p<n>}               stream of partition n; each entry's fields: `e` the event as JSON,
                            `v` its visitor
    ij:{p<n>}:d:<visitor>   hash of the visitor's message ids seen in the last `seen_seconds`
    ij:{p<n>}:n             hash visitor -> how many of their entries the stream holds

`append` is one script per call (one visitor, so one partition): per event, HSETNX the message
id and XADD the new ones, atomically, so an event is either journaled and marked seen or
neither; it also answers how many of the visitor's entries were already waiting. `remove`
deletes entries and counts them down, in one script too. Durability is Redis's: run it with
`appendonly yes` (and replicas); docs/operations.md.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import orjson
from redis.asyncio import Redis

import gateway.visitors.stores.codec as codec
from gateway.kernel import VisitorId
from gateway.platform.redis import translated
from gateway.platform.redis_keys import owned
from gateway.visitors.stores.memory_journal import DEFAULT_PARTITIONS, DEFAULT_SEEN_SECONDS, partition_of
from gateway.visitors.stores.protocol import Appended, Backlog, JournalEntry
from gateway.visitors.values.events import Event

STORE = "Redis intake journal"
SEEN_CAP = 10_000  # message ids remembered per visitor; past it the event log alone dedupes
ERASE_SCAN = 1000

# KEYS: stream, seen, waiting; ARGV: seen ttl, seen cap, visitor, then (message id, event JSON)
# pairs. Answers {entries already waiting for the visitor, then per event the new entry id or
# false when the message id was seen}.
_APPEND = """
if redis.call('HLEN', KEYS[2]) > tonumber(ARGV[2]) then redis.call('DEL', KEYS[2]) end
local out = {tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')}
local added = 0
for i = 4, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], '1') == 1 then
    out[#out + 1] = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 1], 'v', ARGV[3])
    added = added + 1
  else
    out[#out + 1] = false
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[3], ARGV[3], added) end
redis.call('EXPIRE', KEYS[2], ARGV[1])
return out
"""

# KEYS: stream, waiting; ARGV: (entry id, visitor) pairs. Deletes them and counts them down.
_REMOVE = """
for i = 1, #ARGV, 2 do
  if redis.call('XDEL', KEYS[1], ARGV[i]) == 1 then
    if redis.call('HINCRBY', KEYS[2], ARGV[i + 1], -1) <= 0 then redis.call('HDEL', KEYS[2], ARGV[i + 1]) end
  end
end
return 1
"""


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class RedisIntakeJournal:
    def __init__(
        self,
        client: Redis,
        prefix: str = "vt:",
        partitions: int = DEFAULT_PARTITIONS,
        seen_seconds: int = DEFAULT_SEEN_SECONDS,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self.partitions = partitions
        self._seen_seconds = seen_seconds
        self._append = client.register_script(_APPEND)
        self._remove = client.register_script(_REMOVE)

    def partition_of(self, visitor_id: VisitorId) -> int:
        return partition_of(visitor_id, self.partitions)

    def _stream(self, partition: int) -> str:
        return owned(self._prefix, "ij", f"p{partition}")

    def _seen(self, partition: int, visitor_id: str) -> str:
        return owned(self._prefix, "ij", f"p{partition}", "d", visitor_id)

    def _waiting(self, partition: int) -> str:
        return owned(self._prefix, "ij", f"p{partition}", "n")

    async def append(self, visitor_id: VisitorId, events: Sequence[Event]) -> Appended:
        if not events:
            return Appended([], 0)
        n = self.partition_of(visitor_id)
        args: list[str | int | bytes] = [self._seen_seconds, SEEN_CAP, visitor_id]
        for event in events:
            args.extend((event.message_id, orjson.dumps(codec.event_out(event, applied=False))))
        keys = [self._stream(n), self._seen(n, visitor_id), self._waiting(n)]
        async with translated(STORE, "append"):
            raw = await self._append(keys=keys, args=args)
        return Appended([_text(r) if r else None for r in raw[1:]], int(raw[0]))

    async def read(self, partition: int, limit: int, older_than_seconds: float = 0.0) -> list[JournalEntry]:
        end = "+" if older_than_seconds <= 0 else str(int((time.time() - older_than_seconds) * 1000))
        async with translated(STORE, "read"):
            rows: list[Any] = await self._redis.xrange(self._stream(partition), "-", end, count=limit) or []
        return [JournalEntry(_text(entry_id), codec.event_in(orjson.loads(fields[b"e"]))) for entry_id, fields in rows]

    async def remove(self, partition: int, entries: Sequence[JournalEntry]) -> None:
        if entries:
            args = [x for e in entries for x in (e.entry_id, e.event.visitor_id)]
            async with translated(STORE, "remove"):
                await self._remove(keys=[self._stream(partition), self._waiting(partition)], args=args)

    async def backlog(self) -> Backlog:
        async with translated(STORE, "backlog"), self._redis.pipeline(transaction=False) as pipe:
            for n in range(self.partitions):
                pipe.xlen(self._stream(n))
                pipe.xrange(self._stream(n), "-", "+", count=1)
            raw = await pipe.execute()
        total = sum(int(x) for x in raw[0::2])
        firsts = [int(_text(rows[0][0]).split("-")[0]) for rows in raw[1::2] if rows]
        oldest = max(0.0, time.time() - min(firsts) / 1000) if firsts else 0.0
        return Backlog(total, oldest)

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        n = self.partition_of(visitor_id)
        stream = self._stream(n)
        async with translated(STORE, "erase_visitor"):
            start = "-"
            while True:
                rows: list[Any] = await self._redis.xrange(stream, start, "+", count=ERASE_SCAN) or []
                mine = [eid for eid, fields in rows if orjson.loads(fields[b"e"]).get("visitor_id") == visitor_id]
                if mine:
                    await self._redis.xdel(stream, *mine)
                    await self._redis.hdel(self._waiting(n), visitor_id)
                if len(rows) < ERASE_SCAN:
                    break
                start = "(" + _text(rows[-1][0])
            await self._redis.delete(self._seen(n, visitor_id))
