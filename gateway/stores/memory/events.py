"""In-process event log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from gateway.domain.events import Event, StoredEvent
from gateway.domain.visitor import VisitorId


class MemoryEventStore:
    def __init__(self) -> None:
        self._events: dict[str, StoredEvent] = {}

    async def append(self, events: Sequence[Event]) -> list[bool]:
        result = []
        for event in events:
            new = event.key not in self._events
            if new:
                self._events[event.key] = StoredEvent(event, applied=False)
            result.append(new)
        return result

    async def mark_applied(self, keys: Sequence[str]) -> None:
        for key in keys:
            stored = self._events.get(key)
            if stored is not None:
                self._events[key] = StoredEvent(stored.event, applied=True)

    async def unapplied(self, older_than_seconds: float, limit: int) -> list[StoredEvent]:
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
        pending = [s for s in self._events.values() if not s.applied and s.event.received_at <= cutoff]
        return sorted(pending, key=lambda s: s.event.received_at)[:limit]

    async def for_visitor(self, visitor_id: VisitorId, limit: int) -> list[StoredEvent]:
        mine = [s for s in self._events.values() if s.event.visitor_id == visitor_id]
        return sorted(mine, key=lambda s: s.event.timestamp, reverse=True)[:limit]
