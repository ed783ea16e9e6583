"""The storage contract of persisted GraphQL documents (automatic persisted queries and trusted documents).

It has a memory implementation (embedded mode, tests) and a Redis one (production), and a contract test
suite run against both. Implementations raise `StoreUnavailable`, never a driver exception.
"""

from __future__ import annotations

from collections.abc import Mapping
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
