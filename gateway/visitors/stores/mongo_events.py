"""The event log in MongoDB: `_id` is the idempotency key, so a retry is stored once.

Written with majority write concern, journaled (`w: majority, j: true`), whatever the
connection string says: an accepted event must survive the loss of the primary and a crash
(the intake journal trims it once the log holds it).
Every query names the shard key, `visitor_id` (docs/operations.md, "Sharding MongoDB"), except
the replay of unapplied events, a background scan over the `unapplied` index of each shard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import WriteConcern
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

import gateway.visitors.stores.codec as codec
from gateway.kernel import VisitorId
from gateway.platform.mongo import Document, translated
from gateway.visitors.values.events import Event, StoredEvent

STORE = "MongoDB events"
DUPLICATE_KEY = 11000


def _visitors_of(keys: Sequence[str]) -> list[str]:
    """The visitor ids inside event keys (`<visitor>:<messageId>`): the shard key of `events`."""
    return list({key.partition(":")[0] for key in keys})


class MongoEventStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._events = db.get_collection("events", write_concern=WriteConcern(w="majority", j=True))

    async def append(self, events: Sequence[Event]) -> list[bool]:
        if not events:
            return []
        result = [True] * len(events)
        async with translated(STORE, "append"):
            try:
                await self._events.insert_many([codec.event_out(e, applied=False) for e in events], ordered=False)
            except BulkWriteError as exc:
                for err in exc.details.get("writeErrors", []):
                    if err.get("code") != DUPLICATE_KEY:
                        raise
                    result[err["index"]] = False
        return result

    async def mark_applied(self, keys: Sequence[str]) -> None:
        if keys:
            async with translated(STORE, "mark_applied"):
                flt = {"visitor_id": {"$in": _visitors_of(keys)}, "_id": {"$in": list(keys)}}
                await self._events.update_many(flt, {"$set": {"applied": True}})

    async def pending(self, events: Sequence[Event]) -> list[Event]:
        if not events:
            return []
        flt = {
            "visitor_id": {"$in": list({e.visitor_id for e in events})},
            "_id": {"$in": [e.key for e in events]},
            "applied": False,
        }
        async with translated(STORE, "pending"):
            waiting = {d["_id"] async for d in self._events.find(flt, {"_id": 1})}
        return [e for e in events if e.key in waiting]

    async def unapplied(self, older_than_seconds: float, limit: int) -> list[StoredEvent]:
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
        async with translated(STORE, "unapplied"):
            cursor = self._events.find({"applied": False, "received_at": {"$lte": cutoff}}).sort("received_at", 1)
            return [StoredEvent(codec.event_in(d), applied=False) async for d in cursor.limit(limit)]

    @staticmethod
    def _person(visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str]) -> dict[str, Any]:
        if not loyalty_cards:  # the common case, and one index (visitor_id, timestamp) answers it
            return {"visitor_id": {"$in": list(visitor_ids)}}
        return {
            "$or": [
                {"visitor_id": {"$in": list(visitor_ids)}},
                {"properties.loyalty_card_id": {"$in": list(loyalty_cards)}},
            ]
        }

    async def history(
        self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str], since: datetime | None, limit: int
    ) -> list[StoredEvent]:
        flt = self._person(visitor_ids, loyalty_cards)
        if since is not None:  # a flat filter when possible: one index range scan
            flt = (
                {**flt, "timestamp": {"$gte": since}}
                if "$or" not in flt
                else {"$and": [flt, {"timestamp": {"$gte": since}}]}
            )
        async with translated(STORE, "history"):
            cursor = self._events.find(flt).sort("timestamp", -1).limit(limit)
            return [StoredEvent(codec.event_in(d), applied=bool(d.get("applied"))) async for d in cursor]

    async def erase(self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str]) -> int:
        async with translated(STORE, "erase"):
            result = await self._events.delete_many(self._person(visitor_ids, loyalty_cards))
        return int(result.deleted_count)
