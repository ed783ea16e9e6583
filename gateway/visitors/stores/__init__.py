"""The visitors area's stores: profiles (MongoDB), live sessions (Redis), the event log (MongoDB),
and the intake journal (Redis) that holds accepted events until the event log has them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.platform.backends import Backends
from gateway.visitors.stores.memory_journal import DEFAULT_PARTITIONS, DEFAULT_SEEN_SECONDS
from gateway.visitors.stores.protocol import (
    Backlog,
    EventStore,
    IntakeJournal,
    JournalEntry,
    ProfileIndex,
    ProfileStore,
    SessionStore,
)


@dataclass(frozen=True, slots=True)
class VisitorStores:
    profiles: ProfileStore
    profile_index: ProfileIndex  # scans of live profiles (segment re-evaluation, promotion fan-out)
    sessions: SessionStore
    events: EventStore
    # With Redis: events are accepted into the journal, then applied (gateway/visitors/intake.py).
    # Without (memory://): straight into the event log, as one process needs nothing more.
    journal: IntakeJournal | None = None


def open_stores(
    backends: Backends,
    *,
    journal_partitions: int = DEFAULT_PARTITIONS,
    journal_seen_seconds: int = DEFAULT_SEEN_SECONDS,
) -> VisitorStores:
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
    journal: IntakeJournal | None = None
    if backends.redis is None:
        from gateway.visitors.stores.memory_sessions import MemorySessionStore

        sessions = MemorySessionStore()
    else:
        from gateway.visitors.stores.redis_journal import RedisIntakeJournal
        from gateway.visitors.stores.redis_sessions import RedisSessionStore

        sessions = RedisSessionStore(backends.redis, backends.redis_prefix)
        journal = RedisIntakeJournal(
            backends.redis, backends.redis_prefix, partitions=journal_partitions, seen_seconds=journal_seen_seconds
        )
    return VisitorStores(profiles, profile_index, sessions, events, journal)


async def create_indexes(db: Any) -> None:
    await db.events.create_index([("visitor_id", 1), ("timestamp", -1)])
    await db.events.create_index([("received_at", 1)], partialFilterExpression={"applied": False}, name="unapplied")
    await db.events.create_index([("properties.loyalty_card_id", 1)], sparse=True)


__all__ = [
    "Backlog",
    "EventStore",
    "IntakeJournal",
    "JournalEntry",
    "ProfileIndex",
    "ProfileStore",
    "SessionStore",
    "VisitorStores",
    "create_indexes",
    "open_stores",
]
