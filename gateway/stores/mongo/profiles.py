"""Profiles in MongoDB: one document per visitor, updated with atomic operators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.domain.profile import RECENT_EVENT_KEYS_CAP, Profile, ProfileChange, empty_profile
from gateway.domain.visitor import VisitorId
from gateway.stores import codec
from gateway.stores.mongo.client import Document, translated

STORE = "MongoDB profiles"


def _update(change: ProfileChange) -> dict[str, Any]:
    inc: dict[str, Any] = {f"counters.{k}": v for k, v in change.counters.items()}
    inc.update({f"interest_mass.{k}": v for k, v in change.interest_mass.items()})
    update: dict[str, Any] = {
        "$min": {"first_seen": change.at},
        "$max": {"last_seen": change.at},
        "$push": {"recent_event_keys": {"$each": [change.event_key], "$slice": -RECENT_EVENT_KEYS_CAP}},
    }
    if inc:
        update["$inc"] = inc
    if change.traits:
        update["$set"] = {f"traits.{k}": v for k, v in change.traits.items()}
    return update


class MongoProfileStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._profiles = db.profiles

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Profile | None]:
        async with translated(STORE, "get_many"):
            docs = {d["_id"]: d async for d in self._profiles.find({"_id": {"$in": list(set(ids))}})}
        return [codec.profile_in(docs[i]) if i in docs else None for i in ids]

    async def apply(self, visitor_id: VisitorId, changes: Sequence[ProfileChange]) -> Profile:
        doc: Document | None = None
        async with translated(STORE, "apply"):
            for change in changes:
                try:
                    # The filter skips a change already applied; the update is one atomic step.
                    doc = await self._profiles.find_one_and_update(
                        {"_id": visitor_id, "recent_event_keys": {"$ne": change.event_key}},
                        _update(change),
                        upsert=True,
                        return_document=ReturnDocument.AFTER,
                    )
                except DuplicateKeyError:
                    doc = None  # the profile exists and already holds this change
            if doc is None:
                doc = await self._profiles.find_one({"_id": visitor_id})
        return codec.profile_in(doc) if doc is not None else empty_profile(visitor_id)

    async def delete(self, visitor_id: VisitorId) -> None:
        async with translated(STORE, "delete"):
            await self._profiles.delete_one({"_id": visitor_id})
