"""In-process segment definitions and memberships."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gateway.audiences.values.segments import Segment
from gateway.kernel import VisitorId


class MemorySegmentStore:
    def __init__(self) -> None:
        self._defs: dict[str, Segment] = {}

    async def all(self) -> list[Segment]:
        return [self._defs[k] for k in sorted(self._defs)]

    async def save(self, segment: Segment) -> None:
        self._defs[segment.key] = segment

    async def delete(self, key: str) -> bool:
        return self._defs.pop(key, None) is not None


class MemoryMembershipStore:
    def __init__(self) -> None:
        self._members: dict[VisitorId, dict[str, datetime]] = {}

    async def memberships(self, profile_ids: Sequence[VisitorId]) -> list[frozenset[str]]:
        return [frozenset(self._members.get(p, {})) for p in profile_ids]

    async def update(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> tuple[list[str], list[str]]:
        mine = self._members.setdefault(profile_id, {})
        really_entered = [k for k in entered if k not in mine]
        really_exited = [k for k in exited if k in mine]
        for key in really_entered:
            mine[key] = at
        for key in really_exited:
            del mine[key]
        return really_entered, really_exited

    async def sizes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for mine in self._members.values():
            for key in mine:
                counts[key] = counts.get(key, 0) + 1
        return counts

    async def erase(self, profile_id: VisitorId, segment: str | None = None) -> None:
        if segment is None:
            self._members.pop(profile_id, None)
        else:
            self._members.get(profile_id, {}).pop(segment, None)

    async def drop_segment(self, segment: str) -> None:
        for mine in self._members.values():
            mine.pop(segment, None)
