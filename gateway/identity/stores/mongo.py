"""Identifier links (`identities`: `_id` is the identifier) and merge history (`merges`).

The identifier is the document key, so two concurrent claims of one identifier cannot both
win: the second upsert matches the first one's document (or collides and re-reads it).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.identity.values import MergeRecord
from gateway.kernel import VisitorId
from gateway.platform.mongo import Document, translated

STORE = "MongoDB identities"


class MongoIdentityStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._ids = db.identities
        self._merges = db.merges

    async def owners(self, identifiers: Sequence[str]) -> list[VisitorId | None]:
        async with translated(STORE, "owners"):
            found = {d["_id"]: d["profile_id"] async for d in self._ids.find({"_id": {"$in": list(identifiers)}})}
        return [VisitorId(found[i]) if i in found else None for i in identifiers]

    async def claim(self, identifiers: Sequence[str], profile_id: VisitorId) -> list[VisitorId]:
        now = datetime.now(UTC)
        async with translated(STORE, "claim"):
            for ident in identifiers:
                # A concurrent claim may insert it first (DuplicateKeyError): its owner is read below.
                with suppress(DuplicateKeyError):
                    await self._ids.update_one(
                        {"_id": ident}, {"$setOnInsert": {"profile_id": profile_id, "at": now}}, upsert=True
                    )
        owners = await self.owners(identifiers)
        return [o if o is not None else profile_id for o in owners]

    async def repoint(self, source: VisitorId, target: VisitorId) -> None:
        async with translated(STORE, "repoint"):
            await self._ids.update_many({"profile_id": source}, {"$set": {"profile_id": target}})
            # The history follows too: the surviving profile owns the merges of those it absorbed.
            await self._merges.update_many({"owner": source}, {"$set": {"owner": target}})

    async def identifiers_of(self, profile_id: VisitorId) -> list[str]:
        async with translated(STORE, "identifiers_of"):
            return sorted([d["_id"] async for d in self._ids.find({"profile_id": profile_id}, {"_id": 1})])

    async def record_merge(self, record: MergeRecord) -> None:
        async with translated(STORE, "record_merge"):
            await self._merges.insert_one(
                {
                    "owner": record.target,
                    "target": record.target,
                    "sources": list(record.sources),
                    "identifiers": list(record.identifiers),
                    "reason": record.reason,
                    "at": record.at,
                    "refused": record.refused,
                }
            )

    async def merges_of(self, profile_id: VisitorId) -> list[MergeRecord]:
        async with translated(STORE, "merges_of"):
            cursor = self._merges.find({"owner": profile_id}).sort("at", 1)
            return [
                MergeRecord(
                    VisitorId(d["target"]),
                    tuple(VisitorId(s) for s in d["sources"]),
                    tuple(d["identifiers"]),
                    d["reason"],
                    d["at"],
                    d.get("refused"),
                )
                async for d in cursor
            ]

    async def erase(self, profile_id: VisitorId) -> None:
        async with translated(STORE, "erase"):
            await self._ids.delete_many({"profile_id": profile_id})
            await self._merges.delete_many({"owner": profile_id})
