"""Choosing store implementations by URL scheme: `memory://`, `mongodb://`, `redis://`."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from gateway.access.stores.memory import MemoryApiKeyStore
from gateway.access.stores.protocol import ApiKeyStore
from gateway.audiences.stores.memory import MemoryMembershipStore, MemorySegmentStore
from gateway.audiences.stores.protocol import MembershipStore, SegmentStore
from gateway.catalogue.stores.memory import MemoryCatalogStore
from gateway.catalogue.stores.protocol import CatalogStore
from gateway.execution.persisted.memory import MemoryPersistedQueryStore
from gateway.execution.persisted.protocol import PersistedQueryStore
from gateway.http.rate_limits.memory import MemoryRateLimitStore
from gateway.http.rate_limits.protocol import RateLimitStore
from gateway.identity.stores.memory import MemoryIdentityStore
from gateway.identity.stores.protocol import IdentityStore
from gateway.platform.leases.memory import MemoryLeaseStore
from gateway.platform.leases.protocol import LeaseStore
from gateway.recommendations.stores.memory_graphs import MemoryGraphStore
from gateway.recommendations.stores.memory_signals import MemorySignalStore
from gateway.recommendations.stores.memory_vectors import MemoryVectorStore
from gateway.recommendations.stores.protocol import GraphStore, SignalStore, VectorStore
from gateway.settings import Settings
from gateway.slots.stores.memory_broadcast import MemoryBroadcaster
from gateway.slots.stores.memory_counters import MemoryBehaviourStore, MemoryExperimentStore, MemoryImpressionStore
from gateway.slots.stores.memory_definitions import MemoryDraftStore, MemoryReleaseStore
from gateway.slots.stores.protocol import (
    BehaviourStore,
    Broadcaster,
    DraftStore,
    ExperimentStore,
    ImpressionStore,
    ReleaseStore,
)
from gateway.triggers.price_watch import PriceWatchingCatalogStore
from gateway.triggers.stores.memory import MemoryOutboxStore, MemoryTimerStore
from gateway.triggers.stores.protocol import OutboxStore, TimerStore
from gateway.visitors.stores.memory_events import MemoryEventStore
from gateway.visitors.stores.memory_profiles import MemoryProfileStore
from gateway.visitors.stores.memory_sessions import MemorySessionStore
from gateway.visitors.stores.protocol import EventStore, ProfileIndex, ProfileStore, SessionStore, VisitorDataEraser


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
        from gateway.access.stores.mongo import MongoApiKeyStore
        from gateway.catalogue.stores.mongo import MongoCatalogStore
        from gateway.identity.stores.mongo import MongoIdentityStore
        from gateway.platform.mongo import open_client
        from gateway.slots.stores.mongo_definitions import MongoDraftStore, MongoReleaseStore
        from gateway.visitors.stores.mongo_events import MongoEventStore
        from gateway.visitors.stores.mongo_profiles import MongoProfileStore

        mongo_client = open_client(settings.mongodb_url, settings.store_timeout_ms)
        stack.push_async_callback(mongo_client.close)
        db = mongo_client[settings.mongodb_database]
        catalog = MongoCatalogStore(mongo_client, db)
        mongo_profiles = MongoProfileStore(db)
        profiles, profile_index = mongo_profiles, mongo_profiles
        events = MongoEventStore(db)
        identities = MongoIdentityStore(db)
        from gateway.audiences.stores.mongo import MongoMembershipStore, MongoSegmentStore

        segments, memberships = MongoSegmentStore(db), MongoMembershipStore(db)
        from gateway.triggers.stores.mongo import MongoOutboxStore, MongoTimerStore

        timers, outbox = MongoTimerStore(db), MongoOutboxStore(db)
        api_keys = MongoApiKeyStore(db)
        from gateway.recommendations.stores.mongo_vectors import MongoVectorStore

        vectors = MongoVectorStore(db)
        from gateway.recommendations.stores.mongo_graphs import MongoGraphStore

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
        from gateway.platform.redis import open_client as open_redis
        from gateway.slots.stores.redis_broadcast import RedisBroadcaster
        from gateway.slots.stores.redis_counters import RedisBehaviourStore, RedisExperimentStore, RedisImpressionStore
        from gateway.visitors.stores.redis_sessions import RedisSessionStore

        redis_client = open_redis(settings.redis_url, settings.store_timeout_ms)
        stack.push_async_callback(redis_client.aclose)
        sessions = RedisSessionStore(redis_client, settings.redis_prefix)
        behaviour = RedisBehaviourStore(redis_client, settings.redis_prefix)
        impressions = RedisImpressionStore(redis_client, settings.redis_prefix)
        experiments = RedisExperimentStore(redis_client, settings.redis_prefix)
        broadcaster = RedisBroadcaster(redis_client, f"{settings.redis_prefix}slots:releases")
        from gateway.platform.leases.redis import RedisLeaseStore

        leases = RedisLeaseStore(redis_client, settings.redis_prefix)

        from gateway.execution.persisted.redis import RedisPersistedQueryStore
        from gateway.http.rate_limits.redis import RedisRateLimitStore

        persisted = RedisPersistedQueryStore(redis_client, settings.redis_prefix, settings.apq_ttl_seconds)
        rate_limits = RedisRateLimitStore(redis_client, settings.redis_prefix)
        from gateway.recommendations.stores.redis_signals import RedisSignalStore

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
    from gateway.catalogue.connectors.catalog_store import ConnectorCatalogStore
    from gateway.catalogue.connectors.http import HttpCommerceConnector, open_http_client
    from gateway.catalogue.connectors.mapping import FieldMap
    from gateway.kernel.errors import ConfigError

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
