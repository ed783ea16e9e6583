"""Admin API keys in MongoDB (`api_keys`, unique index on the digest)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from gateway.access.values import ApiKey, Role
from gateway.platform.mongo import Document, translated

STORE = "MongoDB api_keys"


def _out(key: ApiKey) -> Document:
    return {
        "_id": key.id,
        "name": key.name,
        "role": key.role.value,
        "digest": key.digest,
        "created_at": key.created_at,
        "created_by": key.created_by,
        "revoked": key.revoked,
    }


def _in(doc: dict[str, Any]) -> ApiKey:
    return ApiKey(
        id=doc["_id"],
        name=doc["name"],
        role=Role(doc["role"]),
        digest=doc["digest"],
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        revoked=bool(doc.get("revoked")),
    )


class MongoApiKeyStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._keys = db.api_keys

    async def create(self, key: ApiKey) -> None:
        async with translated(STORE, "create"):
            await self._keys.insert_one(_out(key))

    async def by_digest(self, digest: str) -> ApiKey | None:
        async with translated(STORE, "by_digest"):
            doc = await self._keys.find_one({"digest": digest})
        return _in(doc) if doc else None

    async def list(self) -> list[ApiKey]:
        async with translated(STORE, "list"):
            return [_in(d) async for d in self._keys.find({}).sort([("created_at", 1), ("_id", 1)])]

    async def revoke(self, key_id: str) -> bool:
        async with translated(STORE, "revoke"):
            result = await self._keys.update_one({"_id": key_id}, {"$set": {"revoked": True}})
        return result.matched_count == 1
