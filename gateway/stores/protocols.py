"""The storage contracts. Each has a memory implementation and a real one (MongoDB or Redis).

Implementations are chosen by URL scheme in `gateway.stores.factory`. Every read a request
needs is batch-first: `get_many(keys)` answers in key order with None for a missing key,
which is exactly a DataLoader batch function.

Implementations translate driver exceptions into `gateway.errors.StoreUnavailable`;
nothing above a store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from gateway.domain.api_keys import ApiKey
from gateway.domain.catalog import (
    Brand,
    BrandId,
    Category,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
)
from gateway.domain.events import Event, StoredEvent
from gateway.domain.profile import Profile, ProfileChange
from gateway.domain.releases import Exposure, Release, ReleaseInfo
from gateway.domain.session import Session, SessionChange
from gateway.domain.signals import HistoryEntry, SignalUpdate
from gateway.domain.vectors import ProductVector
from gateway.domain.visitor import VisitorId


class CatalogStore(Protocol):
    """Products, brands and the category tree."""

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]: ...

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]: ...

    async def all_categories(self) -> list[Category]:
        """The whole tree (small: thousands of nodes at most)."""
        ...

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        """Ids of one page of matching products, and the total number of matches."""
        ...

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        """Insert or replace all of them atomically: after a failure none is applied."""
        ...

    async def revision(self) -> tuple[int, int]:
        """(number of products, revision); the revision grows with every upsert."""
        ...


class ProfileStore(Protocol):
    """Long-term visitor profiles (MongoDB in production)."""

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Profile | None]: ...

    async def apply(self, visitor_id: VisitorId, changes: Sequence[ProfileChange]) -> Profile:
        """Apply events' changes in order and return the profile after them.

        Each change is atomic and idempotent per `event_key`: a change already applied is
        not applied again (the store remembers each profile's most recent event keys).
        """
        ...

    async def delete(self, visitor_id: VisitorId) -> None: ...


class SessionStore(Protocol):
    """Live session state (Redis in production), with a sliding expiry."""

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Session | None]:
        """Sessions in key order; reading one slides its expiry. One round trip for all."""
        ...

    async def apply(self, visitor_id: VisitorId, changes: Sequence[SessionChange]) -> Session:
        """Apply events' changes atomically, in order; idempotent per `event_key`."""
        ...

    async def cache_profile(self, visitor_id: VisitorId, profile: Profile) -> None:
        """Keep a copy of the profile beside the session so a warm request skips MongoDB."""
        ...

    async def delete(self, visitor_id: VisitorId) -> None: ...


class EventStore(Protocol):
    """The durable event log. Idempotent on `message_id` per visitor."""

    async def append(self, events: Sequence[Event]) -> list[bool]:
        """Store events; per event True if new, False if its message id was already stored."""
        ...

    async def mark_applied(self, keys: Sequence[str]) -> None:
        """Record that these events' effects reached the session and profile."""
        ...

    async def unapplied(self, older_than_seconds: float, limit: int) -> list[StoredEvent]:
        """Events stored but not yet applied (a crash or an outage in between): to replay."""
        ...

    async def for_visitor(self, visitor_id: VisitorId, limit: int) -> list[StoredEvent]: ...


class SignalStore(Protocol):
    """Collaborative signals shared by every gateway instance (Redis in production).

    Lists are bounded sorted sets named by signal keys (`gateway.domain.signals`); each
    visitor has a short history, most recent first.
    """

    async def record(self, updates: Sequence[SignalUpdate]) -> list[bool]:
        """Apply each update atomically and at most once per `event_key`; True if applied now."""
        ...

    async def histories(self, visitor_ids: Sequence[VisitorId]) -> list[tuple[HistoryEntry, ...]]:
        """Each visitor's history, most recent first (empty if none). One round trip."""
        ...

    async def lookup(self, keys: Sequence[str], k: int) -> list[list[tuple[ProductId, float]]]:
        """The top `k` (product, score) of each list, best first (ties: larger id first). One round trip."""
        ...

    async def clicks(self) -> dict[str, int]:
        """Clicks attributed to each strategy (Product Clicked carrying a recommendation id)."""
        ...


class VectorStore(Protocol):
    """Product embeddings (MongoDB: `product_vectors`, float32 as compact BSON binary)."""

    async def hashes(self, model: str) -> dict[ProductId, str]:
        """The content hash of every product embedded with `model`."""
        ...

    async def put(self, vectors: Sequence[ProductVector]) -> None:
        """Insert or replace; bumps the revision."""
        ...

    async def remove(self, ids: Sequence[ProductId]) -> None: ...

    async def load(self, model: str) -> tuple[list[ProductId], npt.NDArray[np.float32]]:
        """Every vector of `model`: ids and a matrix with one row per id (ordered by id)."""
        ...

    async def revision(self, model: str) -> int:
        """Grows with every put or remove: a cheap check for 'did anything change'."""
        ...


class ApiKeyStore(Protocol):
    """Admin API keys, stored by digest (never the key itself)."""

    async def create(self, key: ApiKey) -> None: ...

    async def by_digest(self, digest: str) -> ApiKey | None:
        """The key with this digest, revoked or not; None if there is none."""
        ...

    async def list(self) -> list[ApiKey]:
        """Every key, oldest first."""
        ...

    async def revoke(self, key_id: str) -> bool:
        """Mark a key revoked; False if there is no such key."""
        ...


class DraftStore(Protocol):
    """The editors' workspace: the current draft of every definition, as raw JSON objects."""

    async def all(self) -> dict[str, list[dict[str, Any]]]:
        """kind ("slots", "variants", "audiences", "experiments") -> definitions sorted by key."""
        ...

    async def put(self, kind: str, key: str, definition: Mapping[str, Any], by: str) -> None: ...

    async def delete(self, kind: str, key: str) -> bool:
        """False if there was no such definition."""
        ...

    async def replace_all(self, definitions: Mapping[str, list[dict[str, Any]]], by: str) -> None:
        """Make the workspace exactly `definitions` (a rollback)."""
        ...


class ReleaseStore(Protocol):
    """Published releases, numbered 1, 2, 3...; a release is one document, written once."""

    async def append(self, release: Release) -> bool:
        """Store a release; False if its version number is already taken (a concurrent publish)."""
        ...

    async def get(self, version: int) -> Release | None: ...

    async def latest(self) -> Release | None: ...

    async def history(self, limit: int) -> list[ReleaseInfo]:
        """Newest first, without the definitions."""
        ...


class BehaviourStore(Protocol):
    """Per-visitor event counts in UTC-day buckets (see gateway.domain.behaviour). Bounded:
    day buckets expire after the longest window."""

    async def record(self, visitor_id: VisitorId, event_key: str, day: str, fields: Sequence[str]) -> bool:
        """Add 1 to each field of that day; idempotent per event key (False: already counted)."""
        ...

    async def counts(self, visitor_id: VisitorId, wanted: Sequence[tuple[str, str]]) -> list[int]:
        """Counts for (day, field) pairs, in order; one round trip."""
        ...


class ImpressionStore(Protocol):
    """When each visitor was served each capped variant (frequency caps)."""

    async def record(self, visitor_id: VisitorId, variant_ids: Sequence[str], at: datetime) -> None: ...

    async def counts(self, visitor_id: VisitorId, windows: Sequence[tuple[str, datetime]]) -> list[int]:
        """For each (variant id, since): impressions at or after `since`; one round trip."""
        ...


class ExperimentStore(Protocol):
    """Who was exposed to which arm, and which of them clicked or converted (unique visitors)."""

    async def expose(self, experiment: str, arm: str, visitor_id: VisitorId, at: datetime) -> bool:
        """Record the first exposure of a visitor; False if it was already exposed (any arm)."""
        ...

    async def exposures_of(self, visitor_id: VisitorId, experiments: Sequence[str]) -> list[Exposure | None]: ...

    async def mark(self, experiment: str, metric: str, arm: str, visitor_id: VisitorId) -> bool:
        """Count a visitor once per metric ("clicks", "conversions"); False if already counted."""
        ...

    async def counts(self, experiment: str) -> dict[str, dict[str, int]]:
        """arm -> {"exposures": n, "clicks": n, "conversions": n}."""
        ...

    async def reset(self, experiment: str) -> None: ...


class Broadcaster(Protocol):
    """Tells every gateway instance that something changed (Redis pub/sub; in-process in memory)."""

    async def publish(self, message: str) -> None: ...

    def listen(self) -> AsyncIterator[str]:
        """Messages as they come, until cancelled; raises StoreUnavailable when the link fails."""
        ...
