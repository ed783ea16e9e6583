"""The audiences area's storage contracts: segment definitions and memberships.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from gateway.audiences.values.segments import Segment
from gateway.kernel import VisitorId


class SegmentStore(Protocol):
    """Segment definitions (edited through the admin API)."""

    async def all(self) -> list[Segment]: ...

    async def save(self, segment: Segment) -> None: ...

    async def delete(self, key: str) -> bool: ...


class MembershipStore(Protocol):
    """Which profiles are in which segment."""

    async def memberships(self, profile_ids: Sequence[VisitorId]) -> list[frozenset[str]]: ...

    async def update(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> tuple[list[str], list[str]]:
        """Apply entries and exits; answer those that really changed something (exactly once each)."""
        ...

    async def sizes(self) -> dict[str, int]: ...

    async def erase(self, profile_id: VisitorId, segment: str | None = None) -> None:
        """Forget this profile's memberships (all, or one segment's) without Exited events."""
        ...

    async def drop_segment(self, segment: str) -> None: ...
