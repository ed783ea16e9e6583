"""The slots area's stores: definitions and releases (MongoDB), per-visitor counters and release
broadcasts (Redis)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.platform.backends import Backends
from gateway.platform.releases import Kinds
from gateway.slots.stores.protocol import (
    BehaviourStore,
    Broadcaster,
    DraftStore,
    ExperimentStore,
    ImpressionStore,
    ReleaseStore,
)
from gateway.slots.values.definitions import ID_FIELD, KINDS

SLOT_KINDS = Kinds(KINDS, ID_FIELD)


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
        from gateway.platform.releases.memory import MemoryDraftStore, MemoryReleaseStore

        drafts, releases = MemoryDraftStore(SLOT_KINDS), MemoryReleaseStore()
    else:
        from gateway.platform.releases.mongo import MongoDraftStore, MongoReleaseStore

        db = backends.mongo_db
        drafts, releases = MongoDraftStore(db, "slot_drafts", SLOT_KINDS), MongoReleaseStore(db, "slot_releases")
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
