"""The triggers area's storage contracts: timers and the webhook outbox, both claimed with leases.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from gateway.kernel import VisitorId
from gateway.triggers.values import Delivery, DeliveryStatus, Timer, TriggerKind


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
