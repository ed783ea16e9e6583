"""The slots area's stores: definitions and releases (MongoDB), per-visitor counters and release
broadcasts (Redis)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.platform.backends import Backends
from gateway.slots.stores.protocol import (
    BehaviourStore,
    Broadcaster,
    DraftStore,
    ExperimentStore,
    ImpressionStore,
    ReleaseStore,
)


@dataclass(frozen=True, slots=True)
class SlotStores:
    drafts: DraftStore
    releases: ReleaseStore
    behaviour: BehaviourStore
    impressions: ImpressionStore
    experiments: ExperimentStore
    broadcaster: Broadcaster


def open_stores(backends: Backends) -> SlotStores:
    drafts: DraftStore
    releases: ReleaseStore
    behaviour: BehaviourStore
    impressions: ImpressionStore
    experiments: ExperimentStore
    broadcaster: Broadcaster
    if backends.mongo_db is None:
        from gateway.slots.stores.memory_definitions import MemoryDraftStore, MemoryReleaseStore

        drafts, releases = MemoryDraftStore(), MemoryReleaseStore()
    else:
        from gateway.slots.stores.mongo_definitions import MongoDraftStore, MongoReleaseStore

        drafts, releases = MongoDraftStore(backends.mongo_db), MongoReleaseStore(backends.mongo_db)
    if backends.redis is None:
        from gateway.slots.stores.memory_broadcast import MemoryBroadcaster
        from gateway.slots.stores.memory_counters import (
            MemoryBehaviourStore,
            MemoryExperimentStore,
            MemoryImpressionStore,
        )

        behaviour, impressions, experiments = MemoryBehaviourStore(), MemoryImpressionStore(), MemoryExperimentStore()
        broadcaster = MemoryBroadcaster()
    else:
        from gateway.slots.stores.redis_broadcast import RedisBroadcaster
        from gateway.slots.stores.redis_counters import (
            RedisBehaviourStore,
            RedisExperimentStore,
            RedisImpressionStore,
        )

        client, prefix = backends.redis, backends.redis_prefix
        behaviour = RedisBehaviourStore(client, prefix)
        impressions = RedisImpressionStore(client, prefix)
        experiments = RedisExperimentStore(client, prefix)
        broadcaster = RedisBroadcaster(client, f"{prefix}slots:releases")
    return SlotStores(drafts, releases, behaviour, impressions, experiments, broadcaster)


__all__ = [
    "BehaviourStore",
    "Broadcaster",
    "DraftStore",
    "ExperimentStore",
    "ImpressionStore",
    "ReleaseStore",
    "SlotStores",
    "open_stores",
]
