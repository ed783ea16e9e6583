"""Drafts and releases in MongoDB, one collection each per area (`slot_drafts`, `slot_releases`,
`automation_drafts`, `automation_releases`).

Definitions are stored as JSON text: editors' JSON content may hold keys MongoDB refuses
('$...', dotted names), and a release must come back byte-for-byte as published. A release
is one document whose `_id` is its version, so two concurrent publishes cannot both take
the same number (the second gets a duplicate-key error and is told to retry).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.platform.mongo import Document, translated
from gateway.platform.releases import Kinds, Release, ReleaseInfo


class MongoDraftStore:
    def __init__(self, db: AsyncDatabase[Document], collection: str, kinds: Kinds) -> None:
        self._drafts = db[collection]
        self._name = f"MongoDB {collection}"
        self._kinds = kinds

    async def all(self) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = {k: [] for k in self._kinds.names}
        async with translated(self._name, "all"):
            async for doc in self._drafts.find({}).sort([("kind", 1), ("key", 1)]):
                result.setdefault(doc["kind"], []).append(orjson.loads(doc["json"]))
        return result

    async def put(self, kind: str, key: str, definition: Mapping[str, Any], by: str) -> None:
        doc = {"kind": kind, "key": key, "json": orjson.dumps(dict(definition)).decode(), "by": by}
        async with translated(self._name, "put"):
            await self._drafts.replace_one(
                {"_id": f"{kind}:{key}"}, {**doc, "updated_at": datetime.now(UTC)}, upsert=True
            )

    async def delete(self, kind: str, key: str) -> bool:
        async with translated(self._name, "delete"):
            result = await self._drafts.delete_one({"_id": f"{kind}:{key}"})
        return result.deleted_count == 1

    async def replace_all(self, definitions: Mapping[str, list[dict[str, Any]]], by: str) -> None:
        now, id_field = datetime.now(UTC), self._kinds.id_field
        docs = [
            {
                "_id": f"{kind}:{d[id_field[kind]]}",
                "kind": kind,
                "key": str(d[id_field[kind]]),
                "json": orjson.dumps(d).decode(),
                "by": by,
                "updated_at": now,
            }
            for kind in self._kinds.names
            for d in definitions.get(kind, [])
        ]
        async with translated(self._name, "replace_all"):
            await self._drafts.delete_many({})
            if docs:
                await self._drafts.insert_many(docs)


def _info(doc: Mapping[str, Any]) -> ReleaseInfo:
    return ReleaseInfo(doc["_id"], doc["published_at"], doc["published_by"], doc["note"], doc.get("rollback_of"))


class MongoReleaseStore:
    def __init__(self, db: AsyncDatabase[Document], collection: str) -> None:
        self._releases = db[collection]
        self._name = f"MongoDB {collection}"

    async def append(self, release: Release) -> bool:
        info = release.info
        doc = {
            "_id": info.version,
            "published_at": info.published_at,
            "published_by": info.published_by,
            "note": info.note,
            "rollback_of": info.rollback_of,
            "json": orjson.dumps(dict(release.definitions)).decode(),
        }
        async with translated(self._name, "append"):
            try:
                await self._releases.insert_one(doc)
            except DuplicateKeyError:
                return False
        return True

    async def get(self, version: int) -> Release | None:
        async with translated(self._name, "get"):
            doc = await self._releases.find_one({"_id": version})
        return Release(_info(doc), orjson.loads(doc["json"])) if doc else None

    async def latest(self) -> Release | None:
        async with translated(self._name, "latest"):
            doc = await self._releases.find_one({}, sort=[("_id", -1)])
        return Release(_info(doc), orjson.loads(doc["json"])) if doc else None

    async def history(self, limit: int) -> list[ReleaseInfo]:
        async with translated(self._name, "history"):
            cursor = self._releases.find({}, {"json": 0}).sort("_id", -1).limit(limit)
            return [_info(d) async for d in cursor]
