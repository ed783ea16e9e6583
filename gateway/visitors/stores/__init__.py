"""The visitors area's stores: profiles (MongoDB), live sessions (Redis), the event log (MongoDB)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.platform.backends import Backends
from gateway.visitors.stores.protocol import EventStore, ProfileIndex, ProfileStore, SessionStore


@dataclass(frozen=True, slots=True)
class VisitorStores:
    profiles: ProfileStore
    profile_index: ProfileIndex  # scans of live profiles (segment re-evaluation, promotion fan-out)
    sessions: SessionStore
    events: EventStore


def open_stores(backends: Backends) -> VisitorStores:
    profiles: ProfileStore
    profile_index: ProfileIndex
    events: EventStore
    sessions: SessionStore
    if backends.mongo_db is None:
        from gateway.visitors.stores.memory_events import MemoryEventStore
        from gateway.visitors.stores.memory_profiles import MemoryProfileStore

        memory_profiles = MemoryProfileStore()
        profiles, profile_index, events = memory_profiles, memory_profiles, MemoryEventStore()
    else:
        from gateway.visitors.stores.mongo_events import MongoEventStore
        from gateway.visitors.stores.mongo_profiles import MongoProfileStore

        mongo_profiles = MongoProfileStore(backends.mongo_db)
        profiles, profile_index, events = mongo_profiles, mongo_profiles, MongoEventStore(backends.mongo_db)
    if backends.redis is None:
        from gateway.visitors.stores.memory_sessions import MemorySessionStore

        sessions = MemorySessionStore()
    else:
        from gateway.visitors.stores.redis_sessions import RedisSessionStore

        sessions = RedisSessionStore(backends.redis, backends.redis_prefix)
    return VisitorStores(profiles, profile_index, sessions, events)


async def create_indexes(db: Any) -> None:
    await db.events.create_index([("visitor_id", 1), ("timestamp", -1)])
    await db.events.create_index([("received_at", 1)], partialFilterExpression={"applied": False}, name="unapplied")
    await db.events.create_index([("properties.loyalty_card_id", 1)], sparse=True)


__all__ = [
    "EventStore",
    "ProfileIndex",
    "ProfileStore",
    "SessionStore",
    "VisitorStores",
    "create_indexes",
    "open_stores",
]
