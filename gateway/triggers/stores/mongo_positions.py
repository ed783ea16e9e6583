"""Journey positions in MongoDB (`journey_positions`): one document per (journey, person).

Every move is a single-document compare-and-set on `seq` (`update_one({_id, seq})`), and due
positions are claimed with `find_one_and_update` on an unclaimed or expired lease, so with any
number of workers a step is moved on by exactly one of them; a worker killed mid-step loses
its claim when the lease runs out and another one redoes the step, whose effects are keyed
(see `Position`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.kernel import VisitorId
from gateway.platform.mongo import Document, translated
from gateway.triggers.values.journeys import END, Position, PositionStatus

STORE = "MongoDB journey_positions"


def _fields(p: Position) -> Document:
    """Everything but `_id`, `seq` and the claim."""
    return {
        "journey": p.journey,
        "profile_id": p.profile_id,
        "run": p.run,
        "step": p.step,
        "status": p.status.value,
        "due_at": p.due_at,
        "entered_at": p.entered_at,
        "held_out": p.held_out,
        "waiting": p.waiting,
        # JSON text: a trigger's properties may hold keys MongoDB would refuse as field names.
        "context": orjson.dumps(dict(p.context)).decode(),
        "entries": list(p.entries),
    }


def _position(d: Document) -> Position:
    return Position(
        journey=d["journey"],
        profile_id=VisitorId(d["profile_id"]),
        run=d["run"],
        step=d["step"],
        status=PositionStatus(d["status"]),
        due_at=d["due_at"],
        entered_at=d["entered_at"],
        held_out=bool(d.get("held_out")),
        waiting=bool(d.get("waiting")),
        seq=int(d.get("seq", 0)),
        context=orjson.loads(d.get("context") or "{}"),
        entries=tuple(d.get("entries") or ()),
    )


class MongoPositionStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._positions = db.journey_positions

    async def get_many(self, keys: Sequence[str]) -> list[Position | None]:
        async with translated(STORE, "get_many"):
            found = {d["_id"]: _position(d) async for d in self._positions.find({"_id": {"$in": list(keys)}})}
        return [found.get(k) for k in keys]

    async def enter(self, position: Position) -> bool:
        async with translated(STORE, "enter"):
            try:
                await self._positions.update_one(
                    {"_id": position.key, "status": {"$ne": PositionStatus.ACTIVE.value}, "run": {"$ne": position.run}},
                    {"$set": {**_fields(position), "claimed_until": None}, "$inc": {"seq": 1}},
                    upsert=True,
                )
            except DuplicateKeyError:  # active now, or this run started already: the filter missed
                return False
        return True

    async def claim_due(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Position]:
        claimed: list[Position] = []
        async with translated(STORE, "claim_due"):
            for _ in range(limit):
                doc = await self._positions.find_one_and_update(
                    {
                        "status": PositionStatus.ACTIVE.value,
                        "due_at": {"$lte": now},
                        "$or": [{"claimed_until": None}, {"claimed_until": {"$lte": now}}],
                    },
                    {"$set": {"claimed_by": owner, "claimed_until": now + timedelta(seconds=lease_seconds)}},
                    sort=[("due_at", 1)],
                    return_document=ReturnDocument.AFTER,
                )
                if doc is None:
                    break
                claimed.append(_position(doc))
        return claimed

    async def move(self, position: Position, *, release: bool) -> bool:
        fields = _fields(position)
        del fields["entries"]  # kept as entered
        update: dict[str, Any] = {
            "$set": {**fields, **({"claimed_until": None} if release else {})},
            "$inc": {"seq": 1},
        }
        async with translated(STORE, "move"):
            result = await self._positions.update_one({"_id": position.key, "seq": position.seq}, update)
        return result.matched_count == 1

    async def exit(self, profile_id: VisitorId, journeys: Sequence[str], at: datetime) -> int:
        async with translated(STORE, "exit"):
            result = await self._positions.update_many(
                {"profile_id": profile_id, "journey": {"$in": list(journeys)}, "status": PositionStatus.ACTIVE.value},
                {
                    "$set": {"status": PositionStatus.EXITED.value, "step": END, "due_at": at, "claimed_until": None},
                    "$inc": {"seq": 1},
                },
            )
        return int(result.modified_count)

    async def find(
        self, journey: str | None, status: PositionStatus | None, profile_id: VisitorId | None, limit: int
    ) -> list[Position]:
        flt: dict[str, Any] = {}
        if journey is not None:
            flt["journey"] = journey
        if status is not None:
            flt["status"] = status.value
        if profile_id is not None:
            flt["profile_id"] = profile_id
        async with translated(STORE, "find"):
            cursor = self._positions.find(flt).sort("entered_at", -1).limit(limit)
            return [_position(d) async for d in cursor]

    async def erase(self, profile_id: VisitorId) -> int:
        async with translated(STORE, "erase"):
            result = await self._positions.delete_many({"profile_id": profile_id})
        return int(result.deleted_count)
