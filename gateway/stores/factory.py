"""Choosing store implementations by URL scheme: `memory://`, `mongodb://`, `redis://`."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from gateway.settings import Settings
from gateway.stores.edge_protocols import PersistedQueryStore, RateLimitStore
from gateway.stores.memory.api_keys import MemoryApiKeyStore
from gateway.stores.memory.catalog import MemoryCatalogStore
from gateway.stores.memory.events import MemoryEventStore
from gateway.stores.memory.persisted import MemoryPersistedQueryStore
from gateway.stores.memory.profiles import MemoryProfileStore
from gateway.stores.memory.rate_limits import MemoryRateLimitStore
from gateway.stores.memory.sessions import MemorySessionStore
from gateway.stores.memory.signals import MemorySignalStore
from gateway.stores.memory.vectors import MemoryVectorStore
from gateway.stores.protocols import (
    ApiKeyStore,
    CatalogStore,
    EventStore,
    ProfileStore,
    SessionStore,
    SignalStore,
    VectorStore,
)


@dataclass(frozen=True, slots=True)
class Stores:
    catalog: CatalogStore
    profiles: ProfileStore
    sessions: SessionStore
    events: EventStore
    api_keys: ApiKeyStore
    mongo_client: Any | None  # AsyncMongoClient when MongoDB is configured (readiness checks)
    redis_client: Any | None  # redis.asyncio.Redis when Redis is configured
    persisted: PersistedQueryStore = field(default_factory=MemoryPersistedQueryStore)
    rate_limits: RateLimitStore = field(default_factory=MemoryRateLimitStore)
    signals: SignalStore = field(default_factory=MemorySignalStore)  # collaborative signals (Redis)
    vectors: VectorStore = field(default_factory=MemoryVectorStore)  # product embeddings (MongoDB)


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
        vectors: VectorStore = MemoryVectorStore()
    else:
        from gateway.stores.mongo.api_keys import MongoApiKeyStore
        from gateway.stores.mongo.catalog import MongoCatalogStore
        from gateway.stores.mongo.client import open_client
        from gateway.stores.mongo.events import MongoEventStore
        from gateway.stores.mongo.profiles import MongoProfileStore

        mongo_client = open_client(settings.mongodb_url, settings.store_timeout_ms)
        stack.push_async_callback(mongo_client.close)
        db = mongo_client[settings.mongodb_database]
        catalog = MongoCatalogStore(mongo_client, db)
        profiles = MongoProfileStore(db)
        events = MongoEventStore(db)
        api_keys = MongoApiKeyStore(db)
        from gateway.stores.mongo.vectors import MongoVectorStore

        vectors = MongoVectorStore(db)

    persisted: PersistedQueryStore
    rate_limits: RateLimitStore
    signals: SignalStore
    if settings.redis_url.startswith("memory"):
        sessions = MemorySessionStore()
        signals = MemorySignalStore()
        persisted = MemoryPersistedQueryStore(ttl_seconds=settings.apq_ttl_seconds)
        rate_limits = MemoryRateLimitStore()
    else:
        from gateway.stores.redis.client import open_client as open_redis
        from gateway.stores.redis.sessions import RedisSessionStore

        redis_client = open_redis(settings.redis_url, settings.store_timeout_ms)
        stack.push_async_callback(redis_client.aclose)
        sessions = RedisSessionStore(redis_client, settings.redis_prefix)
        from gateway.stores.redis.persisted import RedisPersistedQueryStore
        from gateway.stores.redis.rate_limits import RedisRateLimitStore

        persisted = RedisPersistedQueryStore(redis_client, settings.redis_prefix, settings.apq_ttl_seconds)
        rate_limits = RedisRateLimitStore(redis_client, settings.redis_prefix)
        from gateway.stores.redis.signals import RedisSignalStore

        signals = RedisSignalStore(redis_client, settings.redis_prefix)

    return Stores(
        catalog,
        profiles,
        sessions,
        events,
        api_keys,
        mongo_client,
        redis_client,
        persisted=persisted,
        rate_limits=rate_limits,
        signals=signals,
        vectors=vectors,
    )
