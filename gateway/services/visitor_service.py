"""A visitor's live session and long-term profile, as the request path needs them.

One call loads any number of visitors: one pipelined Redis read for all sessions (each
carries a cached copy of the profile), then one MongoDB read for the profiles that were
not cached, which are cached for the next request. Personalization fails open: if a store
is down the visitor is served an empty session or profile and `degraded` names the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gateway.domain.profile import Profile, empty_profile
from gateway.domain.session import Session
from gateway.domain.visitor import VisitorId
from gateway.errors import StoreUnavailable
from gateway.stores.protocols import ProfileStore, SessionStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VisitorState:
    visitor_id: VisitorId
    session: Session
    profile: Profile
    degraded: tuple[str, ...] = ()

    @property
    def personalized(self) -> bool:
        return not self.degraded


class VisitorService:
    def __init__(
        self, sessions: SessionStore, profiles: ProfileStore, on_degraded: Callable[[str], None] | None = None
    ) -> None:
        self._sessions = sessions
        self._profiles = profiles
        self._on_degraded = on_degraded or (lambda store: None)

    async def load(self, ids: Sequence[VisitorId]) -> list[VisitorState]:
        degraded: list[str] = []
        try:
            sessions: list[Session | None] = await self._sessions.get_many(ids)
        except StoreUnavailable as exc:
            log.warning("sessions unavailable, serving without session state: %s", exc.message)
            sessions, degraded = [None] * len(ids), ["sessions"]
        missing = [vid for vid, s in zip(ids, sessions, strict=True) if s is None or s.profile is None]
        loaded: dict[VisitorId, Profile] = {}
        if missing:
            try:
                found = await self._profiles.get_many(missing)
                loaded = {p.visitor_id: p for p in found if p is not None}
            except StoreUnavailable as exc:
                log.warning("profiles unavailable, serving without profile: %s", exc.message)
                degraded.append("profiles")
            if not degraded:
                for vid in missing:
                    if vid in loaded:
                        await self._cache(vid, loaded[vid])
        for store in degraded:
            self._on_degraded(store)
        states = []
        for vid, session in zip(ids, sessions, strict=True):
            profile = (session.profile if session else None) or loaded.get(vid) or empty_profile(vid)
            states.append(VisitorState(vid, replace(session or Session(vid), profile=None), profile, tuple(degraded)))
        return states

    async def _cache(self, visitor_id: VisitorId, profile: Profile) -> None:
        try:
            await self._sessions.cache_profile(visitor_id, profile)
        except StoreUnavailable as exc:
            log.warning("could not cache profile in session store: %s", exc.message)
