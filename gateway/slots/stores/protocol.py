"""The slots area's storage contracts: definitions and releases, per-visitor counters, release broadcasts.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from gateway.kernel import VisitorId
from gateway.platform.releases import Release, ReleaseInfo
from gateway.slots.values.exposures import Exposure


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
    """Per-visitor event counts in UTC-day buckets (see gateway.slots.values.behaviour). Bounded:
    day buckets expire after the longest window."""

    async def record(self, visitor_id: VisitorId, event_key: str, day: str, fields: Sequence[str]) -> bool:
        """Add 1 to each field of that day; idempotent per event key (False: already counted)."""
        ...

    async def counts(self, visitor_ids: Sequence[VisitorId], wanted: Sequence[tuple[str, str]]) -> list[int]:
        """Counts for (day, field) pairs, in order, summed over `visitor_ids` (a person's
        devices: each event is counted under one device only); one round trip."""
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
