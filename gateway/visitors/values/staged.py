"""Accepted events not applied yet, shown to their own visitor meanwhile (read-your-writes).

When the intake keeps events in its journal instead of applying them at once (deferred mode,
or MongoDB down or slow), it *stages* what each event will do to the session and the profile
beside the session. Reading the session applies the staged session changes and hands the
staged profile changes on (`Session.pending`), so the visitor who sent the events sees them
at once; when the journal's applier has applied an event it unstages it. Both changes are
idempotent per event key, so a change seen twice (staged and already applied) counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from gateway.kernel import VisitorId
from gateway.visitors.values.profile import Profile, ProfileChange
from gateway.visitors.values.profile import apply_change as apply_profile_change
from gateway.visitors.values.session import Session, SessionChange
from gateway.visitors.values.session import apply_change as apply_session_change

STAGED_CAP = 200  # per visitor, newest kept: the profile's idempotency window (RECENT_EVENT_KEYS_CAP)


@dataclass(frozen=True, slots=True)
class StagedChange:
    event_key: str
    session: SessionChange | None  # None: the event does not touch the sender's session
    profile: ProfileChange | None  # None: it does not touch the sender's profile


def with_staged(visitor_id: VisitorId, session: Session | None, staged: Sequence[StagedChange]) -> Session | None:
    """The session with the staged session changes applied and the profile changes pending."""
    if not staged:
        return session
    current = session or Session(visitor_id)
    for change in staged:
        if change.session is not None:
            current = apply_session_change(current, change.session)
    pending = tuple(c.profile for c in staged if c.profile is not None)
    return replace(current, pending=(*current.pending, *pending)) if pending else current


def with_pending(profile: Profile, pending: Sequence[ProfileChange]) -> Profile:
    """The profile with changes still in the intake journal applied (each at most once)."""
    for change in pending:
        profile = apply_profile_change(profile, change)
    return profile
