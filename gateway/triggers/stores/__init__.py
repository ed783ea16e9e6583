"""The triggers area's stores: timers, the webhook outbox and journey positions (MongoDB), each
claimed with leases, and the automation workspace and its releases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.platform.backends import Backends
from gateway.platform.releases import Kinds
from gateway.triggers.stores.protocol import (
    AutomationDraftStore,
    AutomationReleaseStore,
    OutboxStore,
    PositionStore,
    TimerStore,
)
from gateway.triggers.values.automation import ID_FIELD, KINDS

AUTOMATION_KINDS = Kinds(KINDS, ID_FIELD)


@dataclass(frozen=True, slots=True)
class TriggerStores:
    timers: TimerStore
    outbox: OutboxStore
    positions: PositionStore
    drafts: AutomationDraftStore
    releases: AutomationReleaseStore


def open_stores(backends: Backends) -> TriggerStores:
    if backends.mongo_db is None:
        from gateway.platform.releases.memory import MemoryDraftStore, MemoryReleaseStore
        from gateway.triggers.stores.memory import MemoryOutboxStore, MemoryTimerStore
        from gateway.triggers.stores.memory_positions import MemoryPositionStore

        return TriggerStores(
            MemoryTimerStore(),
            MemoryOutboxStore(),
            MemoryPositionStore(),
            MemoryDraftStore(AUTOMATION_KINDS),
            MemoryReleaseStore(),
        )
    from gateway.platform.releases.mongo import MongoDraftStore, MongoReleaseStore
    from gateway.triggers.stores.mongo import MongoOutboxStore, MongoTimerStore
    from gateway.triggers.stores.mongo_positions import MongoPositionStore

    db = backends.mongo_db
    return TriggerStores(
        MongoTimerStore(db),
        MongoOutboxStore(db),
        MongoPositionStore(db),
        MongoDraftStore(db, "automation_drafts", AUTOMATION_KINDS),
        MongoReleaseStore(db, "automation_releases"),
    )


async def create_indexes(db: Any) -> None:
    await db.trigger_timers.create_index([("due_at", 1)])
    await db.trigger_timers.create_index([("profile_id", 1)])
    await db.webhook_outbox.create_index([("status", 1), ("next_attempt_at", 1)])
    await db.webhook_outbox.create_index([("profile_id", 1), ("kind", 1), ("created_at", 1)])
    await db.webhook_outbox.create_index([("kind", 1), ("created_at", 1)])
    await db.journey_positions.create_index([("status", 1), ("due_at", 1)])
    await db.journey_positions.create_index([("profile_id", 1)])
    await db.journey_positions.create_index([("journey", 1), ("entered_at", -1)])


__all__ = [
    "AutomationDraftStore",
    "AutomationReleaseStore",
    "OutboxStore",
    "PositionStore",
    "TimerStore",
    "TriggerStores",
    "create_indexes",
    "open_stores",
]
