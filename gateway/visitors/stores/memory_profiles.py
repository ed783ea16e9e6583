"""In-process profiles, with the same redirect-on-merge rule as MongoDB."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gateway.kernel import InputError, VisitorId
from gateway.visitors.values.profile import (
    ConsentRecord,
    Profile,
    ProfileChange,
    absorb,
    apply_change,
    empty_profile,
    tombstone,
)

MAX_REDIRECTS = 16


class MemoryProfileStore:
    def __init__(self) -> None:
        self._profiles: dict[VisitorId, Profile] = {}

    def _root(self, visitor_id: VisitorId) -> VisitorId:
        for _ in range(MAX_REDIRECTS):
            found = self._profiles.get(visitor_id)
            if found is None or found.merged_into is None:
                return visitor_id
            visitor_id = found.merged_into
        raise RuntimeError(f"profile redirect chain longer than {MAX_REDIRECTS}")

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Profile | None]:
        return [self._profiles.get(self._root(i)) for i in ids]

    async def apply(self, visitor_id: VisitorId, changes: Sequence[ProfileChange]) -> Profile:
        root = self._root(visitor_id)
        profile = self._profiles.get(root) or empty_profile(root)
        for change in changes:
            profile = apply_change(profile, change)
        self._profiles[root] = profile
        return profile

    async def delete(self, visitor_id: VisitorId) -> None:
        self._profiles.pop(visitor_id, None)

    async def absorb(self, target: VisitorId, source: VisitorId) -> Profile:
        current = self._profiles.get(target) or empty_profile(target)
        if current.merged_into is not None:
            raise InputError("the target profile was itself merged meanwhile; retry")
        src = self._profiles.get(source) or empty_profile(source)
        if src.merged_into not in (None, target):
            raise InputError("the source profile was already merged into another profile")
        merged = absorb(current, src) if src.merged_into is None else current
        self._profiles[target] = merged
        self._profiles[source] = tombstone(src, target)
        return merged

    async def set_consent(self, visitor_id: VisitorId, purpose: str, record: ConsentRecord) -> Profile:
        root = self._root(visitor_id)
        profile = self._profiles.get(root) or empty_profile(root)
        previous = profile.consent.get(purpose)
        if previous is None or previous.at <= record.at:
            profile = replace(profile, consent={**profile.consent, purpose: record})
        self._profiles[root] = profile
        return profile

    async def scan(self, after: VisitorId | None, limit: int) -> list[Profile]:
        live = sorted(k for k, p in self._profiles.items() if p.merged_into is None and (after is None or k > after))
        return [self._profiles[k] for k in live[:limit]]

    async def with_interest(self, key: str, min_mass: float, limit: int) -> list[Profile]:
        live = (p for p in self._profiles.values() if p.merged_into is None)
        found = [p for p in live if p.interest_mass.get(key, 0) >= min_mass]
        return sorted(found, key=lambda p: p.visitor_id)[:limit]

    async def with_counter(self, key: str, min_count: int, limit: int) -> list[Profile]:
        live = (p for p in self._profiles.values() if p.merged_into is None)
        found = [p for p in live if p.counters.get(key, 0) >= min_count]
        return sorted(found, key=lambda p: p.visitor_id)[:limit]
