"""The triggers area's storage contracts: timers, the webhook outbox and journey positions (each
claimed with leases), and the editors' automation workspace and releases.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from gateway.kernel import VisitorId
from gateway.platform.releases import Release, ReleaseInfo
from gateway.triggers.values import Delivery, DeliveryStatus, Timer
from gateway.triggers.values.journeys import Position, PositionStatus


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

    async def count_since(self, profile_id: VisitorId, rule: str, since: datetime) -> int:
        """Deliveries (sent, pending, dead or held out) of a rule for the profile since then: frequency caps."""
        ...

    async def find(
        self,
        *,
        status: DeliveryStatus | None = None,
        profile_id: VisitorId | None = None,
        rule: str | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Oldest first; `rule` keeps one rule's or journey's."""
        ...

    async def erase(self, profile_ids: Sequence[VisitorId]) -> int: ...


class PositionStore(Protocol):
    """Where each person is in each journey: one document per (journey, person), moved by
    compare-and-set on its `seq` and claimed with a lease when due (see `Position`)."""

    async def get_many(self, keys: Sequence[str]) -> list[Position | None]: ...

    async def enter(self, position: Position) -> bool:
        """Start a run unless the person is in this journey now or this run already started
        (same `run`); True if it started. Keeps the recent entry times for the cap."""
        ...

    async def claim_due(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Position]:
        """Active positions due now that no one holds (or whose holder's lease ran out)."""
        ...

    async def move(self, position: Position, *, release: bool) -> bool:
        """Store `position` (its step, status, due time...) if the stored `seq` is still
        `position.seq`, then bump `seq`; True if it moved. `release` gives up the claim."""
        ...

    async def exit(self, profile_id: VisitorId, journeys: Sequence[str], at: datetime) -> int:
        """Take the person out of these journeys (exitOn); answers how many runs ended."""
        ...

    async def find(
        self, journey: str | None, status: PositionStatus | None, profile_id: VisitorId | None, limit: int
    ) -> list[Position]:
        """Positions, most recently entered first (operators and the console)."""
        ...

    async def erase(self, profile_id: VisitorId) -> int: ...


class AutomationDraftStore(Protocol):
    """The editors' automation workspace: the current draft of every definition, as raw JSON."""

    async def all(self) -> dict[str, list[dict[str, Any]]]:
        """kind ("events", "channels", "rules", "journeys") -> definitions sorted by key."""
        ...

    async def put(self, kind: str, key: str, definition: Mapping[str, Any], by: str) -> None: ...

    async def delete(self, kind: str, key: str) -> bool: ...

    async def replace_all(self, definitions: Mapping[str, list[dict[str, Any]]], by: str) -> None: ...


class AutomationReleaseStore(Protocol):
    """Published automation releases, numbered 1, 2, 3...; each written once."""

    async def append(self, release: Release) -> bool:
        """False if the version number is taken (a concurrent publish)."""
        ...

    async def get(self, version: int) -> Release | None: ...

    async def history(self, limit: int) -> list[ReleaseInfo]:
        """Newest first, without the definitions."""
        ...
