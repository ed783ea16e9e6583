"""The identity area's store: identifier -> profile links and merge history (MongoDB)."""

from __future__ import annotations

from typing import Any

from gateway.identity.stores.protocol import IdentityStore
from gateway.platform.backends import Backends


def open_store(backends: Backends) -> IdentityStore:
    if backends.mongo_db is None:
        from gateway.identity.stores.memory import MemoryIdentityStore

        return MemoryIdentityStore()
    from gateway.identity.stores.mongo import MongoIdentityStore

    return MongoIdentityStore(backends.mongo_db)


async def create_indexes(db: Any) -> None:
    await db.identities.create_index([("profile_id", 1)])
    await db.merges.create_index([("owner", 1), ("at", 1)])


__all__ = ["IdentityStore", "create_indexes", "open_store"]
