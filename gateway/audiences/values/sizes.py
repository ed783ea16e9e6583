"""How many profiles an audience holds now, as far as stored profiles can tell (pure).

A slot audience may test what only a page view knows (`session.*`, `cart.*`, `person.cart.*`,
`time.*`): no stored profile says a visitor's country on their next visit. Such fields are
unknown when profiles are counted, so each profile either certainly matches, certainly does
not, or might (depending on the page view); the answer is then a range. Counting stops after a bounded
number of profiles; the answer says so, and the share of the profiles read is the estimate
(profile ids are random, so the first profiles in id order are a fair sample).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SizeStatus(Enum):
    EXACT = "exact"  # every live profile read; nothing depends on a page view
    ESTIMATE = "estimate"  # the first `scanned` profiles read, more exist
    RANGE = "range"  # between `matching` and `up_to`: part of the condition depends on a page view
    UNKNOWN = "unknown"  # only a page view can tell: no stored profile decides it


@dataclass(frozen=True, slots=True)
class SizeEstimate:
    status: SizeStatus
    matching: int  # profiles read that match whatever the page view
    up_to: int  # profiles read that match or might, depending on the page view
    scanned: int  # profiles read
    complete: bool  # every live profile was read
    page_view_fields: tuple[str, ...]  # fields counted as unknown
    note: str  # the answer in an editor's words


def _n(count: int) -> str:
    return f"{count:,}"


def size_estimate(
    matching: int, up_to: int, scanned: int, complete: bool, page_view_fields: tuple[str, ...]
) -> SizeEstimate:
    fields = ", ".join(page_view_fields)
    of = f"of {_n(scanned)} profiles" if complete else f"of the first {_n(scanned)} profiles read (more exist)"
    if scanned and matching == 0 and up_to == scanned and page_view_fields:
        status = SizeStatus.UNKNOWN
        note = (
            f"Cannot be counted from profiles: it depends on what a page view tells ({fields}), "
            "which no stored profile says."
        )
    elif up_to > matching:
        status = SizeStatus.RANGE
        note = (
            f"Between {_n(matching)} and {_n(up_to)} {of}: it also depends on what a page view tells "
            f"({fields}), which no stored profile says."
        )
    elif complete:
        status = SizeStatus.EXACT
        share = f" ({matching / scanned:.1%})" if scanned else ""
        note = f"{_n(matching)} {of} match now{share}."
    else:
        status = SizeStatus.ESTIMATE
        note = f"{_n(matching)} {of} match now ({matching / scanned:.1%}): an estimate from a sample."
    return SizeEstimate(status, matching, up_to, scanned, complete, page_view_fields, note)
