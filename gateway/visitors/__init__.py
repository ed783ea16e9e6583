"""Visitors: signed visitor ids, the event intake and its validation, live sessions, profiles
(counters, traits, interests, engagement score, consent records).

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.visitors.durable_intake import DurableIntake, JournalApplier
from gateway.visitors.intake import (
    Attribution,
    EventGate,
    EventListener,
    EventOutcome,
    EventService,
    EventStatus,
    Target,
    TrackResult,
)
from gateway.visitors.segment import MAX_MESSAGE_BYTES as SEGMENT_MAX_MESSAGE_BYTES
from gateway.visitors.segment import SegmentCall, SegmentRefusal, to_call
from gateway.visitors.segment_ids import IdKeys, visitor_for_anonymous, visitor_for_user
from gateway.visitors.service import VisitorService, VisitorState
from gateway.visitors.stores import (
    Backlog,
    EventStore,
    IntakeJournal,
    ProfileIndex,
    ProfileStore,
    SessionStore,
    VisitorStores,
    create_indexes,
    open_stores,
)

# The embedded implementations, for offline tools that run the served code in one process.
from gateway.visitors.stores.memory_profiles import MemoryProfileStore
from gateway.visitors.stores.memory_sessions import MemorySessionStore
from gateway.visitors.tokens import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    HEADER_NAME,
    TokenPolicy,
    identify,
    new_visitor_id,
    sign,
    verify,
)
from gateway.visitors.validation import product_ids
from gateway.visitors.values.consent import Purpose, allows
from gateway.visitors.values.effects import profile_change, session_change
from gateway.visitors.values.engagement import DEFAULT_POINTS, EngagementPolicy, Tier
from gateway.visitors.values.events import (
    TRACK_EVENT_NAMES,
    Event,
    EventDraft,
    EventType,
    RejectCode,
    Rejection,
    StoredEvent,
)
from gateway.visitors.values.profile import (
    DEFAULT_HALF_LIFE_DAYS,
    ConsentRecord,
    Interest,
    Profile,
    ProfileChange,
    decay_factor,
    empty_profile,
)
from gateway.visitors.values.session import RECENTLY_VIEWED_CAP, CartLine, Session, SessionChange
from gateway.visitors.values.vocabulary import (
    RESERVED_EVENTS,
    DeclarationError,
    EventSchema,
    PropertyType,
    Vocabulary,
    closest_name,
    parse_vocabulary,
)

__all__ = [
    "COOKIE_MAX_AGE",
    "COOKIE_NAME",
    "DEFAULT_HALF_LIFE_DAYS",
    "DEFAULT_POINTS",
    "HEADER_NAME",
    "RECENTLY_VIEWED_CAP",
    "RESERVED_EVENTS",
    "SEGMENT_MAX_MESSAGE_BYTES",
    "TRACK_EVENT_NAMES",
    "Attribution",
    "Backlog",
    "CartLine",
    "ConsentRecord",
    "DeclarationError",
    "DurableIntake",
    "EngagementPolicy",
    "Event",
    "EventDraft",
    "EventGate",
    "EventListener",
    "EventOutcome",
    "EventSchema",
    "EventService",
    "EventStatus",
    "EventStore",
    "EventType",
    "IdKeys",
    "IntakeJournal",
    "Interest",
    "JournalApplier",
    "MemoryProfileStore",
    "MemorySessionStore",
    "Profile",
    "ProfileChange",
    "ProfileIndex",
    "ProfileStore",
    "PropertyType",
    "Purpose",
    "RejectCode",
    "Rejection",
    "SegmentCall",
    "SegmentRefusal",
    "Session",
    "SessionChange",
    "SessionStore",
    "StoredEvent",
    "Target",
    "Tier",
    "TokenPolicy",
    "TrackResult",
    "VisitorService",
    "VisitorState",
    "VisitorStores",
    "Vocabulary",
    "allows",
    "closest_name",
    "create_indexes",
    "decay_factor",
    "empty_profile",
    "identify",
    "new_visitor_id",
    "open_stores",
    "parse_vocabulary",
    "product_ids",
    "profile_change",
    "session_change",
    "sign",
    "to_call",
    "verify",
    "visitor_for_anonymous",
    "visitor_for_user",
]
