"""The catalogue's stores: `CatalogStore` in memory or MongoDB, or read through a commerce connector."""

from __future__ import annotations

from typing import Any

from gateway.catalogue.stores.protocol import CatalogFeed, CatalogStore, FollowedCatalogStore
from gateway.platform.backends import Backends


def open_store(backends: Backends) -> FollowedCatalogStore:
    if backends.mongo_db is None or backends.mongo_client is None:
        from gateway.catalogue.stores.memory import MemoryCatalogStore

        return MemoryCatalogStore()
    from gateway.catalogue.stores.mongo import MongoCatalogStore

    return MongoCatalogStore(backends.mongo_client, backends.mongo_db)


async def create_indexes(db: Any) -> None:
    await db.products.create_index([("category_ids", 1), ("_id", 1)])
    await db.products.create_index([("brand_id", 1)])
    await db.products.create_index([("tokens", 1)])
    await db.products.create_index([("price_value", 1), ("_id", 1)])
    await db.products.create_index([("rev", 1), ("_id", 1)])  # the mirror's change feed


__all__ = ["CatalogFeed", "CatalogStore", "FollowedCatalogStore", "create_indexes", "open_store"]
