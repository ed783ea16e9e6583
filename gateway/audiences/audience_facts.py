"""Facts this area adds to slot audiences: segments, engagement, channels, counters.

The slot service (issue 4) evaluates audiences with the same condition language as
segments; it takes extra facts from providers `(VisitorState) -> Mapping`. Register this
one with `slots.add_fact_provider(container.customer.audience_facts)`. It fails open: with
the membership store down the answer has no `segments` key (those conditions do not match),
and a visitor without personalization consent gets no facts at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.audiences.segment_service import SegmentService
from gateway.audiences.values.profile_facts import profile_facts
from gateway.kernel import StoreUnavailable
from gateway.visitors import EngagementPolicy, VisitorState

log = logging.getLogger(__name__)

PROVIDED_PREFIXES = ("profile.engagement", "profile.channels", "profile.counters.", "profile.interests.")


class AudienceFacts:
    def __init__(
        self,
        segments: SegmentService,
        engagement: EngagementPolicy,
        interest_half_life_days: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._segments = segments
        self._engagement = engagement
        self._half_life = interest_half_life_days
        self._clock = clock

    async def __call__(self, state: VisitorState) -> Mapping[str, Any]:
        if state.no_consent:
            return {}
        everything = profile_facts(
            state.profile, self._clock(), interest_half_life_days=self._half_life, engagement=self._engagement
        )
        facts: dict[str, Any] = {k: v for k, v in everything.items() if k.startswith(PROVIDED_PREFIXES)}
        if state.degraded:
            return facts
        try:
            (keys,) = await self._segments.of([state.profile.visitor_id])
        except StoreUnavailable as exc:
            log.warning("segment memberships unavailable for an audience: %s", exc.message)
            return facts
        facts["segments"] = sorted(keys)
        return facts
