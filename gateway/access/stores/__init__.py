"""The access area's store: admin API keys by SHA-256 digest, with roles (MongoDB)."""

from __future__ import annotations

from typing import Any

from gateway.access.stores.protocol import ApiKeyStore
from gateway.platform.backends import Backends


def open_store(backends: Backends) -> ApiKeyStore:
    if backends.mongo_db is None:
        from gateway.access.stores.memory import MemoryApiKeyStore

        return MemoryApiKeyStore()
    from gateway.access.stores.mongo import MongoApiKeyStore

    return MongoApiKeyStore(backends.mongo_db)


async def create_indexes(db: Any) -> None:
    await db.api_keys.create_index([("digest", 1)], unique=True)


__all__ = ["ApiKeyStore", "create_indexes", "open_store"]
