"""Per-request DataLoaders over the services' batch reads.

Built inside the running event loop for each request (aiodataloader binds the loop when a
loader is constructed), so batches never leak between requests or visitors.

A product's brand and categories come with it: the products batch function reads the brands
of the whole batch in one more call (see `CatalogService.get_products`), so product cards
cost one batched read each way and need no per-field loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiodataloader import DataLoader

from gateway.domain.catalog import LocalizedProduct, ProductId
from gateway.domain.visitor import VisitorId
from gateway.services.catalog_service import CatalogService
from gateway.services.visitor_service import VisitorService, VisitorState


@dataclass(slots=True)
class Loaders:
    products: DataLoader[ProductId, LocalizedProduct | None]
    visitors: DataLoader[VisitorId, VisitorState]


def build_loaders(catalog: CatalogService, visitors: VisitorService, locale: str) -> Loaders:
    async def load_products(ids: Sequence[ProductId]) -> list[LocalizedProduct | None]:
        return await catalog.get_products(ids, locale)

    async def load_visitors(ids: Sequence[VisitorId]) -> list[VisitorState]:
        return await visitors.load(ids)

    return Loaders(
        products=DataLoader(load_products, max_batch_size=500),
        visitors=DataLoader(load_visitors),
    )
