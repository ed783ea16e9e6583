"""Turning one event as sent (an `EventDraft` from GraphQL, a JSON object from HTTP) into an `Event` or a
`Rejection`.

Rules, each with a message a client developer can act on:
- `type` is track (default), page, screen or identify; a track event's `name` is one of the
  Segment e-commerce v2 names (a near miss gets a suggestion);
- `messageId` is 1-128 printable characters; `channel` is web, app, kiosk, pos or beacon;
- `timestamp` is ISO 8601 with a zone, at most 5 minutes ahead of the server clock and at
  most 30 days old (offline POS batches); kept to the millisecond, as MongoDB keeps it;
- `properties` is an object of at most 8 KiB of JSON, nesting depth 5, that every store holds
  the same way (gateway.kernel.storable): integers within -2^63..2^63-1, finite numbers,
  Unicode text of at most 4 KiB per string, keys of 1-128 characters without NUL or '.' and
  not starting with '$';
- product events name `properties.product_id`; Product Added/Removed take an optional
  integer `quantity` 1-999; Order Completed names `order_id` and a `products` list;
  Products Searched names a non-empty `query`.
- a shop's declared events and channels (`values.vocabulary`, published with its automation
  rules) are accepted beside the built-in ones and checked against their declarations.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from gateway.kernel import Channel, StorableRules, VisitorId, unstorable
from gateway.visitors.values.events import (
    SINGLE_PRODUCT_EVENTS,
    TRACK_EVENT_NAMES,
    Event,
    EventDraft,
    EventType,
    RejectCode,
    Rejection,
)
from gateway.visitors.values.vocabulary import (
    EMPTY,
    Vocabulary,
    check_properties,
    outside_vocabulary,
    suggestion,
)

MAX_FUTURE = timedelta(minutes=5)
MAX_TIMESTAMP_CHARS = 64
MAX_AGE = timedelta(days=30)
MAX_PROPERTIES_BYTES = 8 * 1024
MAX_DEPTH = 5
MAX_STRING_BYTES = 4 * 1024
MAX_KEY_CHARS = 128
MAX_ORDER_LINES = 100
PROPERTY_RULES = StorableRules(
    max_depth=MAX_DEPTH, max_key_chars=MAX_KEY_CHARS, max_string_bytes=MAX_STRING_BYTES, field_names=True
)
TEXT_RULES = StorableRules(max_depth=1, max_string_bytes=MAX_STRING_BYTES)
ALLOWED_FIELDS = frozenset({"type", "name", "channel", "messageId", "timestamp", "properties"})


class _Reject(Exception):
    def __init__(self, code: RejectCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _check_values(props: Mapping[str, Any]) -> None:
    problem = unstorable(props, "properties", PROPERTY_RULES)
    if problem is not None:
        kind, reason = problem
        raise _Reject(RejectCode.TOO_LARGE if kind == "size" else RejectCode.INVALID_PROPERTY, reason)


def _quantity(props: Mapping[str, Any], where: str) -> int:
    qty = props.get("quantity", 1)
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 999:
        raise _Reject(RejectCode.INVALID_PROPERTY, f"{where}quantity must be an integer from 1 to 999, got {qty!r}")
    return qty


def _product_id(props: Mapping[str, Any], where: str) -> str:
    pid = props.get("product_id")
    if pid is None:
        raise _Reject(RejectCode.MISSING_PROPERTY, f"{where}product_id is required")
    if not isinstance(pid, str) or not 1 <= len(pid) <= 128:
        raise _Reject(RejectCode.INVALID_PROPERTY, f"{where}product_id must be a string of 1-128 characters")
    return pid


def _timestamp(raw: Any, now: datetime) -> datetime:
    if raw is None:
        return to_millisecond(now)
    if not isinstance(raw, str):
        raise _Reject(RejectCode.INVALID_TIMESTAMP, "timestamp must be an ISO 8601 string such as 2026-11-22T10:15:00Z")
    if len(raw) > MAX_TIMESTAMP_CHARS:
        raise _Reject(RejectCode.INVALID_TIMESTAMP, "timestamp is too long for ISO 8601 (e.g. 2026-11-22T10:15:00Z)")
    try:
        ts = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _Reject(
            RejectCode.INVALID_TIMESTAMP, f"timestamp {raw!r} is not ISO 8601 (e.g. 2026-11-22T10:15:00Z)"
        ) from None
    if ts.tzinfo is None:
        raise _Reject(
            RejectCode.INVALID_TIMESTAMP, f"timestamp {raw!r} has no time zone: add Z or an offset like +01:00"
        )
    try:
        ts = ts.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-23:59 is past the last representable instant in UTC
        raise _Reject(RejectCode.INVALID_TIMESTAMP, f"timestamp {raw!r} is out of range") from None
    if ts > now + MAX_FUTURE:
        raise _Reject(
            RejectCode.INVALID_TIMESTAMP,
            f"timestamp {raw!r} is more than 5 minutes in the future: check the device clock",
        )
    if ts < now - MAX_AGE:
        raise _Reject(RejectCode.INVALID_TIMESTAMP, f"timestamp {raw!r} is older than 30 days")
    return to_millisecond(ts)


def to_millisecond(moment: datetime) -> datetime:
    """The precision MongoDB stores (BSON dates), so every store keeps the same instant."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _check_name(event_type: EventType, raw: Any, vocabulary: Vocabulary) -> str:
    if event_type is not EventType.TRACK:
        if raw is not None and (not isinstance(raw, str) or len(raw) > 200 or unstorable(raw, "name", TEXT_RULES)):
            raise _Reject(RejectCode.INVALID_FORMAT, "name must be Unicode text of at most 200 characters")
        return raw or event_type.value
    if not isinstance(raw, str) or not raw:
        raise _Reject(RejectCode.INVALID_FORMAT, 'name is required for track events, e.g. "Product Viewed"')
    if raw not in TRACK_EVENT_NAMES and raw not in vocabulary.events:
        close = difflib.get_close_matches(raw, vocabulary.event_names(), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "; see docs/events.md for the accepted names"
        raise _Reject(RejectCode.UNKNOWN_EVENT, f"unknown event name {raw!r}{hint}")
    return raw


def _check_properties(name: str, props: Mapping[str, Any]) -> None:
    if name in SINGLE_PRODUCT_EVENTS:
        _product_id(props, "properties.")
        if name in {"Product Added", "Product Removed"}:
            _quantity(props, "properties.")
    elif name == "Order Completed":
        if not isinstance(props.get("order_id"), str) or not props["order_id"]:
            raise _Reject(RejectCode.MISSING_PROPERTY, "properties.order_id is required for Order Completed")
        lines = props.get("products")
        if not isinstance(lines, list) or not lines:
            raise _Reject(
                RejectCode.MISSING_PROPERTY, "properties.products must be a non-empty list of {product_id, quantity}"
            )
        if len(lines) > MAX_ORDER_LINES:
            raise _Reject(RejectCode.TOO_LARGE, f"properties.products has more than {MAX_ORDER_LINES} lines")
        for i, line in enumerate(lines):
            if not isinstance(line, Mapping):
                raise _Reject(RejectCode.INVALID_PROPERTY, f"properties.products[{i}] must be an object")
            _product_id(line, f"properties.products[{i}].")
            _quantity(line, f"properties.products[{i}].")
    elif name == "Products Searched":
        query = props.get("query")
        if not isinstance(query, str) or not query.strip() or len(query) > 200:
            raise _Reject(
                RejectCode.MISSING_PROPERTY, "properties.query must be a non-empty string of at most 200 characters"
            )


def draft_from_json(raw: Any) -> EventDraft:
    """The draft in one JSON event object, refusing anything that is not one."""
    if not isinstance(raw, Mapping):
        raise _Reject(RejectCode.INVALID_FORMAT, "each event must be a JSON object")
    unknown = sorted(set(raw) - ALLOWED_FIELDS)
    if unknown:
        raise _Reject(
            RejectCode.INVALID_FORMAT,
            f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(ALLOWED_FIELDS))}",
        )
    return EventDraft(
        message_id=raw.get("messageId"),
        type=raw.get("type"),
        name=raw.get("name"),
        channel=raw.get("channel"),
        timestamp=raw.get("timestamp"),
        properties=raw.get("properties"),
    )


def _parse(
    draft: EventDraft,
    visitor_id: VisitorId,
    default_channel: Channel,
    now: datetime,
    vocabulary: Vocabulary,
    keep_unknown: bool,
) -> Event:
    message_id = draft.message_id
    if not isinstance(message_id, str) or not 1 <= len(message_id) <= 128 or not message_id.isprintable():
        raise _Reject(
            RejectCode.INVALID_FORMAT, "messageId is required: a unique string of 1-128 printable characters per event"
        )
    try:
        event_type = EventType(draft.type or "track")
    except ValueError:
        raise _Reject(
            RejectCode.INVALID_FORMAT, f"type must be one of track, page, screen, identify; got {draft.type!r}"
        ) from None
    channel = default_channel if draft.channel is None else _declared_channel(draft.channel, vocabulary)
    # A separate step: where the caller keeps unknown names (the Segment API), a track name outside
    # the vocabulary is stored inert instead of rejected (gateway/visitors/values/vocabulary.py).
    inert = keep_unknown and outside_vocabulary(event_type, draft.name, vocabulary)
    name = draft.name if inert else _check_name(event_type, draft.name, vocabulary)
    props = draft.properties or {}
    if not isinstance(props, Mapping):
        raise _Reject(RejectCode.INVALID_FORMAT, "properties must be a JSON object")
    try:
        size = len(orjson.dumps(props))
    except TypeError:  # an integer beyond 64 bits, a key that is not a string: the check below says which
        size = 0
    if size > MAX_PROPERTIES_BYTES:
        raise _Reject(RejectCode.TOO_LARGE, f"properties are {size} bytes of JSON; the limit is {MAX_PROPERTIES_BYTES}")
    _check_values(props)
    if event_type is EventType.TRACK and not inert:
        _check_properties(name, props)
        _check_declared(name, channel, props, vocabulary)
    return Event(
        message_id=message_id,
        visitor_id=visitor_id,
        type=event_type,
        name=name,
        channel=channel,
        timestamp=_timestamp(draft.timestamp, now),
        received_at=to_millisecond(now),
        properties=dict(props),
        inert=inert,
    )


def parse_event(
    raw: EventDraft | Any,
    index: int,
    visitor_id: VisitorId,
    default_channel: Channel,
    now: datetime,
    vocabulary: Vocabulary = EMPTY,
    *,
    keep_unknown: bool = False,
) -> Event | Rejection:
    """One event of a batch (a draft, or a JSON object), accepted as an `Event` or a `Rejection`
    saying why. `vocabulary`: the events and channels the shop declared. `keep_unknown`: a track
    name outside the vocabulary is accepted as an inert event."""
    message_id = (
        raw.message_id if isinstance(raw, EventDraft) else raw.get("messageId") if isinstance(raw, Mapping) else None
    )
    try:
        draft = raw if isinstance(raw, EventDraft) else draft_from_json(raw)
        return _parse(draft, visitor_id, default_channel, now, vocabulary, keep_unknown)
    except _Reject as rej:
        return Rejection(index, message_id if isinstance(message_id, str) else None, rej.code, rej.reason)


def product_ids(event: Event, vocabulary: Vocabulary = EMPTY) -> list[str]:
    """Every product an accepted event refers to (to check they exist and to derive effects)."""
    props = event.properties
    if event.type is not EventType.TRACK:
        return []
    if event.name in SINGLE_PRODUCT_EVENTS:
        return [str(props["product_id"])]
    if event.name == "Order Completed":
        return [str(line["product_id"]) for line in props["products"]]
    schema = vocabulary.events.get(event.name)
    if schema is not None:
        return [str(props[k]) for k in schema.product_properties() if isinstance(props.get(k), str)]
    return []


# --- declared events and channels (the shop's vocabulary) ------------------------------------


def _declared_channel(raw: Any, vocabulary: Vocabulary) -> Channel:
    names = vocabulary.channel_names()
    if not isinstance(raw, str) or raw not in names:
        hint = suggestion(str(raw), names) if isinstance(raw, str) else ""
        raise _Reject(RejectCode.INVALID_FORMAT, f"channel must be one of {', '.join(names)}; got {raw!r}{hint}")
    return Channel(raw)


def _check_declared(name: str, channel: Channel, props: Mapping[str, Any], vocabulary: Vocabulary) -> None:
    schema = vocabulary.events.get(name)
    if schema is None:
        return
    if schema.channels and channel.value not in schema.channels:
        allowed = ", ".join(sorted(schema.channels))
        raise _Reject(RejectCode.INVALID_FORMAT, f"{name} comes from channel {allowed}; got {channel.value!r}")
    problem = check_properties(schema, props)
    if problem is not None:
        raise _Reject(*problem)
