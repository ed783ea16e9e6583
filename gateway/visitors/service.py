"""A visitor's live session and long-term profile, as the request path needs them.

One call loads any number of visitors: one pipelined Redis read for all sessions (each
carries a cached copy of the profile), then one MongoDB read for the profiles that were
not cached, which are cached for the next request. Personalization fails open: if a store
is down the visitor is served an empty session or profile and `degraded` names the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from gateway.kernel import StoreUnavailable, VisitorId
from gateway.visitors.stores.protocol import ProfileStore, SessionStore
from gateway.visitors.values.consent import Purpose, allows
from gateway.visitors.values.engagement import EngagementPolicy, Tier
from gateway.visitors.values.profile import DEFAULT_HALF_LIFE_DAYS, ConsentRecord, Interest, Profile, empty_profile
from gateway.visitors.values.session import RECENTLY_VIEWED_CAP, CartLine, Session
from gateway.visitors.values.staged import with_pending

log = logging.getLogger(__name__)


MAX_OTHER_DEVICES = 20  # the most recently merged devices of a person read beside this one


@dataclass(frozen=True, slots=True)
class VisitorState:
    """One device's view of its person. After identify/alias a person has several devices:
    `session.recently_viewed` is the person's (this device's views first, then the others' by
    their last activity), `session.cart` stays this device's, `person_cart` holds the carts of
    all the person's live devices, and `devices` names every device whose per-visitor counts
    (slot behaviour, recommendation history) belong to the person."""

    visitor_id: VisitorId
    session: Session
    profile: Profile
    degraded: tuple[str, ...] = ()
    # Personalization was withdrawn (or, with consent required, never granted): the answer is
    # the one a stranger gets, and nothing about this visit is recorded for personalization.
    no_consent: bool = False
    devices: tuple[VisitorId, ...] = ()  # this device first, then the person's other devices
    person_cart: tuple[CartLine, ...] = ()
    # Equal fingerprints mean the same stored state (this device's session and profile copy,
    # and the other devices' sessions): what was derived from one may be served for the other.
    # None when unknown (a cold or degraded read): nothing derived may be reused then.
    fingerprint: int | None = None

    @property
    def device_ids(self) -> tuple[VisitorId, ...]:
        return self.devices or (self.visitor_id,)

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

    async def consents(self, ids: Sequence[VisitorId]) -> list[Mapping[str, ConsentRecord]]:
        """Each visitor's latest consent decisions (from the session's cached profile when warm)."""
        return [state.profile.consent for state in await self.load(ids)]

    def interests(self, profile: Profile, limit: int) -> list[Interest]:
        """The profile's interests, strongest first, scored from 0 to 1 (the strongest is 1): the
        decayed weights behind them have no meaning on their own scale."""
        found = profile.interests(self._clock(), self._half_life, limit)
        top = found[0].score if found and found[0].score > 0 else 1.0
        return [replace(i, score=round(i.score / top, 6)) for i in found]

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
            if session is not None and session.pending:  # accepted events the intake has not applied yet
                profile = with_pending(profile, session.pending)
            no_consent = not allows(profile.consent, Purpose.PERSONALIZATION, required=self._consent_required)
            own = replace(session or Session(vid), profile=None, pending=())
            if no_consent:  # answer as for a stranger: nothing learnt about them is used
                profile = replace(empty_profile(vid), consent=profile.consent)
            fingerprint: int | None = None
            if session is not None and session.profile is not None and session.fingerprint is not None and not degraded:
                fingerprint = hash((session.fingerprint, no_consent))
            states.append(
                VisitorState(
                    vid, own, profile, tuple(degraded), no_consent, person_cart=own.cart, fingerprint=fingerprint
                )
            )
        if not degraded:
            states = await self._with_other_devices(states)
        return states

    async def _with_other_devices(self, states: list[VisitorState]) -> list[VisitorState]:
        """A person's state read across their devices: one more round trip, only for people
        with several devices (after identify or alias)."""
        others = {
            s.visitor_id: [
                d for d in dict.fromkeys([s.profile.visitor_id, *s.profile.merged_from]) if d != s.visitor_id
            ][-MAX_OTHER_DEVICES:]
            for s in states
            if not s.no_consent and s.profile.merged_from
        }
        wanted = list(dict.fromkeys(d for ds in others.values() for d in ds))
        if not wanted:
            return states
        try:
            found = dict(zip(wanted, await self._sessions.get_many(wanted), strict=True))
        except StoreUnavailable as exc:
            log.warning("other devices' sessions unavailable: %s", exc.message)
            return states
        out = []
        for state in states:
            devices = others.get(state.visitor_id)
            if not devices:
                out.append(state)
                continue
            live = sorted(
                (s for d in devices if (s := found.get(d)) is not None),
                key=lambda s: s.last_activity or datetime.min.replace(tzinfo=UTC),
                reverse=True,
            )
            viewed = tuple(
                dict.fromkeys([*state.session.recently_viewed, *(p for s in live for p in s.recently_viewed)])
            )
            session = replace(state.session, recently_viewed=viewed[:RECENTLY_VIEWED_CAP])
            carts = (*state.session.cart, *(line for s in live for line in s.cart))
            out.append(replace(state, session=session, devices=(state.visitor_id, *devices), person_cart=carts))
        return out

    async def _cache(self, visitor_id: VisitorId, profile: Profile) -> None:
        try:
            await self._sessions.cache_profile(visitor_id, profile)
        except StoreUnavailable as exc:
            log.warning("could not cache profile in session store: %s", exc.message)
