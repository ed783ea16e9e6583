"""Audiences: the condition language, segments and their memberships, and the facts slot
audiences can use (segments, engagement tiers, per-channel counts).

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.audiences.audience_facts import AudienceFacts
from gateway.audiences.segment_service import SegmentChangeListener, SegmentService
from gateway.audiences.stores import AudienceStores, MembershipStore, SegmentStore, create_indexes, open_stores
from gateway.audiences.values.condition_evaluation import evaluate
from gateway.audiences.values.conditions import (
    BehaviourCheck,
    BehaviourQuery,
    Condition,
    ConditionError,
    ExtraFields,
    FieldCheck,
    Kind,
    Not,
    fields_of,
    parse_condition,
)
from gateway.audiences.values.profile_facts import behaviour_counter, channels_used, profile_facts
from gateway.audiences.values.segments import ENTERED, EXITED, KEY, Segment, build_segment, history_days

__all__ = [
    "ENTERED",
    "EXITED",
    "KEY",
    "AudienceFacts",
    "AudienceStores",
    "BehaviourCheck",
    "BehaviourQuery",
    "Condition",
    "ConditionError",
    "ExtraFields",
    "FieldCheck",
    "Kind",
    "MembershipStore",
    "Not",
    "Segment",
    "SegmentChangeListener",
    "SegmentService",
    "SegmentStore",
    "behaviour_counter",
    "build_segment",
    "channels_used",
    "create_indexes",
    "evaluate",
    "fields_of",
    "history_days",
    "open_stores",
    "parse_condition",
    "profile_facts",
]
