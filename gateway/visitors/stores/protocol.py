"""The visitors area's storage contracts: profiles, live sessions, the event log.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gateway.kernel import VisitorId
from gateway.visitors.values.events import Event, StoredEvent
from gateway.visitors.values.profile import ConsentRecord, Profile, ProfileChange
from gateway.visitors.values.session import Session, SessionChange
from gateway.visitors.values.staged import StagedChange


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


class SessionStore(Protocol):
    """Live session state (Redis in production), with a sliding expiry."""

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Session | None]:
        """Sessions in key order; reading one slides its expiry. One round trip for all.

        Staged changes (`stage`) are applied to the session, their profile changes handed on
        in `Session.pending`; a visitor with only staged changes reads as a new session with them.
        """
        ...

    async def apply(self, visitor_id: VisitorId, changes: Sequence[SessionChange]) -> Session:
        """Apply events' changes atomically, in order; idempotent per `event_key`."""
        ...

    async def cache_profile(self, visitor_id: VisitorId, profile: Profile) -> None:
        """Keep a copy of the profile beside the session so a warm request skips MongoDB."""
        ...

    async def delete(self, visitor_id: VisitorId) -> None:
        """The session, its cached profile and its staged changes."""
        ...

    async def stage(self, visitor_id: VisitorId, changes: Sequence[StagedChange]) -> None:
        """Keep changes of accepted, not yet applied events beside the session (newest `STAGED_CAP`)."""
        ...

    async def unstage(self, applied: Mapping[VisitorId, Sequence[str]]) -> None:
        """Drop the staged changes of these event keys, per visitor (their events are applied)."""
        ...


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

    async def pending(self, events: Sequence[Event]) -> list[Event]:
        """Those of `events` that are stored but not applied yet (the others: applied or absent)."""
        ...

    async def history(
        self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str], since: datetime | None, limit: int
    ) -> list[StoredEvent]:
        """A person's events, newest first: sent from any of their devices, or in store with their card."""
        ...

    async def erase(self, visitor_ids: Sequence[VisitorId], loyalty_cards: Sequence[str]) -> int:
        """Delete a person's events (the `history` set); answers how many were deleted."""
        ...


@dataclass(frozen=True, slots=True)
class JournalEntry:
    entry_id: str  # the journal's own id, increasing within a partition
    event: Event


@dataclass(frozen=True, slots=True)
class Appended:
    entry_ids: list[str | None]  # per event its entry id, or None when its message id was seen before
    # How many of this visitor's entries were waiting before these: events must not be applied
    # ahead of older ones of the same visitor (a profile remembers only its latest event keys).
    waiting: int


@dataclass(frozen=True, slots=True)
class Backlog:
    events: int  # accepted events not yet handed to the event log
    oldest_seconds: float  # age of the oldest of them (0 when none)


class IntakeJournal(Protocol):
    """Accepted events kept durably until the event log holds them (Redis streams in production).

    Events go to one of `partitions` ordered partitions by visitor, so one visitor's events keep
    their order. Idempotent on the event key (visitor, messageId) for `seen_seconds`: beyond that
    window a repeat is accepted again here and the event log, which remembers every key,
    keeps it from being applied twice.
    """

    partitions: int

    def partition_of(self, visitor_id: VisitorId) -> int: ...

    async def append(self, visitor_id: VisitorId, events: Sequence[Event]) -> Appended:
        """One visitor's events, atomically (see `Appended`)."""
        ...

    async def read(self, partition: int, limit: int, older_than_seconds: float = 0.0) -> list[JournalEntry]:
        """The oldest entries of a partition (accepted at least `older_than_seconds` ago), in order."""
        ...

    async def remove(self, partition: int, entries: Sequence[JournalEntry]) -> None:
        """Drop entries whose events the event log now holds, applied."""
        ...

    async def backlog(self) -> Backlog: ...

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        """Drop a visitor's buffered events and seen message ids (erasure)."""
        ...


class VisitorDataEraser(Protocol):
    """A store that keeps per-visitor data outside the profile, session and event log
    (recommendation histories, slot behaviour counts, impressions, experiment membership).
    `forgetVisitor` calls every one; aggregate counts stay, the visitor's traces go."""

    async def erase_visitor(self, visitor_id: VisitorId) -> None: ...
