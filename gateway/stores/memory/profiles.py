"""In-process profiles."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.profile import Profile, ProfileChange, apply_change, empty_profile
from gateway.domain.visitor import VisitorId


class MemoryProfileStore:
    def __init__(self) -> None:
        self._profiles: dict[VisitorId, Profile] = {}

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Profile | None]:
        return [self._profiles.get(i) for i in ids]

    async def apply(self, visitor_id: VisitorId, changes: Sequence[ProfileChange]) -> Profile:
        profile = self._profiles.get(visitor_id) or empty_profile(visitor_id)
        for change in changes:
            profile = apply_change(profile, change)
        self._profiles[visitor_id] = profile
        return profile

    async def delete(self, visitor_id: VisitorId) -> None:
        self._profiles.pop(visitor_id, None)
