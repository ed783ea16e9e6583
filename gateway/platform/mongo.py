"""Opening the MongoDB client, creating indexes, and translating driver errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from gateway.kernel import StoreUnavailable

Document = dict[str, Any]


def open_client(url: str, timeout_ms: int, event_listeners: Sequence[Any] = ()) -> AsyncMongoClient[Document]:
    """One client per event loop; it connects lazily, so this never blocks or fails.
    `event_listeners`: pymongo monitoring listeners (the tracing's command spans)."""
    return AsyncMongoClient(
        url,
        event_listeners=list(event_listeners),
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=max(timeout_ms, 5000),
        appname="vitrine",
    )


@asynccontextmanager
async def translated(store: str, operation: str) -> AsyncIterator[None]:
    """Turn any driver error into StoreUnavailable: nothing above a store sees pymongo."""
    try:
        yield
    except PyMongoError as exc:
        raise StoreUnavailable(store, operation, exc) from exc


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Idempotent; run once at startup."""
    async with translated("MongoDB", "ensure_indexes"):
        await db.products.create_index([("category_ids", 1), ("_id", 1)])
        await db.products.create_index([("brand_id", 1)])
        await db.products.create_index([("tokens", 1)])
        await db.products.create_index([("price_value", 1), ("_id", 1)])
        await db.events.create_index([("visitor_id", 1), ("timestamp", -1)])
        await db.events.create_index([("received_at", 1)], partialFilterExpression={"applied": False}, name="unapplied")
        await db.identities.create_index([("profile_id", 1)])
        await db.merges.create_index([("owner", 1), ("at", 1)])
        await db.events.create_index([("properties.loyalty_card_id", 1)], sparse=True)
        await db.segment_members.create_index([("profile", 1)])
        await db.segment_members.create_index([("segment", 1)])
        await db.trigger_timers.create_index([("due_at", 1)])
        await db.trigger_timers.create_index([("profile_id", 1)])
        await db.webhook_outbox.create_index([("status", 1), ("next_attempt_at", 1)])
        await db.webhook_outbox.create_index([("profile_id", 1), ("kind", 1), ("created_at", 1)])
        await db.api_keys.create_index([("digest", 1)], unique=True)


async def ping(client: AsyncMongoClient[Document]) -> None:
    async with translated("MongoDB", "ping"):
        await client.admin.command("ping")
