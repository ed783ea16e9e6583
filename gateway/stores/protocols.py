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
from pathlib import Path
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
from gateway.domain.identifiers import MergeRecord
from gateway.domain.profile import ConsentRecord, Profile, ProfileChange
from gateway.domain.releases import Exposure, Release, ReleaseInfo
from gateway.domain.segments import Segment
from gateway.domain.session import Session, SessionChange
from gateway.domain.signals import HistoryEntry, SignalUpdate
from gateway.domain.triggers import Delivery, DeliveryStatus, Timer, TriggerKind
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
    """Long-term visitor profiles (MongoDB in production).

    A profile merged into another is a tombstone pointing there (`merged_into`); reads and
    writes by the old id follow the pointer, so `get_many` may answer a profile whose
    `visitor_id` differs from the id asked for.
    """

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Profile | None]: ...

    async def apply(self, visitor_id: VisitorId, changes: Sequence[ProfileChange]) -> Profile:
        """Apply events' changes in order and return the profile after them.

        Each change is atomic and idempotent per `event_key`: a change already applied is
        not applied again (the store remembers each profile's most recent event keys).
        """
        ...

    async def delete(self, visitor_id: VisitorId) -> None:
        """Remove this one document (profile or tombstone) entirely."""
        ...

    async def absorb(self, target: VisitorId, source: VisitorId) -> Profile:
        """Merge `source` into `target` (see `domain.profile.absorb`) and leave a tombstone.

        Idempotent and crash-safe; writes to `source` that race with it land in `target`.
        The caller holds leases on both ids (merges of one profile are serialised).
        """
        ...

    async def set_consent(self, visitor_id: VisitorId, purpose: str, record: ConsentRecord) -> Profile:
        """Record a consent decision unless a newer one for that purpose is stored."""
        ...


class ProfileIndex(Protocol):
    """Scans over profiles for background jobs (segment re-evaluation, promotion triggers)."""

    async def scan(self, after: VisitorId | None, limit: int) -> list[Profile]:
        """Live (not merged) profiles in id order, starting after `after`."""
        ...

    async def with_interest(self, key: str, min_mass: float, limit: int) -> list[Profile]:
        """Live profiles whose interest mass for `key` (e.g. "brand:b-x") is at least `min_mass`."""
        ...

    async def with_counter(self, key: str, min_count: int, limit: int) -> list[Profile]:
        """Live profiles whose counter `key` (e.g. "wishlist:p-1") is at least `min_count`."""
        ...


class IdentityStore(Protocol):
    """Which profile each identifier (`kind:value`) belongs to, and the merge history."""

    async def owners(self, identifiers: Sequence[str]) -> list[VisitorId | None]: ...

    async def claim(self, identifiers: Sequence[str], profile_id: VisitorId) -> list[VisitorId]:
        """Give unowned identifiers to `profile_id`; answer every identifier's owner after that.

        Never steals: of two concurrent claims of one identifier exactly one wins.
        """
        ...

    async def repoint(self, source: VisitorId, target: VisitorId) -> None:
        """Move every identifier of `source` to `target` (after a merge)."""
        ...

    async def identifiers_of(self, profile_id: VisitorId) -> list[str]: ...

    async def record_merge(self, record: MergeRecord) -> None: ...

    async def merges_of(self, profile_id: VisitorId) -> list[MergeRecord]:
        """Merges into this profile and into the profiles it absorbed since, oldest first."""
        ...

    async def erase(self, profile_id: VisitorId) -> None:
        """Forget the profile's identifiers and merge history."""
        ...


class TimerStore(Protocol):
    """Trigger timers: one live timer per key, claimed by one worker at a time when due."""

    async def schedule(self, timer: Timer) -> None:
        """Create or move the timer `timer.key`, but never to an earlier deadline than it has."""
        ...

    async def cancel(self, key: str) -> None: ...

    async def claim_due(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Timer]:
        """Due timers no one holds (or whose holder's lease ran out), now held by `owner`."""
        ...

    async def done(self, timer: Timer) -> None:
        """Remove the timer if it is still the version that fired (a reschedule since survives)."""
        ...

    async def erase(self, profile_id: VisitorId) -> int: ...


class OutboxStore(Protocol):
    """The durable webhook outbox; a delivery's id is its idempotency key."""

    async def enqueue(self, delivery: Delivery) -> bool:
        """Add it unless a delivery with that id exists; True if added."""
        ...

    async def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[Delivery]:
        """Pending deliveries whose next attempt is due, held for `lease_seconds`."""
        ...

    async def record(self, delivery: Delivery) -> None:
        """Store an attempt's outcome (status, attempts, next attempt, error) and release it."""
        ...

    async def count_since(self, profile_id: VisitorId, kind: TriggerKind, since: datetime) -> int:
        """Deliveries (sent, pending, dead or held out) of `kind` for the profile since then: frequency caps."""
        ...

    async def find(
        self, *, status: DeliveryStatus | None = None, profile_id: VisitorId | None = None, limit: int = 100
    ) -> list[Delivery]: ...

    async def erase(self, profile_ids: Sequence[VisitorId]) -> int: ...


class LeaseStore(Protocol):
    """Short exclusive leases (locks that expire), shared by every gateway instance."""

    async def acquire(self, key: str, owner: str, ttl_seconds: float) -> bool:
        """True if `owner` now holds `key` (taken, or already held by it and extended)."""
        ...

    async def release(self, key: str, owner: str) -> None:
        """Release if held by `owner`; a lease lost to expiry is left alone."""
        ...


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

    async def history(
        self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str], since: datetime | None, limit: int
    ) -> list[StoredEvent]:
        """A person's events, newest first: sent from any of their devices, or in store with their card."""
        ...

    async def erase(self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str]) -> int:
        """Delete a person's events (the `history` set); answers how many were deleted."""
        ...


class SegmentStore(Protocol):
    """Segment definitions (edited through the admin API)."""

    async def all(self) -> list[Segment]: ...

    async def save(self, segment: Segment) -> None: ...

    async def delete(self, key: str) -> bool: ...


class MembershipStore(Protocol):
    """Which profiles are in which segment."""

    async def memberships(self, profile_ids: Sequence[VisitorId]) -> list[frozenset[str]]: ...

    async def update(
        self, profile_id: VisitorId, entered: Sequence[str], exited: Sequence[str], at: datetime
    ) -> tuple[list[str], list[str]]:
        """Apply entries and exits; answer those that really changed something (exactly once each)."""
        ...

    async def sizes(self) -> dict[str, int]: ...

    async def erase(self, profile_id: VisitorId, segment: str | None = None) -> None:
        """Forget this profile's memberships (all, or one segment's) without Exited events."""
        ...

    async def drop_segment(self, segment: str) -> None: ...


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

    async def lookup(self, keys: Sequence[str], k: int | Sequence[int]) -> list[list[tuple[ProductId, float]]]:
        """The top `k` (product, score) of each list, best first (ties: larger id first). One round trip.

        `k` is one limit for every key or one limit per key (same order as `keys`).
        """
        ...

    async def clicks(self) -> dict[str, int]:
        """Clicks attributed to each strategy (Product Clicked carrying a recommendation id)."""
        ...

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        """Remove this visitor's traces (aggregate counts stay)."""
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


class GraphStore(Protocol):
    """Prebuilt vector index graphs, published by `python -m gateway index` for instances to load.

    One graph per model, keyed by the digest of the vectors it indexes (`gateway.vectors.graph`),
    so a graph built from other vectors is never used. Files, not bytes: a graph is ~1.7 GB
    at 1M products. MongoDB: GridFS bucket `vector_graphs`.
    """

    async def publish(self, model: str, digest: str, path: Path) -> None:
        """Store the file at `path` as `model`'s graph for `digest`, then drop its older graphs.

        Readers never see a half-written graph: it becomes visible once complete.
        """
        ...

    async def fetch(self, model: str, digest: str, path: Path) -> bool:
        """Write `model`'s graph for `digest` to `path`; False when there is none (or it vanished)."""
        ...

    async def digest(self, model: str) -> str | None:
        """The digest of `model`'s newest published graph, None when there is none."""
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

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, dict[str, int]]:
        """Everything counted for this visitor: day -> field -> count (a data export)."""
        ...

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        """Remove this visitor's traces (aggregate counts stay)."""
        ...


class ImpressionStore(Protocol):
    """When each visitor was served each capped variant (frequency caps)."""

    async def record(self, visitor_id: VisitorId, variant_ids: Sequence[str], at: datetime) -> None: ...

    async def counts(self, visitor_id: VisitorId, windows: Sequence[tuple[str, datetime]]) -> list[int]:
        """For each (variant id, since): impressions at or after `since`; one round trip."""
        ...

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, list[datetime]]:
        """Every serve kept for this visitor: variant id -> times, oldest first (a data export)."""
        ...

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        """Remove this visitor's traces (aggregate counts stay)."""
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

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, tuple[Exposure | None, list[str]]]:
        """Every experiment holding this visitor: experiment -> (exposure, metrics counted, sorted)."""
        ...

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        """Remove this visitor's traces (aggregate counts stay)."""
        ...


class Broadcaster(Protocol):
    """Tells every gateway instance that something changed (Redis pub/sub; in-process in memory)."""

    async def publish(self, message: str) -> None: ...

    def listen(self) -> AsyncIterator[str]:
        """Messages as they come, until cancelled; raises StoreUnavailable when the link fails."""
        ...


class VisitorDataEraser(Protocol):
    """A store that keeps per-visitor data outside the profile, session and event log
    (recommendation histories, slot behaviour counts, impressions, experiment membership).
    `forgetVisitor` calls every one; aggregate counts stay, the visitor's traces go."""

    async def erase_visitor(self, visitor_id: VisitorId) -> None: ...
