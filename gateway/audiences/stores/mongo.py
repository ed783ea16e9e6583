"""Segment definitions (`segments`) and memberships (`segment_members`, one document per pair).

A membership's `_id` is `<segment>|<profile>`, so entering twice is one insert that collides
and exiting twice deletes nothing: `update` reports only the changes it really made, which
is what makes Segment Entered/Exited events exactly-once per transition. Writes and reads name
`profile`, the shard key of `segment_members` (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.audiences.values.problems import ConditionError
from gateway.audiences.values.segments import Segment, build_segment
from gateway.kernel import VisitorId
from gateway.platform.mongo import Document, translated

STORE = "MongoDB segments"


def _id(segment: str, profile_id: str) -> str:
    return f"{segment}|{profile_id}"


class MongoSegmentStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._defs = db.segments

    async def all(self) -> list[Segment]:
        async with translated(STORE, "all"):
            docs = [d async for d in self._defs.find({}).sort("_id", 1)]
        found = []
        for d in docs:
            try:
                found.append(build_segment(d["_id"], d["name"], d.get("description", ""), d["definition"], d["at"]))
            except ConditionError:
                continue  # a definition stored by an older version that no longer validates: skip it
        return found

    async def save(self, segment: Segment) -> None:
        doc = {
            "name": segment.name,
            "description": segment.description,
            "definition": dict(segment.definition),
            "at": segment.updated_at,
        }
        async with translated(STORE, "save"):
            await self._defs.replace_one({"_id": segment.key}, doc, upsert=True)

    async def delete(self, key: str) -> bool:
        async with translated(STORE, "delete"):
            result = await self._defs.delete_one({"_id": key})
        return result.deleted_count == 1


class MongoMembershipStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._members = db.segment_members

    async def memberships(self, profile_ids: Sequence[VisitorId]) -> list[frozenset[str]]:
        async with translated(STORE, "memberships"):
            found: dict[str, set[str]] = {}
            async for d in self._members.find(
                {"profile": {"$in": list(set(profile_ids))}}, {"segment": 1, "profile": 1}
            ):
                found.setdefault(d["profile"], set()).add(d["segment"])
        return [frozenset(found.get(p, ())) for p in profile_ids]

    async def update(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> tuple[list[str], list[str]]:
        really_entered: list[str] = []
        really_exited: list[str] = []
        async with translated(STORE, "update"):
            for key in entered:
                try:
                    await self._members.insert_one(
                        {"_id": _id(key, profile_id), "segment": key, "profile": profile_id, "since": at}
                    )
                    really_entered.append(key)
                except DuplicateKeyError:
                    pass  # already a member (a concurrent evaluation got there first)
            for key in exited:
                result = await self._members.delete_one({"_id": _id(key, profile_id), "profile": profile_id})
                if result.deleted_count:
                    really_exited.append(key)
        return really_entered, really_exited

    async def sizes(self) -> dict[str, int]:
        async with translated(STORE, "sizes"):
            pipeline = [{"$group": {"_id": "$segment", "n": {"$sum": 1}}}]
            return {d["_id"]: int(d["n"]) async for d in await self._members.aggregate(pipeline)}

    async def erase(self, profile_id: VisitorId, segment: str | None = None) -> None:
        async with translated(STORE, "erase"):
            if segment is None:
                await self._members.delete_many({"profile": profile_id})
            else:
                await self._members.delete_one({"_id": _id(segment, profile_id), "profile": profile_id})

    async def drop_segment(self, segment: str) -> None:
        async with translated(STORE, "drop_segment"):
            await self._members.delete_many({"segment": segment})
