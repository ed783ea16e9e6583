"""Choosing store implementations by URL scheme: `memory://`, `mongodb://`, `redis://`."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from gateway.settings import Settings
from gateway.stores.edge_protocols import PersistedQueryStore, RateLimitStore
from gateway.stores.memory.api_keys import MemoryApiKeyStore
from gateway.stores.memory.broadcast import MemoryBroadcaster
from gateway.stores.memory.catalog import MemoryCatalogStore
from gateway.stores.memory.events import MemoryEventStore
from gateway.stores.memory.graphs import MemoryGraphStore
from gateway.stores.memory.identities import MemoryIdentityStore
from gateway.stores.memory.leases import MemoryLeaseStore
from gateway.stores.memory.persisted import MemoryPersistedQueryStore
from gateway.stores.memory.profiles import MemoryProfileStore
from gateway.stores.memory.rate_limits import MemoryRateLimitStore
from gateway.stores.memory.segments import MemoryMembershipStore, MemorySegmentStore
from gateway.stores.memory.sessions import MemorySessionStore
from gateway.stores.memory.signals import MemorySignalStore
from gateway.stores.memory.slot_counters import MemoryBehaviourStore, MemoryExperimentStore, MemoryImpressionStore
from gateway.stores.memory.slot_definitions import MemoryDraftStore, MemoryReleaseStore
from gateway.stores.memory.triggers import MemoryOutboxStore, MemoryTimerStore
from gateway.stores.memory.vectors import MemoryVectorStore
from gateway.stores.price_watch import PriceWatchingCatalogStore
from gateway.stores.protocols import (
    ApiKeyStore,
    BehaviourStore,
    Broadcaster,
    CatalogStore,
    DraftStore,
    EventStore,
    ExperimentStore,
    GraphStore,
    IdentityStore,
    ImpressionStore,
    LeaseStore,
    MembershipStore,
    OutboxStore,
    ProfileIndex,
    ProfileStore,
    ReleaseStore,
    SegmentStore,
    SessionStore,
    SignalStore,
    TimerStore,
    VectorStore,
    VisitorDataEraser,
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
    # Identity, segments and triggers (docs/identity.md, docs/triggers.md).
    identities: IdentityStore
    leases: LeaseStore
    profile_index: ProfileIndex
    segments: SegmentStore
    memberships: MembershipStore
    timers: TimerStore
    outbox: OutboxStore
    persisted: PersistedQueryStore = field(default_factory=MemoryPersistedQueryStore)
    rate_limits: RateLimitStore = field(default_factory=MemoryRateLimitStore)
    signals: SignalStore = field(default_factory=MemorySignalStore)  # collaborative signals (Redis)
    vectors: VectorStore = field(default_factory=MemoryVectorStore)  # product embeddings (MongoDB)
    graphs: GraphStore = field(default_factory=MemoryGraphStore)  # prebuilt HNSW graphs (MongoDB GridFS)

    def visitor_erasers(self) -> list[VisitorDataEraser]:
        """Stores holding per-visitor traces beside profiles, sessions and events (for erasure)."""
        return [self.signals, self.slots.behaviour, self.slots.impressions, self.slots.experiments]


async def open_stores(settings: Settings, stack: AsyncExitStack) -> Stores:
    """Open every store; clients are closed when `stack` unwinds. Nothing connects eagerly."""
    catalog: CatalogStore
    profiles: ProfileStore
    events: EventStore
    sessions: SessionStore
    api_keys: ApiKeyStore
    mongo_client: Any | None = None
    redis_client: Any | None = None

    identities: IdentityStore
    leases: LeaseStore
    profile_index: ProfileIndex
    segments: SegmentStore
    memberships: MembershipStore
    timers: TimerStore
    outbox: OutboxStore

    if settings.mongodb_url.startswith("memory"):
        catalog, events = MemoryCatalogStore(), MemoryEventStore()
        memory_profiles = MemoryProfileStore()
        profiles, profile_index = memory_profiles, memory_profiles
        identities = MemoryIdentityStore()
        segments, memberships = MemorySegmentStore(), MemoryMembershipStore()
        timers, outbox = MemoryTimerStore(), MemoryOutboxStore()
        api_keys = MemoryApiKeyStore()
        vectors: VectorStore = MemoryVectorStore()
        graphs: GraphStore = MemoryGraphStore()
        drafts: DraftStore = MemoryDraftStore()
        releases: ReleaseStore = MemoryReleaseStore()
    else:
        from gateway.stores.mongo.api_keys import MongoApiKeyStore
        from gateway.stores.mongo.catalog import MongoCatalogStore
        from gateway.stores.mongo.client import open_client
        from gateway.stores.mongo.events import MongoEventStore
        from gateway.stores.mongo.identities import MongoIdentityStore
        from gateway.stores.mongo.profiles import MongoProfileStore
        from gateway.stores.mongo.slot_definitions import MongoDraftStore, MongoReleaseStore

        mongo_client = open_client(settings.mongodb_url, settings.store_timeout_ms)
        stack.push_async_callback(mongo_client.close)
        db = mongo_client[settings.mongodb_database]
        catalog = MongoCatalogStore(mongo_client, db)
        mongo_profiles = MongoProfileStore(db)
        profiles, profile_index = mongo_profiles, mongo_profiles
        events = MongoEventStore(db)
        identities = MongoIdentityStore(db)
        from gateway.stores.mongo.segments import MongoMembershipStore, MongoSegmentStore

        segments, memberships = MongoSegmentStore(db), MongoMembershipStore(db)
        from gateway.stores.mongo.triggers import MongoOutboxStore, MongoTimerStore

        timers, outbox = MongoTimerStore(db), MongoOutboxStore(db)
        api_keys = MongoApiKeyStore(db)
        from gateway.stores.mongo.vectors import MongoVectorStore

        vectors = MongoVectorStore(db)
        from gateway.stores.mongo.graphs import MongoGraphStore

        graphs = MongoGraphStore(db)
        drafts, releases = MongoDraftStore(db), MongoReleaseStore(db)

    persisted: PersistedQueryStore
    rate_limits: RateLimitStore
    signals: SignalStore
    if settings.catalog_url:
        catalog = _connector_catalog(settings, stack)  # read-only: no imports to watch
    else:
        # Imports write here: notice price drops and promotions for the favourite-on-promotion trigger.
        catalog = PriceWatchingCatalogStore(catalog, timers)

    if settings.redis_url.startswith("memory"):
        sessions = MemorySessionStore()
        leases = MemoryLeaseStore()
        signals = MemorySignalStore()
        persisted = MemoryPersistedQueryStore(ttl_seconds=settings.apq_ttl_seconds)
        rate_limits = MemoryRateLimitStore()
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
        from gateway.stores.redis.leases import RedisLeaseStore

        leases = RedisLeaseStore(redis_client, settings.redis_prefix)

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
        SlotStores(drafts, releases, behaviour, impressions, experiments, broadcaster),
        mongo_client,
        redis_client,
        identities=identities,
        leases=leases,
        profile_index=profile_index,
        segments=segments,
        memberships=memberships,
        timers=timers,
        outbox=outbox,
        persisted=persisted,
        rate_limits=rate_limits,
        signals=signals,
        vectors=vectors,
        graphs=graphs,
    )


def _connector_catalog(settings: Settings, stack: AsyncExitStack) -> CatalogStore:
    """Standalone mode: products come from the commerce backend at VITRINE_CATALOG_URL."""
    from gateway.connectors.catalog_store import ConnectorCatalogStore
    from gateway.connectors.http import HttpCommerceConnector, open_http_client
    from gateway.connectors.mapping import FieldMap
    from gateway.errors import ConfigError

    try:
        field_map = FieldMap(dict(settings.catalog_field_map))
    except ValueError as exc:
        raise ConfigError("VITRINE_CATALOG_FIELD_MAP", str(exc)) from None
    timeout = settings.catalog_timeout_ms / 1000
    client = open_http_client(settings.catalog_url, settings.catalog_auth_header, timeout)
    stack.push_async_callback(client.aclose)
    connector = HttpCommerceConnector(
        client, field_map=field_map, cache_seconds=settings.catalog_cache_seconds, timeout_seconds=timeout
    )
    return ConnectorCatalogStore(connector)
