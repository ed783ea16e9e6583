"""Which track names Vitrine understands, and what becomes of the others.

Vitrine's vocabulary is the Segment e-commerce v2 names (`TRACK_EVENT_NAMES`): those events
change profiles, sessions and segments. A shop that sends its whole stream (the Segment API)
also sends names outside it ("Newsletter Signed Up", "Video Played"): the intake keeps those as
*inert* events (`Event.inert`): stored and exported, counted as kept unused, never applied.

This is one separate step on purpose: when editors can declare their own event names, a
declared name leaves this set of unknowns and is applied like the built-in ones.
On `POST /v1/events` and the `track` mutation an unknown name stays a mistake to fix
(UNKNOWN_EVENT with a suggestion): a client written for Vitrine should send Vitrine's names.
"""

from __future__ import annotations

import difflib
from typing import Any

from gateway.visitors.values.events import TRACK_EVENT_NAMES, EventType

MAX_NAME_LENGTH = 200


def outside_vocabulary(event_type: EventType, name: Any) -> bool:
    """True for a track event whose (well-formed) name Vitrine does not understand."""
    return (
        event_type is EventType.TRACK
        and isinstance(name, str)
        and 0 < len(name) <= MAX_NAME_LENGTH
        and name not in TRACK_EVENT_NAMES
    )


def closest_name(name: str) -> str | None:
    """The vocabulary name `name` was probably meant to be ("Product viewed"), if any."""
    lowered = {known.lower(): known for known in sorted(TRACK_EVENT_NAMES)}
    close = difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None
