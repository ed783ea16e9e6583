"""The audiences area's stores: segment definitions and memberships (MongoDB)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.audiences.stores.protocol import MembershipStore, SegmentStore
from gateway.platform.backends import Backends


@dataclass(frozen=True, slots=True)
class AudienceStores:
    segments: SegmentStore
    memberships: MembershipStore


def open_stores(backends: Backends) -> AudienceStores:
    if backends.mongo_db is None:
        from gateway.audiences.stores.memory import MemoryMembershipStore, MemorySegmentStore

        return AudienceStores(MemorySegmentStore(), MemoryMembershipStore())
    from gateway.audiences.stores.mongo import MongoMembershipStore, MongoSegmentStore

    return AudienceStores(MongoSegmentStore(backends.mongo_db), MongoMembershipStore(backends.mongo_db))


async def create_indexes(db: Any) -> None:
    await db.segment_members.create_index([("profile", 1)])
    await db.segment_members.create_index([("segment", 1)])


__all__ = ["AudienceStores", "MembershipStore", "SegmentStore", "create_indexes", "open_stores"]
