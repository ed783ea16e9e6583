"""Trigger timers (`trigger_timers`) and the webhook outbox (`webhook_outbox`) in MongoDB.

Claims are single-document atomic updates (`find_one_and_update` on an unclaimed or expired
claim), so with any number of gateway instances and workers each due timer and each due
delivery is taken by exactly one of them at a time; a claimer that dies loses its claim when
the lease runs out and another one takes over (at-least-once, deduplicated by id).

Sharding (docs/operations.md): `trigger_timers` is sharded by `_id`, `webhook_outbox` by
`profile_id`. A claim first reads the due candidates (a scan of the due-time index on every
shard), then claims each one by its shard key, so every write goes to one shard.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.kernel import VisitorId
from gateway.platform.mongo import Document, translated
from gateway.triggers.values import COUNTS_FOR_CAP, Delivery, DeliveryStatus, Timer, TimerKind

STORE = "MongoDB triggers"
MAX_CLAIM_ROUNDS = 8


def _timer_in(d: Document) -> Timer:
    return Timer(
        d["_id"],
        TimerKind(d["kind"]),
        VisitorId(d["profile_id"]) if d.get("profile_id") else None,
        d["due_at"],
        dict(d.get("data") or {}),
        int(d.get("version", 0)),
    )


def _delivery_out(x: Delivery) -> Document:
    # `kind` holds the rule's key: deliveries of the fixed triggers (kind = trigger) stay the
    # default rules' of the same keys, for caps and lift.
    return {
        "_id": x.id,
        "kind": x.rule,
        "type": x.type,
        "step": x.step,
        "profile_id": x.profile_id,
        "payload": dict(x.payload),
        "created_at": x.created_at,
        "status": x.status.value,
        "attempts": x.attempts,
        "next_attempt_at": x.next_attempt_at,
        "last_error": x.last_error,
    }


def _delivery_in(d: Document) -> Delivery:
    return Delivery(
        d["_id"],
        str(d["kind"]),
        VisitorId(d["profile_id"]),
        dict(d.get("payload") or {}),
        d["created_at"],
        DeliveryStatus(d["status"]),
        int(d.get("attempts", 0)),
        d.get("next_attempt_at"),
        d.get("last_error"),
        d.get("step"),
        str(d.get("type") or ""),
    )


class MongoTimerStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._timers = db.trigger_timers

    async def schedule(self, timer: Timer) -> None:
        update: dict[str, Any] = {
            "$set": {
                "kind": timer.kind.value,
                "profile_id": timer.profile_id,
                "due_at": timer.due_at,
                "data": dict(timer.data),
                "claimed_until": None,
            },
            "$inc": {"version": 1},
        }
        async with translated(STORE, "schedule"):
            # Only move a deadline later: an older (replayed) event never pulls it earlier.
            with suppress(DuplicateKeyError):
                await self._timers.update_one(
                    {"_id": timer.key, "$or": [{"due_at": {"$lte": timer.due_at}}, {"due_at": None}]},
                    update,
                    upsert=True,
                )

    async def cancel(self, key: str) -> None:
        async with translated(STORE, "cancel"):
            await self._timers.delete_one({"_id": key})

    async def claim_due(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Timer]:
        claimed: list[Timer] = []
        due = {"due_at": {"$lte": now}, "$or": [{"claimed_until": None}, {"claimed_until": {"$lte": now}}]}
        async with translated(STORE, "claim_due"):
            for _ in range(MAX_CLAIM_ROUNDS):  # candidates others claimed first drop out of the next read
                wanted = limit - len(claimed)
                candidates = [
                    d["_id"] async for d in self._timers.find(due, {"_id": 1}).sort("due_at", 1).limit(wanted)
                ]
                for key in candidates:
                    doc = await self._timers.find_one_and_update(
                        {"_id": key, **due},
                        {"$set": {"claimed_by": owner, "claimed_until": now + timedelta(seconds=lease_seconds)}},
                        return_document=ReturnDocument.AFTER,
                    )
                    if doc is not None:
                        claimed.append(_timer_in(doc))
                if len(candidates) < wanted or len(claimed) == limit:
                    break
        return claimed

    async def done(self, timer: Timer) -> None:
        async with translated(STORE, "done"):
            await self._timers.delete_one({"_id": timer.key, "version": timer.version})

    async def erase(self, profile_id: VisitorId) -> int:
        async with translated(STORE, "erase"):
            result = await self._timers.delete_many({"profile_id": profile_id})
        return int(result.deleted_count)


class MongoOutboxStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._outbox = db.webhook_outbox

    async def enqueue(self, delivery: Delivery) -> bool:
        async with translated(STORE, "enqueue"):
            try:
                await self._outbox.insert_one({**_delivery_out(delivery), "claimed_until": None})
            except DuplicateKeyError:
                return False
        return True

    async def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[Delivery]:
        claimed: list[Delivery] = []
        due = {
            "status": DeliveryStatus.PENDING.value,
            "$and": [
                {"$or": [{"next_attempt_at": None}, {"next_attempt_at": {"$lte": now}}]},
                {"$or": [{"claimed_until": None}, {"claimed_until": {"$lte": now}}]},
            ],
        }
        async with translated(STORE, "claim_due"):
            for _ in range(MAX_CLAIM_ROUNDS):  # candidates others claimed first drop out of the next read
                wanted = limit - len(claimed)
                cursor = self._outbox.find(due, {"_id": 1, "profile_id": 1}).sort("created_at", 1).limit(wanted)
                candidates = [(d["_id"], d.get("profile_id")) async for d in cursor]
                for key, profile_id in candidates:
                    doc = await self._outbox.find_one_and_update(
                        {"_id": key, "profile_id": profile_id, **due},
                        {"$set": {"claimed_until": now + timedelta(seconds=lease_seconds)}},
                        return_document=ReturnDocument.AFTER,
                    )
                    if doc is not None:
                        claimed.append(_delivery_in(doc))
                if len(candidates) < wanted or len(claimed) == limit:
                    break
        return claimed

    async def record(self, delivery: Delivery) -> None:
        fields = _delivery_out(delivery)
        del fields["_id"]
        async with translated(STORE, "record"):
            await self._outbox.update_one(
                {"_id": delivery.id, "profile_id": delivery.profile_id}, {"$set": {**fields, "claimed_until": None}}
            )

    async def count_since(self, profile_id: VisitorId, rule: str, since: datetime) -> int:
        async with translated(STORE, "count_since"):
            return await self._outbox.count_documents(
                {
                    "profile_id": profile_id,
                    "kind": rule,
                    "created_at": {"$gte": since},
                    "status": {"$in": [s.value for s in COUNTS_FOR_CAP]},
                }
            )

    async def find(
        self,
        *,
        status: DeliveryStatus | None = None,
        profile_id: VisitorId | None = None,
        rule: str | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        flt: dict[str, Any] = {}
        if status is not None:
            flt["status"] = status.value
        if profile_id is not None:
            flt["profile_id"] = profile_id
        if rule is not None:
            flt["kind"] = rule
        async with translated(STORE, "find"):
            return [_delivery_in(d) async for d in self._outbox.find(flt).sort("created_at", 1).limit(limit)]

    async def erase(self, profile_ids: Sequence[VisitorId]) -> int:
        async with translated(STORE, "erase"):
            result = await self._outbox.delete_many({"profile_id": {"$in": list(profile_ids)}})
        return int(result.deleted_count)
