"""The catalogue's storage contract: products, brands and the category tree.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gateway.catalogue.values import Brand, BrandId, Category, Product, ProductFilter, ProductId, ProductSort


class CatalogStore(Protocol):
    """Products, brands and the category tree."""

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]: ...

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]: ...

    async def all_categories(self) -> list[Category]:
        """The whole tree (small: thousands of nodes at most)."""
        ...

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        """Ids of one page of matching products, and the total number of matches."""
        ...

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        """Insert or replace all of them atomically: after a failure none is applied."""
        ...

    async def revision(self) -> tuple[int, int]:
        """(number of products, revision); the revision grows with every upsert."""
        ...
