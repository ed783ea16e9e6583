"""Storage contracts of the HTTP edge: persisted GraphQL documents and rate-limit counters.

Like every store protocol, each has a memory implementation (embedded mode, tests) and a
Redis one (production), chosen in `gateway.stores.factory`, and a contract test suite run
against both. Implementations raise `StoreUnavailable`, never a driver exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class PersistedQueryStore(Protocol):
    """GraphQL documents by the lowercase hex SHA-256 of their text.

    Two namespaces: automatic persisted queries (APQ), which any client may add and which
    expire, and trusted documents, registered by the team from a manifest and kept until
    replaced. A hash is the identity of a text, so entries never change once written.
    """

    async def get_automatic(self, sha256: str) -> str | None:
        """The APQ document for this hash, or None (unknown or expired)."""
        ...

    async def put_automatic(self, sha256: str, document: str) -> None:
        """Remember an APQ document (the caller has checked that the hash matches)."""
        ...

    async def get_trusted(self, sha256: str) -> str | None: ...

    async def register_trusted(self, documents: Mapping[str, str]) -> int:
        """Add trusted documents (hash -> text); returns how many were new."""
        ...

    async def count_trusted(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after_seconds: int  # 0 when allowed


class RateLimitStore(Protocol):
    """Fixed-window request counters shared by every worker and instance."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one request for `key` in the current window and say whether it is allowed."""
        ...
