"""Audiences: the condition language, segments and their memberships, and the facts slot
audiences can use (segments, engagement tiers, per-channel counts).

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.audiences.audience_facts import AudienceFacts
from gateway.audiences.segment_service import SegmentService
from gateway.audiences.stores import AudienceStores, MembershipStore, SegmentStore, create_indexes, open_stores
from gateway.audiences.values.conditions import (
    FIELDS,
    BehaviourCheck,
    BehaviourQuery,
    Condition,
    ConditionError,
    FieldCheck,
    Not,
    Op,
    evaluate,
    parse_condition,
)
from gateway.audiences.values.profile_facts import behaviour_counter, profile_facts
from gateway.audiences.values.segments import Segment, build_segment
from gateway.audiences.values.vocabulary import FieldInfo, Language, OperatorInfo
from gateway.audiences.vocabulary import Choice, ConditionVocabulary, Vocabulary

__all__ = [
    "FIELDS",
    "AudienceFacts",
    "AudienceStores",
    "BehaviourCheck",
    "BehaviourQuery",
    "Choice",
    "Condition",
    "ConditionError",
    "ConditionVocabulary",
    "FieldCheck",
    "FieldInfo",
    "Language",
    "MembershipStore",
    "Not",
    "Op",
    "OperatorInfo",
    "Segment",
    "SegmentService",
    "SegmentStore",
    "Vocabulary",
    "behaviour_counter",
    "build_segment",
    "create_indexes",
    "evaluate",
    "open_stores",
    "parse_condition",
    "profile_facts",
]
