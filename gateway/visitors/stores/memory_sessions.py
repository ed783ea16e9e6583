"""In-process sessions with the same sliding 30-minute expiry as Redis."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from gateway.kernel import VisitorId
from gateway.visitors.values.profile import Profile
from gateway.visitors.values.session import SESSION_TTL_SECONDS, Session, SessionChange, apply_change
from gateway.visitors.values.staged import STAGED_CAP, StagedChange, with_staged


class MemorySessionStore:
    def __init__(self, ttl_seconds: float = SESSION_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._sessions: dict[VisitorId, tuple[Session, float]] = {}
        self._versions = itertools.count(1)  # every write stores a new fingerprint
        self._staged: dict[VisitorId, tuple[list[StagedChange], float]] = {}

    def _live(self, visitor_id: VisitorId) -> Session | None:
        entry = self._sessions.get(visitor_id)
        if entry is None:
            return None
        session, expires = entry
        now = self._clock()
        if expires <= now:
            del self._sessions[visitor_id]
            return None
        self._sessions[visitor_id] = (session, now + self._ttl)
        return session

    def _live_staged(self, visitor_id: VisitorId) -> list[StagedChange]:
        entry = self._staged.get(visitor_id)
        if entry is None:
            return []
        now = self._clock()
        if entry[1] <= now:
            del self._staged[visitor_id]
            return []
        self._staged[visitor_id] = (entry[0], now + self._ttl)
        return entry[0]

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Session | None]:
        return [self._read(i) for i in ids]

    def _read(self, visitor_id: VisitorId) -> Session | None:
        session, staged = self._live(visitor_id), self._live_staged(visitor_id)
        read = with_staged(visitor_id, session, staged)
        if read is None or not staged or session is None or session.fingerprint is None:
            return read
        # Staged changes are part of the state read: another staged (or unstaged) event is
        # another fingerprint. An event key always stages the same change.
        return replace(read, fingerprint=hash((session.fingerprint, tuple(c.event_key for c in staged))))

    async def apply(self, visitor_id: VisitorId, changes: Sequence[SessionChange]) -> Session:
        session = self._live(visitor_id) or Session(visitor_id)
        for change in changes:
            session = apply_change(session, change)
        session = replace(session, fingerprint=next(self._versions))
        self._sessions[visitor_id] = (session, self._clock() + self._ttl)
        return session

    async def cache_profile(self, visitor_id: VisitorId, profile: Profile) -> None:
        current = self._live(visitor_id) or Session(visitor_id)
        stored = replace(current, profile=profile, fingerprint=next(self._versions))
        self._sessions[visitor_id] = (stored, self._clock() + self._ttl)

    async def delete(self, visitor_id: VisitorId) -> None:
        self._sessions.pop(visitor_id, None)
        self._staged.pop(visitor_id, None)

    async def stage(self, visitor_id: VisitorId, changes: Sequence[StagedChange]) -> None:
        staged = [*self._live_staged(visitor_id), *changes][-STAGED_CAP:]
        self._staged[visitor_id] = (staged, self._clock() + self._ttl)

    async def unstage(self, applied: Mapping[VisitorId, Sequence[str]]) -> None:
        for visitor_id, keys in applied.items():
            entry = self._staged.get(visitor_id)
            if entry is not None:
                gone = set(keys)
                left = [c for c in entry[0] if c.event_key not in gone]
                if left:
                    self._staged[visitor_id] = (left, entry[1])
                else:
                    del self._staged[visitor_id]
