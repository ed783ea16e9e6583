"""The catalogue's storage contract: products, brands and the category tree.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gateway.catalogue.values import Brand, BrandId, Category, Product, ProductFilter, ProductId, ProductSort

ProductChange = tuple[int, Product]
"""A product as an upsert wrote it, with that upsert's revision."""

ChangeCursor = tuple[int, ProductId]
"""(revision, id) of the last change read: the next page starts after it."""


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


class CatalogFeed(Protocol):
    """What the in-process mirror loads from: every product once, then only what changed.

    Revisions are those of `CatalogStore.revision`. A store that serves this writes every
    upsert's products with that upsert's revision, and makes revisions visible in order: once
    `revision()` reports r, every upsert up to r is readable. So after reading revision r and
    then every product, a mirror is complete up to r, and `changes(r)` brings it up to date.
    """

    async def scan(self, after: ProductId | None, limit: int) -> list[Product]:
        """Up to `limit` products, in the store's own order, after the product `after` (None: from
        the start). Every product that existed when the scan began is returned once."""
        ...

    async def changes(self, since: int, after: ChangeCursor | None, limit: int) -> list[ProductChange]:
        """Up to `limit` products written by upserts with a revision above `since`, in (revision, id)
        order, after `after`. A product written again later is listed with its latest revision."""
        ...


class FollowedCatalogStore(CatalogStore, CatalogFeed, Protocol):
    """A catalogue store the mirror can follow: the memory and MongoDB stores."""
