"""Short exclusive leases shared by every instance (merges, segment re-evaluation, erasure).

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from typing import Protocol


class LeaseStore(Protocol):
    """Short exclusive leases (locks that expire), shared by every gateway instance."""

    async def acquire(self, key: str, owner: str, ttl_seconds: float) -> bool:
        """True if `owner` now holds `key` (taken, or already held by it and extended)."""
        ...

    async def release(self, key: str, owner: str) -> None:
        """Release if held by `owner`; a lease lost to expiry is left alone."""
        ...
