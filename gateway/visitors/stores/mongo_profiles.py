"""Profiles in MongoDB: one document per visitor, updated with atomic operators.

A merged profile becomes a tombstone `{_id, merged_into}`; every read and write follows the
pointer, so a device whose profile was merged keeps feeding (and seeing) the merged one.
An event arriving during a merge is safe: `apply` refuses to write to a tombstone (the
filter requires `merged_into: null`), the upsert then collides on `_id`, and the write is
redirected to the surviving profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

import gateway.visitors.stores.codec as codec
from gateway.kernel import InputError, VisitorId
from gateway.platform.mongo import Document, translated
from gateway.visitors.values.profile import (
    RECENT_EVENT_KEYS_CAP,
    ConsentRecord,
    Profile,
    ProfileChange,
    empty_profile,
    winning_consent,
    winning_traits,
)

STORE = "MongoDB profiles"
MAX_REDIRECTS = 16
DATA_FIELDS = (
    "traits",
    "counters",
    "interest_mass",
    "interest_seen",
    "first_seen",
    "last_seen",
    "recent_event_keys",
    "engagement_mass",
    "consent",
    "merged_from",
)


def _update(change: ProfileChange) -> dict[str, Any]:
    inc: dict[str, Any] = {f"counters.{k}": v for k, v in change.counters.items()}
    inc.update({f"interest_mass.{k}": v for k, v in change.interest_mass.items()})
    if change.engagement:
        inc["engagement_mass"] = change.engagement
    update: dict[str, Any] = {
        "$min": {"first_seen": change.at},
        "$max": {"last_seen": change.at, **{f"interest_seen.{k}": change.at for k in change.interest_mass}},
        "$push": {"recent_event_keys": {"$each": [change.event_key], "$slice": -RECENT_EVENT_KEYS_CAP}},
    }
    if inc:
        update["$inc"] = inc
    if change.traits:
        update["$set"] = {f"traits.{k}": v for k, v in change.traits.items()}
    return update


def _absorb_update(target: Profile, source: Profile) -> dict[str, Any]:
    inc: dict[str, Any] = {f"counters.{k}": v for k, v in source.counters.items()}
    inc.update({f"interest_mass.{k}": v for k, v in source.interest_mass.items()})
    if source.engagement_mass:
        inc["engagement_mass"] = source.engagement_mass
    sets: dict[str, Any] = {f"traits.{k}": v for k, v in winning_traits(target, source).items()}
    sets.update(
        {f"consent.{p}": codec.consent_out(r, as_text=False) for p, r in winning_consent(target, source).items()}
    )
    update: dict[str, Any] = {
        "$push": {
            "merged_from": {"$each": [*source.merged_from, source.visitor_id]},
            "recent_event_keys": {"$each": list(source.recent_event_keys), "$slice": -RECENT_EVENT_KEYS_CAP},
        },
    }
    if source.first_seen:
        update["$min"] = {"first_seen": source.first_seen}
    latest: dict[str, Any] = {f"interest_seen.{k}": at for k, at in source.interest_seen.items()}
    if source.last_seen:
        latest["last_seen"] = source.last_seen
    if latest:
        update["$max"] = latest
    if inc:
        update["$inc"] = inc
    if sets:
        update["$set"] = sets
    return update


def _late_update(snapshot: Profile, stripped: Profile) -> dict[str, Any]:
    """What reached the tombstone between the snapshot and the strip, as an update for the target."""
    known = set(snapshot.recent_event_keys)
    keys = [k for k in stripped.recent_event_keys if k not in known]
    if not keys:
        return {}
    inc: dict[str, Any] = {
        f"counters.{k}": v - snapshot.counters.get(k, 0)
        for k, v in stripped.counters.items()
        if v != snapshot.counters.get(k, 0)
    }
    inc.update(
        {
            f"interest_mass.{k}": v - snapshot.interest_mass.get(k, 0.0)
            for k, v in stripped.interest_mass.items()
            if v != snapshot.interest_mass.get(k, 0.0)
        }
    )
    if stripped.engagement_mass != snapshot.engagement_mass:
        inc["engagement_mass"] = stripped.engagement_mass - snapshot.engagement_mass
    update: dict[str, Any] = {"$push": {"recent_event_keys": {"$each": keys, "$slice": -RECENT_EVENT_KEYS_CAP}}}
    if inc:
        update["$inc"] = inc
    latest: dict[str, Any] = {
        f"interest_seen.{k}": at for k, at in stripped.interest_seen.items() if at != snapshot.interest_seen.get(k)
    }
    if stripped.last_seen:
        latest["last_seen"] = stripped.last_seen
    if latest:
        update["$max"] = latest
    return update


class MongoProfileStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._profiles = db.profiles

    async def _follow(self, docs: dict[str, Document]) -> dict[str, Document]:
        """Replace tombstones by the documents they point to (batched per hop)."""
        for _ in range(MAX_REDIRECTS):
            pointers = {k: d["merged_into"] for k, d in docs.items() if d.get("merged_into")}
            if not pointers:
                return docs
            found = {d["_id"]: d async for d in self._profiles.find({"_id": {"$in": list(set(pointers.values()))}})}
            for key, target in pointers.items():
                docs[key] = found.get(target, {"_id": target})
        raise RuntimeError(f"profile redirect chain longer than {MAX_REDIRECTS}")

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Profile | None]:
        async with translated(STORE, "get_many"):
            docs = {d["_id"]: d async for d in self._profiles.find({"_id": {"$in": list(set(ids))}})}
            docs = await self._follow(docs)
        return [codec.profile_in(docs[i]) if i in docs else None for i in ids]

    async def apply(self, visitor_id: VisitorId, changes: Sequence[ProfileChange]) -> Profile:
        doc: Document | None = None
        target = visitor_id
        async with translated(STORE, "apply"):
            for change in changes:
                for _ in range(MAX_REDIRECTS):
                    try:
                        # The filter skips a change already applied and never writes to a tombstone.
                        doc = await self._profiles.find_one_and_update(
                            {"_id": target, "recent_event_keys": {"$ne": change.event_key}, "merged_into": None},
                            _update(change),
                            upsert=True,
                            return_document=ReturnDocument.AFTER,
                        )
                        break
                    except DuplicateKeyError:
                        existing = await self._profiles.find_one(
                            {"_id": target}, {"merged_into": 1, "recent_event_keys": 1}
                        )
                        if existing is None:
                            continue  # deleted meanwhile: try again
                        if existing.get("merged_into"):
                            target = existing["merged_into"]  # merged meanwhile: follow it
                        elif change.event_key in (existing.get("recent_event_keys") or ()):
                            doc = None  # the profile already holds this change
                            break
                        # else: a concurrent upsert created the document first; the retry updates it
            if doc is None:
                doc = await self._profiles.find_one({"_id": target})
        return codec.profile_in(doc) if doc is not None else empty_profile(target)

    async def delete(self, visitor_id: VisitorId) -> None:
        async with translated(STORE, "delete"):
            await self._profiles.delete_one({"_id": visitor_id})

    async def absorb(self, target: VisitorId, source: VisitorId) -> Profile:
        """Merge `source` into `target` (both roots, locked by the caller); idempotent.

        Three steps, each safe to repeat after a crash: point `source` at `target` (from now
        on its writes land in target), add source's data to target once (guarded by
        `merged_from`), then strip the tombstone of its data.
        """
        async with translated(STORE, "absorb"):
            try:
                before = await self._profiles.find_one_and_update(
                    {"_id": source, "merged_into": None},
                    {"$set": {"merged_into": target}},
                    upsert=True,
                    return_document=ReturnDocument.BEFORE,
                )
            except DuplicateKeyError:
                before = await self._profiles.find_one({"_id": source})
                if before is None or before.get("merged_into") != target:
                    raise InputError("the source profile was already merged into another profile") from None
            current = await self._profiles.find_one({"_id": target}) or {"_id": target}
            if current.get("merged_into"):
                raise InputError("the target profile was itself merged meanwhile; retry")
            if before is not None and source not in (current.get("merged_from") or ()):
                src = codec.profile_in({**before, "_id": source})
                for _ in range(3):
                    try:
                        await self._profiles.update_one(
                            {"_id": target, "merged_from": {"$ne": source}, "merged_into": None},
                            _absorb_update(codec.profile_in(current), src),
                            upsert=True,
                        )
                        break
                    except DuplicateKeyError:
                        # Either absorbed already (the filter no longer matches), or a concurrent
                        # event created the target document first: then the retry updates it.
                        again = await self._profiles.find_one({"_id": target}, {"merged_from": 1})
                        if again is not None and source in (again.get("merged_from") or ()):
                            break
            stripped = await self._profiles.find_one_and_update(
                {"_id": source}, {"$unset": dict.fromkeys(DATA_FIELDS, "")}, return_document=ReturnDocument.BEFORE
            )
            if before is not None and stripped is not None:
                # Belt and braces: a server that let a write through to the tombstone after the
                # snapshot (MongoDB does not; a simpler wire-compatible server might) loses nothing.
                late = _late_update(codec.profile_in({**before, "_id": source}), codec.profile_in(stripped))
                if late:
                    await self._profiles.update_one({"_id": target}, late)
            doc = await self._profiles.find_one({"_id": target})
        return codec.profile_in(doc or {"_id": target})

    async def set_consent(self, visitor_id: VisitorId, purpose: str, record: ConsentRecord) -> Profile:
        async with translated(STORE, "set_consent"):
            root = (await self._follow({visitor_id: {"_id": visitor_id, "merged_into": visitor_id}}))[visitor_id]
            # A stored decision newer than this one wins (records may arrive out of order).
            flt = {
                "_id": root["_id"],
                "merged_into": None,
                "$or": [{f"consent.{purpose}": None}, {f"consent.{purpose}.at": {"$lte": record.at}}],
            }
            with suppress(DuplicateKeyError):  # a newer decision is stored
                await self._profiles.update_one(
                    flt, {"$set": {f"consent.{purpose}": codec.consent_out(record, as_text=False)}}, upsert=True
                )
            doc = await self._profiles.find_one({"_id": root["_id"]})
        return codec.profile_in(doc or {"_id": root["_id"]})

    async def scan(self, after: VisitorId | None, limit: int) -> list[Profile]:
        flt: dict[str, Any] = {"merged_into": None}
        if after is not None:
            flt["_id"] = {"$gt": after}
        async with translated(STORE, "scan"):
            cursor = self._profiles.find(flt).sort("_id", 1).limit(limit)
            return [codec.profile_in(d) async for d in cursor]

    async def with_interest(self, key: str, min_mass: float, limit: int) -> list[Profile]:
        async with translated(STORE, "with_interest"):
            cursor = self._profiles.find({f"interest_mass.{key}": {"$gte": min_mass}, "merged_into": None})
            return [codec.profile_in(d) async for d in cursor.sort("_id", 1).limit(limit)]

    async def with_counter(self, key: str, min_count: int, limit: int) -> list[Profile]:
        async with translated(STORE, "with_counter"):
            cursor = self._profiles.find({f"counters.{key}": {"$gte": min_count}, "merged_into": None})
            return [codec.profile_in(d) async for d in cursor.sort("_id", 1).limit(limit)]
