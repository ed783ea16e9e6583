"""The connector contract: where product data comes from when Vitrine is the only endpoint.

Batch-first like the stores: `get_products(ids)` answers in key order with None for an id the
backend does not know, which is exactly what a per-request DataLoader needs. Connectors raise
`ConnectorUnavailable` (a `StoreUnavailable`: GraphQL shows code STORE_UNAVAILABLE, never a
500) and nothing else: no httpx exception escapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from gateway.catalogue.values import Brand, BrandId, Category, Product, ProductId
from gateway.kernel import StoreUnavailable


class ConnectorUnavailable(StoreUnavailable):
    """The backend did not give a usable answer. `reason` is one of REASONS."""

    REASONS = ("timeout", "connect", "http_status", "malformed", "circuit_open")

    def __init__(self, operation: str, reason: str, detail: str = "", cause: BaseException | None = None) -> None:
        super().__init__("commerce backend", operation, cause)
        self.reason = reason
        self.message = f"commerce backend unavailable during {operation}: {reason}" + (f" ({detail})" if detail else "")
        self.args = (self.message,)


@dataclass(frozen=True, slots=True)
class ProductListing:
    """One page of product ids matching a backend-side filter, and the total."""

    ids: list[ProductId]
    total: int


class CommerceConnector(Protocol):
    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]: ...

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]: ...

    async def categories(self) -> list[Category]: ...

    async def list_products(self, params: dict[str, str], offset: int, limit: int) -> ProductListing:
        """Ids of one page of products; `params` are backend filter parameters (may be empty)."""
        ...
