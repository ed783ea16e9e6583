"""A `CatalogStore` over a commerce connector: how standalone mode plugs into CatalogService.

Reads go to the connector (batched, cached, protected; see `gateway.catalogue.connectors.http`); the
backend owns the data, so `upsert` is refused. Filters are passed to the backend's listing
endpoint as query parameters (category ids, brand ids, search words, in_stock, price range,
sort). `revision` reports the backend's product count and a 5-minute tick, so the service
reloads the category tree periodically.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from gateway.catalogue.connectors.protocol import CommerceConnector
from gateway.catalogue.values import Brand, BrandId, Category, Product, ProductFilter, ProductId, ProductSort
from gateway.kernel import InputError

TREE_REFRESH_SECONDS = 300


class ConnectorCatalogStore:
    def __init__(self, connector: CommerceConnector) -> None:
        self.connector = connector

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]:
        return await self.connector.get_products(ids)

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        return await self.connector.get_brands(ids)

    async def all_categories(self) -> list[Category]:
        return await self.connector.categories()

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        params: dict[str, str] = {"sort": sort.value, "locale": locale}
        if flt.category_ids is not None:
            params["category"] = ",".join(sorted(flt.category_ids))
        if flt.brand_ids is not None:
            params["brand"] = ",".join(sorted(flt.brand_ids))
        if flt.search_tokens:
            params["q"] = " ".join(flt.search_tokens)
        if flt.in_stock is not None:
            params["in_stock"] = "true" if flt.in_stock else "false"
        if flt.price.min is not None:
            params["min_price"] = str(flt.price.min)
        if flt.price.max is not None:
            params["max_price"] = str(flt.price.max)
        listing = await self.connector.list_products(params, offset, limit)
        return listing.ids, listing.total

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        raise InputError("the catalogue is read from VITRINE_CATALOG_URL: change products in the commerce backend")

    async def revision(self) -> tuple[int, int]:
        listing = await self.connector.list_products({}, 0, 1)
        # Never 0: CatalogService mirrors catalogues up to its preload size, and the
        # connector catalogue must not be mirrored (the backend is the source of truth).
        return max(listing.total, 1), int(time.time() // TREE_REFRESH_SECONDS)
