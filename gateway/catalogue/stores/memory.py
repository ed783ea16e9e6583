"""The in-process catalogue: dictionaries, each product's search tokens, and a log of upserts.

`query` scans (this store serves embedded mode and tests; the served path is the mirror's
index, `gateway.catalogue.mirror`). The log of which products each upsert wrote is what
`changes` reads; it keeps one id per product written, so it grows with the writes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from gateway.catalogue.stores.protocol import ChangeCursor, ProductChange
from gateway.catalogue.values import (
    Brand,
    BrandId,
    Category,
    CategoryId,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    matches,
    order,
    search_tokens,
)


class MemoryCatalogStore:
    def __init__(self) -> None:
        self._products: dict[ProductId, Product] = {}
        self._tokens: dict[ProductId, tuple[str, ...]] = {}
        self._brands: dict[BrandId, Brand] = {}
        self._categories: dict[CategoryId, Category] = {}
        self._revision = 0
        self._written: dict[ProductId, int] = {}  # the revision that last wrote each product
        self._log: list[list[ProductId]] = []  # ids written by revision n + 1, sorted
        self._position: dict[ProductId, int] = {}  # insertion order, for `scan`
        self._order: list[ProductId] = []

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]:
        return [self._products.get(i) for i in ids]

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        return [self._brands.get(i) for i in ids]

    def all_brands(self) -> list[Brand]:
        """Every brand (the mirror lists them for editors' pickers; not part of the protocol)."""
        return list(self._brands.values())

    async def all_categories(self) -> list[Category]:
        return list(self._categories.values())

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        found = [p for p in self._products.values() if matches(p, flt, self._tokens[p.id])]
        ordered = order(found, sort, locale)
        return [p.id for p in ordered[offset : offset + limit]], len(ordered)

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        # Compute everything before mutating, so a failure leaves nothing half-applied.
        new_brands = {b.id: b for b in brands}
        names = {**{b.id: b.name for b in self._brands.values()}, **{b.id: b.name for b in brands}}
        tokens = {p.id: search_tokens(p, names.get(p.brand_id, "")) for p in products}
        written = sorted({p.id for p in products})
        self._categories.update({c.id: c for c in categories})
        self._brands.update(new_brands)
        for p in products:
            if p.id not in self._position:
                self._position[p.id] = len(self._order)
                self._order.append(p.id)
        self._products.update({p.id: p for p in products})
        self._tokens.update(tokens)
        self._revision += 1
        self._log.append(written)
        self._written.update((i, self._revision) for i in written)

    async def revision(self) -> tuple[int, int]:
        return len(self._products), self._revision

    # --- CatalogFeed --------------------------------------------------------------------------

    async def scan(self, after: ProductId | None, limit: int) -> list[Product]:
        start = 0 if after is None else self._position[after] + 1
        return [self._products[i] for i in self._order[start : start + limit]]

    async def changes(self, since: int, after: ChangeCursor | None, limit: int) -> list[ProductChange]:
        first = since + 1 if after is None else after[0]
        found: list[ProductChange] = []
        for revision in range(max(first, 1), self._revision + 1):
            ids = self._log[revision - 1]
            start = bisect_right(ids, after[1]) if after is not None and revision == after[0] else 0
            for product_id in ids[start:]:
                if self._written[product_id] == revision:  # else a later upsert wrote it again
                    found.append((revision, self._products[product_id]))
                    if len(found) == limit:
                        return found
        return found
