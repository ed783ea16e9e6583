"""Opening the MongoDB client, creating indexes, and translating driver errors.

Every wait is bounded by VITRINE_STORE_TIMEOUT_MS: `timeoutMS` (PyMongo's client-side operation
timeout) covers server selection, connecting, each read and the retry PyMongo makes after a
network error, for every operation (each batch of a cursor is one); the server is sent the
remaining time as maxTimeMS. Before, the socket timeout was at least 5 s and a retry could wait
again: requests took up to 7.9 s with MongoDB frozen and a 1 s setting. A circuit breaker
(gateway.platform.breaker) makes the calls after a timeout fail at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError, ServerSelectionTimeoutError

from gateway.kernel import StoreUnavailable
from gateway.platform.breaker import DEFAULT_COOLDOWN_SECONDS, Breaker

Document = dict[str, Any]
INDEX_BUILD_SECONDS = 120.0  # building an index on a large collection takes longer than a request may
BULK_WRITE_SECONDS = 60.0  # a catalogue import batch: offline work, not a request


def is_unavailable(exc: BaseException) -> bool:
    """A wait that ran out: the server did not answer, or none could be selected in time (PyMongo
    waits the whole selection timeout even for a server that refuses connections)."""
    return isinstance(exc, PyMongoError) and exc.timeout


class GuardedMongoClient(AsyncMongoClient[Document]):
    """AsyncMongoClient whose operations go through a circuit breaker.

    `_retry_internal` is the one method every read, write, command and cursor batch of PyMongo 4
    goes through (server selection and PyMongo's own retry included); it is private API, which
    the frozen-server test (tests/platform/test_store_timeouts.py) exercises.
    """

    breaker: Breaker

    async def _retry_internal(self, *args: Any, **kwargs: Any) -> Any:
        async with self.breaker.call():
            return await super()._retry_internal(*args, **kwargs)


def open_client(
    url: str,
    timeout_ms: int,
    breaker_seconds: float = DEFAULT_COOLDOWN_SECONDS,
    event_listeners: Sequence[Any] = (),
) -> AsyncMongoClient[Document]:
    """One client per event loop; it connects lazily, so this never blocks or fails.
    `event_listeners`: pymongo monitoring listeners (the tracing's command spans)."""
    client = GuardedMongoClient(
        url,
        event_listeners=list(event_listeners),
        tz_aware=True,
        timeoutMS=timeout_ms,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=timeout_ms,
        appname="vitrine",
    )
    client.breaker = Breaker("MongoDB", is_unavailable, ServerSelectionTimeoutError, cooldown=breaker_seconds)
    return client


@asynccontextmanager
async def translated(store: str, operation: str) -> AsyncIterator[None]:
    """Turn any driver error into StoreUnavailable: nothing above a store sees pymongo."""
    try:
        yield
    except PyMongoError as exc:
        raise StoreUnavailable(store, operation, exc) from exc


def operation_time(seconds: float) -> Any:
    """`with operation_time(s):` lets the operations inside run up to `s` seconds in all, past the
    store timeout: for offline work only (index builds at startup, catalogue import batches)."""
    return pymongo.timeout(seconds)


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
