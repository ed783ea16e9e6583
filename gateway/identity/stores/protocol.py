"""The identity area's storage contract: identifier -> profile links and merge history.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gateway.identity.values import MergeRecord
from gateway.kernel import VisitorId


class IdentityStore(Protocol):
    """Which profile each identifier (`kind:value`) belongs to, and the merge history."""

    async def owners(self, identifiers: Sequence[str]) -> list[VisitorId | None]: ...

    async def claim(self, identifiers: Sequence[str], profile_id: VisitorId) -> list[VisitorId]:
        """Give unowned identifiers to `profile_id`; answer every identifier's owner after that.

        Never steals: of two concurrent claims of one identifier exactly one wins.
        """
        ...

    async def repoint(self, source: VisitorId, target: VisitorId) -> None:
        """Move every identifier of `source` to `target` (after a merge)."""
        ...

    async def identifiers_of(self, profile_id: VisitorId) -> list[str]: ...

    async def record_merge(self, record: MergeRecord) -> None: ...

    async def merges_of(self, profile_id: VisitorId) -> list[MergeRecord]:
        """Merges into this profile and into the profiles it absorbed since, oldest first."""
        ...

    async def erase(self, profile_id: VisitorId) -> None:
        """Forget the profile's identifiers and merge history."""
        ...
