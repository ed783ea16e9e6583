"""The access area's storage contract: admin API keys, stored by digest.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from typing import Protocol

from gateway.access.values import ApiKey


class ApiKeyStore(Protocol):
    """Admin API keys, stored by digest (never the key itself)."""

    async def create(self, key: ApiKey) -> None: ...

    async def by_digest(self, digest: str) -> ApiKey | None:
        """The key with this digest, revoked or not; None if there is none."""
        ...

    async def list(self) -> list[ApiKey]:
        """Every key, oldest first."""
        ...

    async def revoke(self, key_id: str) -> bool:
        """Mark a key revoked; False if there is no such key."""
        ...
