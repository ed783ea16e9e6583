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
from datetime import UTC, datetime

from gateway.kernel import StoreUnavailable, VisitorId
from gateway.visitors.stores.protocol import ProfileStore, SessionStore
from gateway.visitors.values.consent import Purpose, allows
from gateway.visitors.values.engagement import EngagementPolicy, Tier
from gateway.visitors.values.profile import DEFAULT_HALF_LIFE_DAYS, Interest, Profile, empty_profile
from gateway.visitors.values.session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VisitorState:
    visitor_id: VisitorId
    session: Session
    profile: Profile
    degraded: tuple[str, ...] = ()
    no_consent: bool = False  # consent is required and personalization was not granted

    @property
    def personalized(self) -> bool:
        return not self.degraded and not self.no_consent

    @property
    def reason(self) -> str | None:
        """Why answers are not personalized: NO_CONSENT or STORE_UNAVAILABLE; None when they are."""
        if self.no_consent:
            return "NO_CONSENT"
        return "STORE_UNAVAILABLE" if self.degraded else None


class VisitorService:
    def __init__(
        self,
        sessions: SessionStore,
        profiles: ProfileStore,
        on_degraded: Callable[[str], None] | None = None,
        *,
        consent_required: bool = False,
        half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
        engagement: EngagementPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._profiles = profiles
        self._on_degraded = on_degraded or (lambda store: None)
        self._consent_required = consent_required
        self._half_life = half_life_days
        self._engagement = engagement or EngagementPolicy()
        self._clock = clock

    def interests(self, profile: Profile, limit: int) -> list[Interest]:
        """The profile's interests scored now, strongest first."""
        return profile.interests(self._clock(), self._half_life, limit)

    def engagement(self, profile: Profile) -> tuple[float, Tier]:
        """The profile's engagement score now, and its tier."""
        score = self._engagement.score(profile.engagement_mass, self._clock())
        return score, self._engagement.tier(score)

    async def load(self, ids: Sequence[VisitorId], *, cache: bool = True) -> list[VisitorState]:
        """States in id order. `cache=False` (editors' previews) leaves the session store as it was:
        a profile read from MongoDB is not copied into the session."""
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
                # Keyed by the id asked for: a merged visitor's profile has the survivor's id.
                loaded = {vid: p for vid, p in zip(missing, found, strict=True) if p is not None}
            except StoreUnavailable as exc:
                log.warning("profiles unavailable, serving without profile: %s", exc.message)
                degraded.append("profiles")
            if cache and not degraded:
                for vid in missing:
                    if vid in loaded:
                        await self._cache(vid, loaded[vid])
        for store in degraded:
            self._on_degraded(store)
        states = []
        for vid, session in zip(ids, sessions, strict=True):
            profile = (session.profile if session else None) or loaded.get(vid) or empty_profile(vid)
            no_consent = self._consent_required and not allows(profile.consent, Purpose.PERSONALIZATION, required=True)
            if no_consent:  # answer as for a stranger: nothing learnt about them is used
                profile = replace(empty_profile(vid), consent=profile.consent)
            state = VisitorState(
                vid, replace(session or Session(vid), profile=None), profile, tuple(degraded), no_consent
            )
            states.append(state)
        return states

    async def _cache(self, visitor_id: VisitorId, profile: Profile) -> None:
        try:
            await self._sessions.cache_profile(visitor_id, profile)
        except StoreUnavailable as exc:
            log.warning("could not cache profile in session store: %s", exc.message)
