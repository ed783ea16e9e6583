"""The durable intake: events accepted into a Redis journal, applied from it in order.

`EventService.track` puts accepted events into the intake journal (`IntakeJournal`: a Redis
stream per partition, partitioned by visitor) with one Redis round trip, so it keeps accepting
while MongoDB is down or hanging. Then:

- **inline** (the default): the request applies its events at once, as without a journal,
  waiting at most `apply_budget_seconds`; when that fails or runs over, requests stop trying
  for `retry_after_seconds` (so during an outage they answer at Redis speed);
- **deferred**: the request never applies; the appliers do (the throughput setting).

Events not applied in the request are staged beside the sender's session (read-your-writes,
values/staged.py). A `JournalApplier` in every gateway instance and worker drains the
partitions: it holds a lease per partition (one applier per partition at a time, so a
partition's events are applied in order), appends the events to the event log (MongoDB,
majority write concern), applies them, unstages them, and only then removes them from the
journal. Every step is idempotent per event key, so an applier that dies half-way (its lease
runs out and another takes over) or a request that ran over its budget while applying cause
no double counting. Events that reached the log but failed to apply are replayed from there
(`EventService.replay_unapplied`).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from gateway.kernel import StoreUnavailable
from gateway.platform.leases import LeaseStore
from gateway.visitors.stores.protocol import IntakeJournal, JournalEntry

log = logging.getLogger(__name__)

# Events a till or beacon sends on behalf of a loyalty-card holder: they change that person,
# not the device that sent them, so they are not staged for the sender.
FOR_ANOTHER_PERSON = "loyalty_card_id"


@dataclass(frozen=True, slots=True)
class DurableIntake:
    """How accepted events reach the stores when an intake journal (Redis) is configured."""

    journal: IntakeJournal
    deferred: bool = False  # never apply in the request: the journal's appliers do (throughput)
    apply_budget_seconds: float = 0.3  # inline: how long a request waits for applying its events
    retry_after_seconds: float = 5.0  # after applying failed or ran over: requests skip it this long


def both_down(cause: StoreUnavailable) -> StoreUnavailable:
    """The error `track` raises when neither the journal nor the event log can take events."""
    error = StoreUnavailable("Redis and MongoDB", "event intake", cause)
    error.message = (
        "events cannot be accepted now: the intake journal (Redis) and the event log (MongoDB) are both "
        "unavailable; nothing was accepted, retry later"
    )
    error.args = (error.message,)
    return error


class JournalTarget(Protocol):
    """What applies journal entries: `EventService.apply_journaled`."""

    async def apply_journaled(self, entries: Sequence[JournalEntry]) -> None: ...


class JournalApplier:
    """Drains the intake journal: per partition, under a lease, oldest first."""

    def __init__(
        self,
        target: JournalTarget,
        journal: IntakeJournal,
        leases: LeaseStore,
        *,
        batch: int = 500,
        grace_seconds: float = 0.0,
        lease_seconds: float = 10.0,
        max_batches: int = 20,
    ) -> None:
        """`grace_seconds`: leave entries younger than this to the request that is applying them."""
        self._target = target
        self._journal = journal
        self._leases = leases
        self._batch = batch
        self._grace = grace_seconds
        self._lease_seconds = lease_seconds
        self._max_batches = max_batches
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    async def drain(self, partitions: Sequence[int] | None = None) -> int:
        """Apply what the partitions hold (every one by default, in random order); events applied."""
        order = list(partitions if partitions is not None else range(self._journal.partitions))
        random.shuffle(order)  # appliers in many processes start on different partitions
        done = 0
        for partition in order:
            done += await self._drain_one(partition)
        return done

    async def _drain_one(self, partition: int) -> int:
        lease = f"intake:{partition}"
        if not await self._leases.acquire(lease, self.owner, self._lease_seconds):
            return 0  # another applier holds it
        done = 0
        try:
            for _ in range(self._max_batches):
                entries = await self._journal.read(partition, self._batch, self._grace)
                if not entries:
                    break
                await self._target.apply_journaled(entries)
                await self._journal.remove(partition, entries)
                done += len(entries)
                if len(entries) < self._batch or not await self._leases.acquire(lease, self.owner, self._lease_seconds):
                    break
        finally:
            try:
                await self._leases.release(lease, self.owner)
            except StoreUnavailable as exc:  # the lease runs out on its own
                log.warning("could not release %s: %s", lease, exc.message)
        return done
