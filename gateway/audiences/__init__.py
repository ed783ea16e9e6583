"""Audiences: the condition language, segments and their memberships, and the facts slot
audiences can use (segments, engagement tiers, per-channel counts).

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.audiences.audience_facts import AudienceFacts
from gateway.audiences.references import ReferenceCheck, built_in_events
from gateway.audiences.segment_service import SegmentChangeListener, SegmentInvalid, SegmentService
from gateway.audiences.sizes import AudienceSizes
from gateway.audiences.stores import AudienceStores, MembershipStore, SegmentStore, create_indexes, open_stores
from gateway.audiences.values.condition_evaluation import evaluate
from gateway.audiences.values.conditions import (
    FIELDS,
    BehaviourCheck,
    BehaviourQuery,
    Condition,
    ExtraFields,
    FieldCheck,
    Kind,
    Not,
    Op,
    fields_of,
    parse_condition,
)
from gateway.audiences.values.problems import Collector, ConditionError, Problems, problems_of
from gateway.audiences.values.profile_facts import behaviour_counter, channels_used, profile_facts
from gateway.audiences.values.references import Reference, RefKind, condition_references
from gateway.audiences.values.segments import ENTERED, EXITED, KEY, Segment, build_segment, history_days
from gateway.audiences.values.sizes import SizeEstimate, SizeStatus
from gateway.audiences.values.vocabulary import FieldInfo, Language, OperatorInfo
from gateway.audiences.vocabulary import Choice, ConditionVocabulary, Vocabulary

__all__ = [
    "ENTERED",
    "EXITED",
    "FIELDS",
    "KEY",
    "AudienceFacts",
    "AudienceSizes",
    "AudienceStores",
    "BehaviourCheck",
    "BehaviourQuery",
    "Choice",
    "Collector",
    "Condition",
    "ConditionError",
    "ConditionVocabulary",
    "ExtraFields",
    "FieldCheck",
    "FieldInfo",
    "Kind",
    "Language",
    "MembershipStore",
    "Not",
    "Op",
    "OperatorInfo",
    "Problems",
    "RefKind",
    "Reference",
    "ReferenceCheck",
    "Segment",
    "SegmentChangeListener",
    "SegmentInvalid",
    "SegmentService",
    "SegmentStore",
    "SizeEstimate",
    "SizeStatus",
    "Vocabulary",
    "behaviour_counter",
    "build_segment",
    "built_in_events",
    "channels_used",
    "condition_references",
    "create_indexes",
    "evaluate",
    "fields_of",
    "history_days",
    "open_stores",
    "parse_condition",
    "problems_of",
    "profile_facts",
]
