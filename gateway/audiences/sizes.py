"""Counting the profiles an audience's condition holds now: a bounded scan over stored profiles.

Each live profile is read in id order with its segment memberships (one read per page of
profiles) and evaluated as segments are (`SegmentService.facts_for`); a condition with
behaviour leaves also reads each person's recent events, so it reads fewer profiles. Fields
only a page view knows count as unknown (see `values.sizes`). A profile whose owner withheld
personalization consent, where consent is required, never matches: slots do not use it.
Reading stops at `scan_limit` profiles; the answer says whether it read them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.audiences.segment_service import Person, SegmentService
from gateway.audiences.stores.protocol import MembershipStore
from gateway.audiences.values.condition_evaluation import evaluate_known, fields_of
from gateway.audiences.values.conditions import parse_condition
from gateway.audiences.values.segments import history_days
from gateway.audiences.values.sizes import SizeEstimate, size_estimate
from gateway.audiences.values.vocabulary import is_page_view_field
from gateway.kernel import VisitorId
from gateway.visitors import ProfileIndex, Purpose, allows

SCAN_LIMIT = 2000
BEHAVIOUR_SCAN_LIMIT = 300  # each profile then costs a read of the person's events
PAGE = 500


class AudienceSizes:
    def __init__(
        self,
        segments: SegmentService,
        index: ProfileIndex,
        members: MembershipStore,
        *,
        consent_required: bool,
        scan_limit: int = SCAN_LIMIT,
        behaviour_scan_limit: int = BEHAVIOUR_SCAN_LIMIT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._segments = segments
        self._index = index
        self._members = members
        self._consent_required = consent_required
        self._scan_limit = scan_limit
        self._behaviour_scan_limit = behaviour_scan_limit
        self._clock = clock

    async def estimate(self, definition: Mapping[str, Any]) -> SizeEstimate:
        """How many profiles `definition` (a condition tree) holds now; raises ConditionError."""
        condition = parse_condition(definition)
        window = history_days(condition)
        limit = self._behaviour_scan_limit if window > 0 else self._scan_limit
        page_view = tuple(f for f in fields_of(condition) if is_page_view_field(f))
        now = self._clock()
        matching = up_to = scanned = 0
        after: VisitorId | None = None
        complete = False
        while scanned < limit:
            page = await self._index.scan(after, min(PAGE, limit - scanned))
            if not page:
                complete = True
                break
            memberships = await self._members.memberships([p.visitor_id for p in page])
            for profile, current in zip(page, memberships, strict=True):
                scanned += 1
                if self._consent_required and not allows(profile.consent, Purpose.PERSONALIZATION, required=True):
                    continue
                if window > 0:  # behaviour counts span the person's devices: find them
                    person = await self._segments.person(profile.visitor_id)
                else:
                    person = Person(profile, (profile.visitor_id,), ())
                facts, counter = await self._segments.facts_for(person, current, now, window)
                result = evaluate_known(condition, facts, counter, is_page_view_field)
                matching += result is True
                up_to += result is not False
            after = page[-1].visitor_id
        else:
            complete = not await self._index.scan(after, 1)
        return size_estimate(matching, up_to, scanned, complete, page_view)
