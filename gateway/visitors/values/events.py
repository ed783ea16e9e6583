"""Behaviour events: the Segment e-commerce v2 vocabulary plus page, screen and identify.

An `Event` is accepted input: validated, attributed to a visitor, timestamped. Its
idempotency key is (visitor, client message id): a retry with the same message id is
stored once and applied once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from gateway.kernel import Channel, VisitorId


@dataclass(frozen=True, slots=True)
class EventDraft:
    """One event as a client sent it, before validation: each field holds what the client sent
    (None when absent). The GraphQL `track` input maps onto it field by field; a JSON object
    from `POST /v1/events` becomes one after its shape is checked (`validation.draft_from_json`)."""

    message_id: Any
    type: Any = None
    name: Any = None
    channel: Any = None
    timestamp: Any = None
    properties: Any = None


class EventType(Enum):
    TRACK = "track"
    PAGE = "page"
    SCREEN = "screen"
    IDENTIFY = "identify"


# Segment e-commerce spec v2 event names accepted for `track` events.
TRACK_EVENT_NAMES: frozenset[str] = frozenset(
    {
        "Products Searched",
        "Product List Viewed",
        "Product List Filtered",
        "Promotion Viewed",
        "Promotion Clicked",
        "Product Clicked",
        "Product Viewed",
        "Product Added",
        "Product Removed",
        "Cart Viewed",
        "Checkout Started",
        "Checkout Step Viewed",
        "Checkout Step Completed",
        "Payment Info Entered",
        "Order Updated",
        "Order Completed",
        "Order Refunded",
        "Order Cancelled",
        "Coupon Entered",
        "Coupon Applied",
        "Coupon Denied",
        "Coupon Removed",
        "Product Added to Wishlist",
        "Product Removed from Wishlist",
        "Wishlist Product Added to Cart",
        "Product Shared",
        "Cart Shared",
        "Product Reviewed",
    }
)

# Track events that concern one product and must name it in `properties.product_id`.
SINGLE_PRODUCT_EVENTS: frozenset[str] = frozenset(
    {
        "Product Clicked",
        "Product Viewed",
        "Product Added",
        "Product Removed",
        "Product Added to Wishlist",
        "Product Removed from Wishlist",
        "Wishlist Product Added to Cart",
        "Product Shared",
        "Product Reviewed",
    }
)


@dataclass(frozen=True, slots=True)
class Event:
    message_id: str
    visitor_id: VisitorId
    type: EventType
    name: str
    channel: Channel
    timestamp: datetime
    received_at: datetime
    properties: Mapping[str, Any]
    # Identifiers someone trusted vouched for (an identity token, or a server's ingest key): the
    # only ones that may link this event's visitor to a person. Set by the intake gate, never
    # by the client; stored with the event so a replay links exactly the same.
    proven: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The idempotency key: one stored event per visitor and client message id."""
        return f"{self.visitor_id}:{self.message_id}"

    @property
    def counter_name(self) -> str:
        """The name profile counters use: the track name, or the call type otherwise."""
        return self.name if self.type is EventType.TRACK else self.type.value


@dataclass(frozen=True, slots=True)
class StoredEvent:
    event: Event
    applied: bool


class RejectCode(Enum):
    INVALID_FORMAT = "INVALID_FORMAT"
    UNKNOWN_EVENT = "UNKNOWN_EVENT"
    MISSING_PROPERTY = "MISSING_PROPERTY"
    INVALID_PROPERTY = "INVALID_PROPERTY"
    INVALID_TIMESTAMP = "INVALID_TIMESTAMP"
    UNKNOWN_PRODUCT = "UNKNOWN_PRODUCT"
    TOO_LARGE = "TOO_LARGE"
    NO_CONSENT = "NO_CONSENT"
    IDENTITY_UNPROVEN = "IDENTITY_UNPROVEN"  # an identifier nobody trusted vouched for
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_FOREIGN = "TOKEN_FOREIGN"  # issued for another visitor
    TOKEN_REPLAYED = "TOKEN_REPLAYED"
    IDENTITY_CONFLICT = "IDENTITY_CONFLICT"  # would fuse two known customers
    IDENTIFIER_LIMIT = "IDENTIFIER_LIMIT"  # a profile would hold too many identifiers of a kind
    RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why one event of a batch was not accepted; the others are unaffected."""

    index: int
    message_id: str | None
    code: RejectCode
    reason: str
