"""Recording consent per purpose (analytics, personalization, marketing) with time and source."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime

from gateway.identity import IdentityService
from gateway.kernel import InputError, StoreUnavailable, VisitorId
from gateway.visitors import ConsentRecord, Profile, ProfileStore, Purpose, SessionStore, allows

MAX_SOURCE = 64


class ConsentService:
    def __init__(
        self,
        profiles: ProfileStore,
        sessions: SessionStore,
        identity: IdentityService,
        *,
        required: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._profiles = profiles
        self._sessions = sessions
        self._identity = identity
        self.required = required
        self._clock = clock

    def allows(self, profile: Profile, purpose: Purpose) -> bool:
        return allows(profile.consent, purpose, required=self.required)

    async def record(self, visitor_id: VisitorId, decisions: Mapping[Purpose, bool], source: str) -> Profile:
        """Store each decision (now, from `source`) on the visitor's profile; answer the profile."""
        if not decisions:
            raise InputError("give at least one purpose", field="purposes")
        if not source or len(source) > MAX_SOURCE or not source.isprintable():
            raise InputError(
                f"source must be 1-{MAX_SOURCE} printable characters, e.g. 'cookie-banner'", field="source"
            )
        at = self._clock()
        profile: Profile | None = None
        for purpose, granted in decisions.items():
            profile = await self._profiles.set_consent(visitor_id, purpose.value, ConsentRecord(granted, at, source))
        assert profile is not None
        with suppress(StoreUnavailable):  # the copy is refreshed by the next event; the decision is stored
            await self._sessions.cache_profile(visitor_id, profile)
        return profile
