"""In-process identifier -> profile links and merge history."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.identity.values import MergeRecord
from gateway.kernel import VisitorId


class MemoryIdentityStore:
    def __init__(self) -> None:
        self._owners: dict[str, VisitorId] = {}
        self._merges: list[tuple[VisitorId, MergeRecord]] = []  # (current owner, record)

    async def owners(self, identifiers: Sequence[str]) -> list[VisitorId | None]:
        return [self._owners.get(i) for i in identifiers]

    async def claim(self, identifiers: Sequence[str], profile_id: VisitorId) -> list[VisitorId]:
        return [self._owners.setdefault(i, profile_id) for i in identifiers]

    async def repoint(self, source: VisitorId, target: VisitorId) -> None:
        for ident, owner in list(self._owners.items()):
            if owner == source:
                self._owners[ident] = target
        self._merges = [(target if owner == source else owner, m) for owner, m in self._merges]

    async def identifiers_of(self, profile_id: VisitorId) -> list[str]:
        return sorted(i for i, owner in self._owners.items() if owner == profile_id)

    async def record_merge(self, record: MergeRecord) -> None:
        self._merges.append((record.target, record))

    async def merges_of(self, profile_id: VisitorId) -> list[MergeRecord]:
        return [m for owner, m in self._merges if owner == profile_id]

    async def erase(self, profile_id: VisitorId) -> None:
        self._owners = {i: o for i, o in self._owners.items() if o != profile_id}
        self._merges = [(owner, m) for owner, m in self._merges if owner != profile_id]
