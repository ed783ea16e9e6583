"""Segments: a named condition over profiles, with real-time and scheduled membership (pure).

Definitions use the condition language of `domain.conditions`. A segment is *time-based*
when its truth can change with no new event (behaviour windows, dates, engagement decay):
those are re-evaluated on a schedule; others change only when the profile does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.audiences.values.conditions import (
    All,
    AnyOf,
    BehaviourCheck,
    Condition,
    FieldCheck,
    Not,
    parse_condition,
)
from gateway.audiences.values.problems import Collector, ConditionError

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TIME_FIELDS = {"profile.firstSeen", "profile.lastSeen", "profile.engagementScore", "profile.engagementTier", "time.now"}
ENTERED = "Segment Entered"
EXITED = "Segment Exited"


@dataclass(frozen=True, slots=True)
class Segment:
    key: str
    name: str
    description: str
    definition: Mapping[str, Any]  # the condition as the editor wrote it (JSON)
    condition: Condition
    updated_at: datetime

    @property
    def time_based(self) -> bool:
        return is_time_based(self.condition)


def is_time_based(node: Condition) -> bool:
    if isinstance(node, All | AnyOf):
        return any(is_time_based(c) for c in node.children)
    if isinstance(node, Not):
        return is_time_based(node.child)
    if isinstance(node, BehaviourCheck):
        return True
    assert isinstance(node, FieldCheck)
    return node.field in TIME_FIELDS


def history_days(node: Condition) -> float:
    """The longest behaviour window in the tree (0 when it counts no behaviour)."""
    if isinstance(node, All | AnyOf):
        return max(history_days(c) for c in node.children)
    if isinstance(node, Not):
        return history_days(node.child)
    if isinstance(node, BehaviourCheck):
        return node.query.within_days
    return 0.0


def _check_key(key: str) -> None:
    if not KEY.match(key):
        raise ConditionError("key", "use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit")


def build_segment(
    key: str, name: str, description: str, definition: Mapping[str, Any], updated_at: datetime
) -> Segment:
    """Validate an editor's definition; raises ConditionError (Problems: every problem) with paths."""
    found = Collector()
    found.attempt(lambda: _check_key(key))
    if not name.strip() or len(name) > 120:
        found.add("name", "give a name of 1-120 characters")
    if len(description) > 1000:
        found.add("description", "at most 1000 characters")
    condition = found.attempt(lambda: parse_condition(definition))
    found.check()
    assert condition is not None
    return Segment(key, name.strip(), description, dict(definition), condition, updated_at)
