"""An in-process intake journal: the Redis journal's contract without a server (tests, embedded)."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence

from gateway.kernel import VisitorId
from gateway.visitors.stores.protocol import Appended, Backlog, JournalEntry
from gateway.visitors.values.events import Event

DEFAULT_PARTITIONS = 16
DEFAULT_SEEN_SECONDS = 3600


def partition_of(visitor_id: str, partitions: int) -> int:
    """Stable across processes and releases (not Python's salted `hash`)."""
    return zlib.crc32(visitor_id.encode()) % partitions


class MemoryIntakeJournal:
    def __init__(
        self,
        partitions: int = DEFAULT_PARTITIONS,
        seen_seconds: float = DEFAULT_SEEN_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.partitions = partitions
        self._seen_seconds = seen_seconds
        self._clock = clock
        self._entries: list[dict[str, tuple[float, Event]]] = [{} for _ in range(partitions)]
        self._seen: dict[str, float] = {}  # event key -> expiry
        self._waiting: dict[str, int] = {}  # visitor -> entries in the journal
        self._counter = 0

    def partition_of(self, visitor_id: VisitorId) -> int:
        return partition_of(visitor_id, self.partitions)

    async def append(self, visitor_id: VisitorId, events: Sequence[Event]) -> Appended:
        now = self._clock()
        entries = self._entries[self.partition_of(visitor_id)]
        waiting = self._waiting.get(visitor_id, 0)
        out: list[str | None] = []
        for event in events:
            if self._seen.get(event.key, 0.0) > now:
                out.append(None)
                continue
            self._seen[event.key] = now + self._seen_seconds
            self._counter += 1
            entry_id = f"{int(now * 1000)}-{self._counter}"
            entries[entry_id] = (now, event)
            self._waiting[visitor_id] = self._waiting.get(visitor_id, 0) + 1
            out.append(entry_id)
        return Appended(out, waiting)

    async def read(self, partition: int, limit: int, older_than_seconds: float = 0.0) -> list[JournalEntry]:
        cutoff = self._clock() - older_than_seconds
        found: list[JournalEntry] = []
        for entry_id, (at, event) in self._entries[partition].items():
            if at > cutoff or len(found) >= limit:
                break
            found.append(JournalEntry(entry_id, event))
        return found

    async def remove(self, partition: int, entries: Sequence[JournalEntry]) -> None:
        for entry in entries:
            if self._entries[partition].pop(entry.entry_id, None) is not None:
                self._uncount(entry.event.visitor_id)

    def _uncount(self, visitor_id: str) -> None:
        left = self._waiting.get(visitor_id, 0) - 1
        if left > 0:
            self._waiting[visitor_id] = left
        else:
            self._waiting.pop(visitor_id, None)

    async def backlog(self) -> Backlog:
        now = self._clock()
        stamps = [at for entries in self._entries for at, _ in entries.values()]
        return Backlog(len(stamps), max(0.0, now - min(stamps)) if stamps else 0.0)

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        entries = self._entries[self.partition_of(visitor_id)]
        for entry_id in [i for i, (_, e) in entries.items() if e.visitor_id == visitor_id]:
            del entries[entry_id]
        self._waiting.pop(visitor_id, None)
        head = f"{visitor_id}:"
        for key in [k for k in self._seen if k.startswith(head)]:
            del self._seen[key]
