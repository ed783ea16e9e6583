"""Journey positions in process (single process only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from gateway.kernel import VisitorId
from gateway.triggers.values.journeys import END, Position, PositionStatus


class MemoryPositionStore:
    def __init__(self) -> None:
        self._items: dict[str, tuple[Position, datetime | None]] = {}  # position, claimed until

    async def get_many(self, keys: Sequence[str]) -> list[Position | None]:
        return [self._items[k][0] if k in self._items else None for k in keys]

    async def enter(self, position: Position) -> bool:
        held = self._items.get(position.key)
        if held is not None and (held[0].status is PositionStatus.ACTIVE or held[0].run == position.run):
            return False
        seq = held[0].seq + 1 if held is not None else 0
        self._items[position.key] = (replace(position, seq=seq), None)
        return True

    async def claim_due(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Position]:
        claimed: list[Position] = []
        for key, (p, until) in sorted(self._items.items(), key=lambda kv: kv[1][0].due_at):
            if len(claimed) >= limit:
                break
            if p.status is PositionStatus.ACTIVE and p.due_at <= now and (until is None or until <= now):
                self._items[key] = (p, now + timedelta(seconds=lease_seconds))
                claimed.append(p)
        return claimed

    async def move(self, position: Position, *, release: bool) -> bool:
        held = self._items.get(position.key)
        if held is None or held[0].seq != position.seq:
            return False
        moved = replace(position, seq=position.seq + 1, entries=held[0].entries)
        self._items[position.key] = (moved, None if release else held[1])
        return True

    async def exit(self, profile_id: VisitorId, journeys: Sequence[str], at: datetime) -> int:
        ended = 0
        for key, (p, _) in list(self._items.items()):
            if p.profile_id == profile_id and p.journey in journeys and p.status is PositionStatus.ACTIVE:
                self._items[key] = (replace(p, status=PositionStatus.EXITED, step=END, due_at=at, seq=p.seq + 1), None)
                ended += 1
        return ended

    async def find(
        self, journey: str | None, status: PositionStatus | None, profile_id: VisitorId | None, limit: int
    ) -> list[Position]:
        found = [
            p
            for p, _ in self._items.values()
            if (journey is None or p.journey == journey)
            and (status is None or p.status is status)
            and (profile_id is None or p.profile_id == profile_id)
        ]
        return sorted(found, key=lambda p: p.entered_at, reverse=True)[:limit]

    async def erase(self, profile_id: VisitorId) -> int:
        keys = [k for k, (p, _) in self._items.items() if p.profile_id == profile_id]
        for key in keys:
            del self._items[key]
        return len(keys)
