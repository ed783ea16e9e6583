"""Segment's Tracking API messages as Vitrine events (pure): one message, one `EventDraft`.

A message (`type` track, page, screen, identify, group or alias, with Segment's field names)
becomes a `SegmentCall`: the visitor it is about (`gateway.visitors.segment_ids`) and the draft
the intake validates like any event of `POST /v1/events`; or a `SegmentRefusal` saying why not.

- track: `event` is the name, `properties` the properties; a name outside the vocabulary is
  kept inert (stored, never applied);
- page / screen: `name`, `properties` (and `category`); for a page `context.page` fills in the
  url, path, title, referrer and search the properties lack;
- identify: `traits` (or `context.traits`) become `properties.traits`. From a **server** write
  key `userId` and `traits.email` are claims it proves (`customerId`, `email`: they link and
  merge profiles); from a browser key they prove nothing, unless
  `integrations.Vitrine.identityToken` carries an identity token (docs/identity.md);
- alias from a server write key: an identify of `previousId`'s visitor with `userId` as customer;
- a server's identify or alias of a device (anonymousId, previousId) with a userId also records
  an identify of the userId's own visitor (`SegmentCall.companion`), so the calls that carry
  only that userId land in the same customer's profile;
- group, and alias from a browser key: kept inert (a track named `group` / `alias`);
- `messageId` is kept; without one, one is derived from the message's content (the same on a retry);
- `timestamp` (or `originalTimestamp`) is corrected for the device's clock with `sentAt`:
  received at + (timestamp - sentAt);
- `context`: page, campaign, device, os, app, library, locale, timezone and userAgent go to
  `properties.context` (strings cut at 512 characters; left out if they would make the
  properties too large); `context.ip` is not kept;
- channel: `app` for `channel: "mobile"` or `context.device.type` ios / android, else `web`;
  `integrations.Vitrine.channel` picks any Vitrine channel (pos, kiosk, ...).

A message that was already received once (it carries `receivedAt`: a Segment destination
forwarding it) keeps its `timestamp`, which Segment has already corrected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson

from gateway.kernel import VisitorId
from gateway.visitors.segment_ids import IdKeys, visitor_for_anonymous, visitor_for_user
from gateway.visitors.validation import MAX_PROPERTIES_BYTES
from gateway.visitors.values.events import EventDraft, RejectCode

SEGMENT_TYPES = ("track", "page", "screen", "identify", "group", "alias")
MAX_ID_LENGTH = 256
MAX_CONTEXT_STRING = 512
INTEGRATION = "Vitrine"  # the key of Vitrine's options in a message's `integrations`
TOKEN_OPTION = "identityToken"
CONTEXT_OBJECTS: dict[str, tuple[str, ...]] = {
    "page": ("path", "url", "title", "referrer", "search"),
    "campaign": ("name", "source", "medium", "term", "content"),
    "device": ("type", "manufacturer", "model"),
    "os": ("name", "version"),
    "app": ("name", "version", "build"),
    "library": ("name", "version"),
}
CONTEXT_SCALARS = ("locale", "timezone", "userAgent")
MOBILE_DEVICES = frozenset({"ios", "android"})
# Left out of the content a missing messageId is derived from: they change on a retry.
VOLATILE_FIELDS = frozenset({"sentAt", "writeKey", "_metadata", "receivedAt"})
MAX_MESSAGE_BYTES = 32 * 1024  # Segment's limit per message
# Calls Vitrine keeps (inert, under their type's name) but cannot act on: what is kept, and why.
KEPT_ONLY: dict[str, tuple[tuple[str, ...], str]] = {
    "group": (("groupId", "traits"), "kept, not applied: Vitrine has no accounts"),
    "alias": (("previousId", "userId"), "alias links nothing from a browser write key: send it from a server key"),
}


@dataclass(frozen=True, slots=True)
class SegmentCall:
    visitor_id: VisitorId
    draft: EventDraft
    note: str | None = None  # something the sender should know (e.g. a userId that was not linked)
    # A server's identify of a device (anonymousId) with a userId also links the userId's own
    # visitor, where the calls that carry only that userId land: one more identify, not reported.
    companion: SegmentCall | None = None


@dataclass(frozen=True, slots=True)
class SegmentRefusal:
    message_id: str | None
    code: RejectCode
    reason: str


class _Refused(Exception):
    def __init__(self, code: RejectCode, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def event_time(message: Mapping[str, Any], batch_sent_at: Any, received_at: datetime) -> Any:
    """The event's time corrected for the sender's clock (Segment's rule), or what was sent
    (None: now) when it cannot be corrected; the intake validates the result."""
    raw = message.get("timestamp")
    if raw is None:
        raw = message.get("originalTimestamp")
    if raw is None or "receivedAt" in message:
        return raw
    sent = message.get("sentAt", batch_sent_at)
    at, sent_at = _parse_time(raw), _parse_time(sent)
    if at is None or sent_at is None:
        return raw
    return (received_at + (at - sent_at)).isoformat()


def message_id_of(message: Mapping[str, Any]) -> Any:
    """The sender's messageId, or one derived from the message itself (the same on a retry)."""
    sent = message.get("messageId")
    if isinstance(sent, int) and not isinstance(sent, bool):
        return str(sent)
    if sent is not None:
        return sent
    stable = {k: v for k, v in message.items() if k not in VOLATILE_FIELDS}
    return "sgmt-" + hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()[:40]


def _an_id(message: Mapping[str, Any], field: str) -> str | None:
    value = message.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        raise _Refused(RejectCode.INVALID_FORMAT, f"{field} must be a string of at most {MAX_ID_LENGTH} characters")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _Refused(RejectCode.INVALID_FORMAT, f"{where} must be a JSON object")
    return dict(value)


def _options(message: Mapping[str, Any]) -> dict[str, Any]:
    integrations = message.get("integrations")
    found = integrations.get(INTEGRATION) if isinstance(integrations, Mapping) else None
    return dict(found) if isinstance(found, Mapping) else {}


def _kept(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_CONTEXT_STRING]
    return value if isinstance(value, int | float | bool) else None


def context_subset(context: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of `context` worth keeping with the event: small, flat, never the IP address."""
    kept: dict[str, Any] = {}
    for name, fields in CONTEXT_OBJECTS.items():
        inner = context.get(name)
        if isinstance(inner, Mapping):
            values = {f: v for f in fields if (v := _kept(inner.get(f))) is not None}
            if values:
                kept[name] = values
    for name in CONTEXT_SCALARS:
        if (value := _kept(context.get(name))) is not None:
            kept[name] = value
    return kept


def _channel(message: Mapping[str, Any], context: Mapping[str, Any], options: Mapping[str, Any]) -> Any:
    if options.get("channel") is not None:
        return options["channel"]  # any Vitrine channel; the intake refuses others, saying which exist
    device = context.get("device")
    device_type = device.get("type") if isinstance(device, Mapping) else None
    mobile = message.get("channel") == "mobile" or (
        isinstance(device_type, str) and device_type.lower() in MOBILE_DEVICES
    )
    return "app" if mobile else "web"


def _with_context(properties: dict[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    kept = context_subset(context)
    if not kept or "context" in properties:
        return properties
    enriched = {**properties, "context": kept}
    try:
        fits = len(orjson.dumps(enriched)) <= MAX_PROPERTIES_BYTES
    except TypeError:
        return properties  # not JSON: the intake says so about the properties themselves
    return enriched if fits else properties


def _visitor(message: Mapping[str, Any], trusted: bool, keys: IdKeys, anonymous_field: str) -> VisitorId:
    anonymous, user = _an_id(message, anonymous_field), _an_id(message, "userId")
    if anonymous is not None:
        return visitor_for_anonymous(anonymous, keys)
    if user is not None and trusted:
        return visitor_for_user(user, keys)
    if user is not None:
        raise _Refused(
            RejectCode.IDENTITY_UNPROVEN,
            "a browser write key must send anonymousId: a userId alone is a claim only a server write key proves",
        )
    raise _Refused(RejectCode.INVALID_FORMAT, f"{anonymous_field} or userId is required")


def _identify(message: Mapping[str, Any], trusted: bool) -> tuple[dict[str, Any], str | None]:
    context = _object(message.get("context"), "context")
    traits = _object(message.get("traits"), "traits")
    if not traits:
        traits = _object(context.get("traits"), "context.traits")
    properties: dict[str, Any] = {"traits": traits}
    user = _an_id(message, "userId")
    token = _options(message).get(TOKEN_OPTION)
    if token is not None:
        properties["identityToken"] = token
        if user is not None:
            properties["customerId"] = user  # must be named in the token
        return properties, None
    if not trusted:
        note = "userId not linked: a browser write key proves no identity (send an identityToken)" if user else None
        return properties, note
    if user is not None:
        properties["customerId"] = user
    if isinstance(traits.get("email"), str):
        properties["email"] = traits["email"]
    return properties, None


def _draft_fields(kind: str, message: Mapping[str, Any], trusted: bool) -> tuple[dict[str, Any], str | None]:
    """type, name, properties (and a note) of the draft for one kind of message."""
    context = _object(message.get("context"), "context")
    if kind == "identify":
        claims, note = _identify(message, trusted)
        return {"type": "identify", "properties": claims}, note
    if kind in KEPT_ONLY:
        fields, note = KEPT_ONLY[kind]
        kept = {f: message[f] for f in fields if message.get(f) is not None}
        return {"type": "track", "name": kind, "properties": kept}, note
    raw = message.get("properties")
    properties: Any = dict(raw) if isinstance(raw, Mapping) else raw
    if kind == "track":
        return {"type": "track", "name": message.get("event"), "properties": _props(properties, context)}, None
    if isinstance(properties, dict):
        page = context.get("page")
        if kind == "page" and isinstance(page, Mapping):
            filled = {f: page[f] for f in CONTEXT_OBJECTS["page"] if isinstance(page.get(f), str)}
            properties = {**filled, **properties}
        if isinstance(message.get("category"), str):
            properties.setdefault("category", message["category"])
    return {"type": kind, "name": message.get("name"), "properties": _props(properties, context)}, None


def _props(properties: Any, context: Mapping[str, Any]) -> Any:
    if properties is None:
        properties = {}
    return _with_context(properties, context) if isinstance(properties, dict) else properties


def to_call(
    message: Any, *, trusted: bool, keys: IdKeys, received_at: datetime, batch_sent_at: Any = None
) -> SegmentCall | SegmentRefusal:
    """One Segment message as the visitor and the draft the intake takes, or why it cannot be one.
    `trusted`: sent with a server write key (an ingest key), which proves userId and traits.email."""
    if not isinstance(message, Mapping):
        return SegmentRefusal(None, RejectCode.INVALID_FORMAT, "each message must be a JSON object")
    message_id = message_id_of(message)
    try:
        size = len(orjson.dumps(message))
    except TypeError:
        size = 0  # not JSON data: only a caller in this process can send that; the intake refuses it
    if size > MAX_MESSAGE_BYTES:
        reason = f"the message is {size} bytes of JSON; Segment's limit is {MAX_MESSAGE_BYTES} (32 KB) per message"
        return SegmentRefusal(message_id if isinstance(message_id, str) else None, RejectCode.TOO_LARGE, reason)
    try:
        kind = message.get("type")
        if kind not in SEGMENT_TYPES:
            raise _Refused(RejectCode.INVALID_FORMAT, f"type must be one of {', '.join(SEGMENT_TYPES)}; got {kind!r}")
        if kind == "track" and not isinstance(message.get("event"), str):
            raise _Refused(RejectCode.INVALID_FORMAT, 'a track call needs "event", e.g. "Product Viewed"')
        context = _object(message.get("context"), "context")
        options = _options(message)
        if kind == "alias" and trusted:
            return _alias(message, message_id, keys, received_at, batch_sent_at, context, options)
        # A browser's alias is kept under its device: the anonymousId, else the previousId it names.
        anonymous_field = "previousId" if kind == "alias" and not message.get("anonymousId") else "anonymousId"
        visitor = _visitor(message, trusted, keys, anonymous_field)
        fields, note = _draft_fields(str(kind), message, trusted)
    except _Refused as refused:
        return SegmentRefusal(message_id if isinstance(message_id, str) else None, refused.code, refused.reason)
    draft = EventDraft(
        message_id=message_id,
        channel=_channel(message, context, options),
        timestamp=event_time(message, batch_sent_at, received_at),
        **fields,
    )
    return _with_user_link(SegmentCall(visitor, draft, note), message, trusted, keys)


def _with_user_link(call: SegmentCall, message: Mapping[str, Any], trusted: bool, keys: IdKeys) -> SegmentCall:
    """`call`, with the identify that links the userId's own visitor when a server identifies a device."""
    try:
        user = _an_id(message, "userId")
    except _Refused:
        return call
    if not trusted or call.draft.type != "identify" or user is None:
        return call
    own = visitor_for_user(user, keys)
    if own == call.visitor_id:
        return call
    link = EventDraft(
        message_id="link-" + hashlib.sha256(str(call.draft.message_id).encode()).hexdigest()[:40],
        type="identify",
        channel=call.draft.channel,
        timestamp=call.draft.timestamp,
        properties={"customerId": user},
    )
    return replace(call, companion=SegmentCall(own, link))


def _alias(
    message: Mapping[str, Any],
    message_id: Any,
    keys: IdKeys,
    received_at: datetime,
    batch_sent_at: Any,
    context: Mapping[str, Any],
    options: Mapping[str, Any],
) -> SegmentCall:
    """A server's alias: previousId (an anonymousId) becomes the customer userId names."""
    previous, user = _an_id(message, "previousId"), _an_id(message, "userId")
    if previous is None or user is None:
        raise _Refused(RejectCode.INVALID_FORMAT, "an alias call needs previousId and userId")
    draft = EventDraft(
        message_id=message_id,
        type="identify",
        channel=_channel(message, context, options),
        timestamp=event_time(message, batch_sent_at, received_at),
        properties={"traits": {}, "customerId": user},
    )
    return _with_user_link(SegmentCall(visitor_for_anonymous(previous, keys), draft), message, True, keys)
