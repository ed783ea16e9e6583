"""Choosing store implementations by URL scheme: `memory://`, `mongodb://`, `redis://`."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from gateway.settings import Settings
from gateway.stores.memory.api_keys import MemoryApiKeyStore
from gateway.stores.memory.broadcast import MemoryBroadcaster
from gateway.stores.memory.catalog import MemoryCatalogStore
from gateway.stores.memory.events import MemoryEventStore
from gateway.stores.memory.profiles import MemoryProfileStore
from gateway.stores.memory.sessions import MemorySessionStore
from gateway.stores.memory.slot_counters import MemoryBehaviourStore, MemoryExperimentStore, MemoryImpressionStore
from gateway.stores.memory.slot_definitions import MemoryDraftStore, MemoryReleaseStore
from gateway.stores.protocols import (
    ApiKeyStore,
    BehaviourStore,
    Broadcaster,
    CatalogStore,
    DraftStore,
    EventStore,
    ExperimentStore,
    ImpressionStore,
    ProfileStore,
    ReleaseStore,
    SessionStore,
)


@dataclass(frozen=True, slots=True)
class SlotStores:
    """Slots and experiments: definitions in MongoDB, counters and broadcasts in Redis."""

    drafts: DraftStore
    releases: ReleaseStore
    behaviour: BehaviourStore
    impressions: ImpressionStore
    experiments: ExperimentStore
    broadcaster: Broadcaster


@dataclass(frozen=True, slots=True)
class Stores:
    catalog: CatalogStore
    profiles: ProfileStore
    sessions: SessionStore
    events: EventStore
    api_keys: ApiKeyStore
    slots: SlotStores
    mongo_client: Any | None  # AsyncMongoClient when MongoDB is configured (readiness checks)
    redis_client: Any | None  # redis.asyncio.Redis when Redis is configured


async def open_stores(settings: Settings, stack: AsyncExitStack) -> Stores:
    """Open every store; clients are closed when `stack` unwinds. Nothing connects eagerly."""
    catalog: CatalogStore
    profiles: ProfileStore
    events: EventStore
    sessions: SessionStore
    api_keys: ApiKeyStore
    mongo_client: Any | None = None
    redis_client: Any | None = None

    if settings.mongodb_url.startswith("memory"):
        catalog, profiles, events = MemoryCatalogStore(), MemoryProfileStore(), MemoryEventStore()
        api_keys = MemoryApiKeyStore()
        drafts: DraftStore = MemoryDraftStore()
        releases: ReleaseStore = MemoryReleaseStore()
    else:
        from gateway.stores.mongo.api_keys import MongoApiKeyStore
        from gateway.stores.mongo.catalog import MongoCatalogStore
        from gateway.stores.mongo.client import open_client
        from gateway.stores.mongo.events import MongoEventStore
        from gateway.stores.mongo.profiles import MongoProfileStore
        from gateway.stores.mongo.slot_definitions import MongoDraftStore, MongoReleaseStore

        mongo_client = open_client(settings.mongodb_url, settings.store_timeout_ms)
        stack.push_async_callback(mongo_client.close)
        db = mongo_client[settings.mongodb_database]
        catalog = MongoCatalogStore(mongo_client, db)
        profiles = MongoProfileStore(db)
        events = MongoEventStore(db)
        api_keys = MongoApiKeyStore(db)
        drafts, releases = MongoDraftStore(db), MongoReleaseStore(db)

    if settings.redis_url.startswith("memory"):
        sessions = MemorySessionStore()
        behaviour: BehaviourStore = MemoryBehaviourStore()
        impressions: ImpressionStore = MemoryImpressionStore()
        experiments: ExperimentStore = MemoryExperimentStore()
        broadcaster: Broadcaster = MemoryBroadcaster()
    else:
        from gateway.stores.redis.broadcast import RedisBroadcaster
        from gateway.stores.redis.client import open_client as open_redis
        from gateway.stores.redis.sessions import RedisSessionStore
        from gateway.stores.redis.slot_counters import (
            RedisBehaviourStore,
            RedisExperimentStore,
            RedisImpressionStore,
        )

        redis_client = open_redis(settings.redis_url, settings.store_timeout_ms)
        stack.push_async_callback(redis_client.aclose)
        sessions = RedisSessionStore(redis_client, settings.redis_prefix)
        behaviour = RedisBehaviourStore(redis_client, settings.redis_prefix)
        impressions = RedisImpressionStore(redis_client, settings.redis_prefix)
        experiments = RedisExperimentStore(redis_client, settings.redis_prefix)
        broadcaster = RedisBroadcaster(redis_client, f"{settings.redis_prefix}slots:releases")

    slots = SlotStores(drafts, releases, behaviour, impressions, experiments, broadcaster)
    return Stores(catalog, profiles, sessions, events, api_keys, slots, mongo_client, redis_client)
