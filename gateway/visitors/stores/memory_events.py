"""In-process event log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from gateway.kernel import VisitorId
from gateway.visitors.values.events import Event, StoredEvent


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

    async def pending(self, events: Sequence[Event]) -> list[Event]:
        return [e for e in events if (s := self._events.get(e.key)) is not None and not s.applied]

    def _mine(self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str]) -> list[str]:
        ids, cards = set(visitor_ids), set(loyalty_cards)
        return [
            k
            for k, s in self._events.items()
            if s.event.visitor_id in ids or s.event.properties.get("loyalty_card_id") in cards
        ]

    async def history(
        self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str], since: datetime | None, limit: int
    ) -> list[StoredEvent]:
        found = [self._events[k] for k in self._mine(visitor_ids, loyalty_cards)]
        found = [s for s in found if since is None or s.event.timestamp >= since]
        return sorted(found, key=lambda s: s.event.timestamp, reverse=True)[:limit]

    async def erase(self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str]) -> int:
        keys = self._mine(visitor_ids, loyalty_cards)
        for key in keys:
            del self._events[key]
        return len(keys)
