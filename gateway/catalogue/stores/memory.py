"""The in-process catalogue: dictionaries plus each product's search tokens."""

from __future__ import annotations

from collections.abc import Sequence

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
        self._categories.update({c.id: c for c in categories})
        self._brands.update(new_brands)
        self._products.update({p.id: p for p in products})
        self._tokens.update(tokens)
        self._revision += 1

    async def revision(self) -> tuple[int, int]:
        return len(self._products), self._revision
