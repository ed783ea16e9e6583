"""Audiences: the condition language, segments and their memberships, and the facts slot
audiences can use (segments, engagement tiers, per-channel counts).

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.audiences.audience_facts import AudienceFacts
from gateway.audiences.references import ReferenceCheck, built_in_events
from gateway.audiences.segment_service import SegmentInvalid, SegmentService
from gateway.audiences.stores import AudienceStores, MembershipStore, SegmentStore, create_indexes, open_stores
from gateway.audiences.values.condition_evaluation import evaluate
from gateway.audiences.values.conditions import (
    BehaviourCheck,
    BehaviourQuery,
    Condition,
    ConditionError,
    FieldCheck,
    Not,
    parse_condition,
)
from gateway.audiences.values.profile_facts import behaviour_counter, profile_facts
from gateway.audiences.values.references import Reference, RefKind, condition_references
from gateway.audiences.values.segments import Segment, build_segment

__all__ = [
    "AudienceFacts",
    "AudienceStores",
    "BehaviourCheck",
    "BehaviourQuery",
    "Condition",
    "ConditionError",
    "FieldCheck",
    "MembershipStore",
    "Not",
    "RefKind",
    "Reference",
    "ReferenceCheck",
    "Segment",
    "SegmentInvalid",
    "SegmentService",
    "SegmentStore",
    "behaviour_counter",
    "build_segment",
    "built_in_events",
    "condition_references",
    "create_indexes",
    "evaluate",
    "open_stores",
    "parse_condition",
    "profile_facts",
]
