"""In-process sessions with the same sliding 30-minute expiry as Redis."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from gateway.kernel import VisitorId
from gateway.visitors.values.profile import Profile
from gateway.visitors.values.session import SESSION_TTL_SECONDS, Session, SessionChange, apply_change


class MemorySessionStore:
    def __init__(self, ttl_seconds: float = SESSION_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._sessions: dict[VisitorId, tuple[Session, float]] = {}
        self._versions = itertools.count(1)  # every write stores a new fingerprint

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

    async def get_many(self, ids: Sequence[VisitorId]) -> list[Session | None]:
        return [self._live(i) for i in ids]

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
