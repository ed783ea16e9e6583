"""The automation workspace (`automation_drafts`) and releases (`automation_releases`) in MongoDB.

As for slot definitions: stored as JSON text (editors' JSON may hold keys MongoDB refuses, and a
release comes back exactly as published); a release's `_id` is its version, so two concurrent
publishes cannot take the same number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.platform.mongo import Document, translated
from gateway.triggers.values.automation import ID_FIELD, KINDS
from gateway.triggers.values.releases import Release, ReleaseInfo

DRAFTS = "MongoDB automation_drafts"
RELEASES = "MongoDB automation_releases"


class MongoAutomationDraftStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._drafts = db.automation_drafts

    async def all(self) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        async with translated(DRAFTS, "all"):
            async for doc in self._drafts.find({}).sort([("kind", 1), ("key", 1)]):
                result.setdefault(doc["kind"], []).append(orjson.loads(doc["json"]))
        return result

    async def put(self, kind: str, key: str, definition: Mapping[str, Any], by: str) -> None:
        doc = {"kind": kind, "key": key, "json": orjson.dumps(dict(definition)).decode(), "by": by}
        async with translated(DRAFTS, "put"):
            await self._drafts.replace_one(
                {"_id": f"{kind}:{key}"}, {**doc, "updated_at": datetime.now(UTC)}, upsert=True
            )

    async def delete(self, kind: str, key: str) -> bool:
        async with translated(DRAFTS, "delete"):
            result = await self._drafts.delete_one({"_id": f"{kind}:{key}"})
        return result.deleted_count == 1

    async def replace_all(self, definitions: Mapping[str, list[dict[str, Any]]], by: str) -> None:
        now = datetime.now(UTC)
        docs = [
            {
                "_id": f"{kind}:{d[ID_FIELD[kind]]}",
                "kind": kind,
                "key": str(d[ID_FIELD[kind]]),
                "json": orjson.dumps(d).decode(),
                "by": by,
                "updated_at": now,
            }
            for kind in KINDS
            for d in definitions.get(kind, [])
        ]
        async with translated(DRAFTS, "replace_all"):
            await self._drafts.delete_many({})
            if docs:
                await self._drafts.insert_many(docs)


def _info(doc: Mapping[str, Any]) -> ReleaseInfo:
    return ReleaseInfo(doc["_id"], doc["published_at"], doc["published_by"], doc["note"], doc.get("rollback_of"))


class MongoAutomationReleaseStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._releases = db.automation_releases

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
        async with translated(RELEASES, "append"):
            try:
                await self._releases.insert_one(doc)
            except DuplicateKeyError:
                return False
        return True

    async def get(self, version: int) -> Release | None:
        async with translated(RELEASES, "get"):
            doc = await self._releases.find_one({"_id": version})
        return Release(_info(doc), orjson.loads(doc["json"])) if doc else None

    async def history(self, limit: int) -> list[ReleaseInfo]:
        async with translated(RELEASES, "history"):
            cursor = self._releases.find({}, {"json": 0}).sort("_id", -1).limit(limit)
            return [_info(d) async for d in cursor]
