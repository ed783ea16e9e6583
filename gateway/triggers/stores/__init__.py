"""The triggers area's stores: timers and the webhook outbox (MongoDB), both claimed with leases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.platform.backends import Backends
from gateway.triggers.stores.protocol import OutboxStore, TimerStore


@dataclass(frozen=True, slots=True)
class TriggerStores:
    timers: TimerStore
    outbox: OutboxStore


def open_stores(backends: Backends) -> TriggerStores:
    if backends.mongo_db is None:
        from gateway.triggers.stores.memory import MemoryOutboxStore, MemoryTimerStore

        return TriggerStores(MemoryTimerStore(), MemoryOutboxStore())
    from gateway.triggers.stores.mongo import MongoOutboxStore, MongoTimerStore

    return TriggerStores(MongoTimerStore(backends.mongo_db), MongoOutboxStore(backends.mongo_db))


async def create_indexes(db: Any) -> None:
    await db.trigger_timers.create_index([("due_at", 1)])
    await db.trigger_timers.create_index([("profile_id", 1)])
    await db.webhook_outbox.create_index([("status", 1), ("next_attempt_at", 1)])
    await db.webhook_outbox.create_index([("profile_id", 1), ("kind", 1), ("created_at", 1)])


__all__ = ["OutboxStore", "TimerStore", "TriggerStores", "create_indexes", "open_stores"]
