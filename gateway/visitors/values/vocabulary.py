"""A shop's own event names, their properties and its own channels (pure); and what becomes of
the names nobody declared.

Editors declare them in the automation release (docs/triggers.md): `Email Opened` with a
required `campaign_id`, `Store Entered` from a beacon, channels `email`, `sms`, `push`, `voice`.
The intake then checks a declared event as strictly as a built-in one (a near miss gets a
suggestion), and the declared engagement points count in the score.

    events:   {"name": "Email Opened", "properties": {"campaign_id": {"type": "string", "required": true}},
               "points": 1, "channels": ["email"], "strict": false}
    channels: {"name": "email", "description": "our email service provider"}

`parse_vocabulary` validates declarations and raises `DeclarationError` with a JSON path;
`check_properties` answers why a declared event's properties are refused, or None.

Names outside the vocabulary (built-in Segment e-commerce v2 names plus the declared ones): a
shop that sends its whole stream through the Segment API also sends names it never declared
("Newsletter Signed Up", "Video Played"). The intake keeps those as *inert* events
(`Event.inert`, `outside_vocabulary`): stored and exported, counted as kept unused, never
applied. Declaring the name makes the next such event count. On `POST /v1/events` and the
`track` mutation an unknown name stays a mistake to fix (UNKNOWN_EVENT with a suggestion): a
client written for Vitrine should send names it knows.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from gateway.kernel import CHANNEL_NAME, Channel
from gateway.visitors.values.events import TRACK_EVENT_NAMES, EventType, RejectCode

EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*( [A-Za-z0-9_-]+)*")
PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_EVENTS = 200
MAX_PROPERTIES = 50
MAX_POINTS = 1000.0
# Names the gateway itself writes into the event log (segments, calls): never a shop's.
RESERVED_EVENTS = frozenset({"Segment Entered", "Segment Exited", *(t.value for t in EventType)})
# Counter prefixes that are not channels ("wishlist:<product>").
RESERVED_CHANNELS = frozenset({"wishlist"})


class PropertyType(Enum):
    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    PRODUCT = "product"  # a product id the catalogue must know (UNKNOWN_PRODUCT otherwise)
    DATETIME = "datetime"  # ISO 8601 with a zone
    LIST = "list"
    OBJECT = "object"


class DeclarationError(ValueError):
    """A declaration that cannot be used; `path` locates the problem in the JSON."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class PropertySpec:
    name: str
    type: PropertyType
    required: bool = False
    choices: tuple[Any, ...] = ()  # `enum`: the only values allowed
    minimum: float | None = None  # numbers: the value; strings and lists: the length
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class EventSchema:
    name: str
    properties: Mapping[str, PropertySpec] = field(default_factory=dict)
    strict: bool = False  # undeclared properties are refused
    points: float = 0.0  # engagement points per event
    channels: frozenset[str] = frozenset()  # the channels it may come from (empty: any)

    def product_properties(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties.values() if p.type is PropertyType.PRODUCT)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What a shop declared on top of the built-in names and channels."""

    events: Mapping[str, EventSchema] = field(default_factory=dict)
    channels: frozenset[str] = frozenset()

    @property
    def points(self) -> dict[str, float]:
        return {name: e.points for name, e in self.events.items() if e.points}

    def event_names(self) -> list[str]:
        """Every track name a client may send: built-in and declared."""
        return sorted({*TRACK_EVENT_NAMES, *self.events})

    def channel_names(self) -> list[str]:
        return [*(c.value for c in Channel), *sorted(self.channels)]


EMPTY = Vocabulary()


def suggestion(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- declarations (editors) ------------------------------------------------------------------


def _number(raw: Any, path: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise DeclarationError(path, f"must be a number, got {raw!r}")
    return float(raw)


# Which bounds a type takes: a number's value, a string's or a list's length.
BOUNDS: Mapping[PropertyType, tuple[str, str]] = {
    PropertyType.NUMBER: ("min", "max"),
    PropertyType.INTEGER: ("min", "max"),
    PropertyType.STRING: ("minLength", "maxLength"),
    PropertyType.LIST: ("minLength", "maxLength"),
}
SPEC_KEYS = ("type", "required", "enum", "min", "max", "minLength", "maxLength", "description")


def _property(name: str, raw: Any, path: str) -> PropertySpec:
    if not PROPERTY_NAME.fullmatch(name):
        raise DeclarationError(path, "a property name is 1-64 letters, digits or '_', not starting with a digit")
    if not isinstance(raw, Mapping):
        raise DeclarationError(path, 'must be an object such as {"type": "string", "required": true}')
    unknown = sorted(set(raw) - set(SPEC_KEYS))
    if unknown:
        raise DeclarationError(f"{path}.{unknown[0]}", f"unknown key{suggestion(unknown[0], SPEC_KEYS)}")
    kind = raw.get("type")
    types = [t.value for t in PropertyType]
    if kind not in types:
        hint = suggestion(str(kind), types) or f"; use one of {', '.join(types)}"
        raise DeclarationError(f"{path}.type", f"unknown type {kind!r}{hint}")
    ptype = PropertyType(kind)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise DeclarationError(f"{path}.required", "must be true or false")
    choices = raw.get("enum")
    if choices is not None and (not isinstance(choices, list) or not choices or len(choices) > 100):
        raise DeclarationError(f"{path}.enum", "must be a list of 1-100 allowed values")
    bounded: tuple[str, ...] = BOUNDS.get(ptype, ())
    for key in ("min", "max", "minLength", "maxLength"):
        if key in raw and key not in bounded:
            raise DeclarationError(f"{path}.{key}", f"does not apply to a {ptype.value} property")
    lo = _number(raw.get(bounded[0]), f"{path}.{bounded[0]}") if bounded else None
    hi = _number(raw.get(bounded[1]), f"{path}.{bounded[1]}") if bounded else None
    if lo is not None and hi is not None and lo > hi:
        raise DeclarationError(f"{path}.{bounded[0]}", f"is greater than {bounded[1]}")
    return PropertySpec(name, ptype, required, tuple(choices or ()), lo, hi)


EVENT_KEYS = ("name", "description", "properties", "strict", "points", "channels")


def _event(raw: Any, path: str, channels: frozenset[str]) -> EventSchema:
    if not isinstance(raw, Mapping):
        raise DeclarationError(path, "an event declaration must be an object")
    unknown = sorted(set(raw) - set(EVENT_KEYS))
    if unknown:
        raise DeclarationError(f"{path}.{unknown[0]}", f"unknown key{suggestion(unknown[0], EVENT_KEYS)}")
    name = raw.get("name")
    if not isinstance(name, str) or len(name) > 64 or not EVENT_NAME.fullmatch(name):
        raise DeclarationError(
            f"{path}.name", "an event name is 1-64 letters, digits, '-', '_' and single spaces, e.g. 'Email Opened'"
        )
    if name in TRACK_EVENT_NAMES or name in RESERVED_EVENTS:
        raise DeclarationError(f"{path}.name", f"{name!r} is built in: use it as it is, without declaring it")
    props = raw.get("properties", {})
    if not isinstance(props, Mapping) or len(props) > MAX_PROPERTIES:
        raise DeclarationError(f"{path}.properties", f"must be an object of at most {MAX_PROPERTIES} properties")
    specs = {k: _property(k, v, f"{path}.properties.{k}") for k, v in props.items()}
    strict = raw.get("strict", False)
    if not isinstance(strict, bool):
        raise DeclarationError(f"{path}.strict", "must be true or false")
    points = _number(raw.get("points", 0), f"{path}.points") or 0.0
    if not 0 <= points <= MAX_POINTS:
        raise DeclarationError(f"{path}.points", f"must be between 0 and {MAX_POINTS:g}")
    allowed = raw.get("channels", [])
    if not isinstance(allowed, list) or not all(isinstance(c, str) for c in allowed):
        raise DeclarationError(f"{path}.channels", "must be a list of channel names")
    known = [*(c.value for c in Channel), *sorted(channels)]
    for i, c in enumerate(allowed):
        if c not in known:
            raise DeclarationError(f"{path}.channels[{i}]", f"unknown channel {c!r}{suggestion(c, known)}")
    return EventSchema(name, specs, strict, points, frozenset(allowed))


def _channel(raw: Any, path: str) -> str:
    if not isinstance(raw, Mapping) or not set(raw) <= {"name", "description"}:
        raise DeclarationError(path, 'a channel declaration is {"name": "email", "description": "..."}')
    name = raw.get("name")
    if not isinstance(name, str) or not CHANNEL_NAME.fullmatch(name):
        raise DeclarationError(f"{path}.name", "a channel name is 1-32 lower-case letters, digits or '_'")
    if name in {c.value for c in Channel}:
        raise DeclarationError(f"{path}.name", f"{name!r} is built in: use it without declaring it")
    if name in RESERVED_CHANNELS:
        raise DeclarationError(f"{path}.name", f"{name!r} is reserved")
    return name


def parse_vocabulary(events: Sequence[Any], channels: Sequence[Any]) -> Vocabulary:
    """Validate declared events and channels; raises DeclarationError with a path and a fix."""
    names = [_channel(c, f"channels[{i}]") for i, c in enumerate(channels)]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise DeclarationError("channels", f"channel {twice!r} is declared twice")
    declared = frozenset(names)
    if len(events) > MAX_EVENTS:
        raise DeclarationError("events", f"at most {MAX_EVENTS} declared events")
    schemas: dict[str, EventSchema] = {}
    for i, raw in enumerate(events):
        schema = _event(raw, f"events[{i}]", declared)
        if schema.name in schemas:
            raise DeclarationError(f"events[{i}].name", f"event {schema.name!r} is declared twice")
        schemas[schema.name] = schema
    return Vocabulary(schemas, declared)


# --- checking what clients send ----------------------------------------------------------------


def _type_error(spec: PropertySpec, value: Any) -> str | None:
    t = spec.type
    if t in (PropertyType.STRING, PropertyType.PRODUCT):
        if t is PropertyType.STRING:
            return None if isinstance(value, str) else "a string"
        ok = isinstance(value, str) and 1 <= len(value) <= 128
        return None if ok else "a catalogue product id (a string of 1-128 characters)"
    if t is PropertyType.NUMBER:
        return None if isinstance(value, int | float) and not isinstance(value, bool) else "a number"
    if t is PropertyType.INTEGER:
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if t is PropertyType.BOOLEAN:
        return None if isinstance(value, bool) else "true or false"
    if t is PropertyType.DATETIME:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                return None
        return "an ISO 8601 date and time with a zone, e.g. 2026-11-22T10:15:00Z"
    if t is PropertyType.LIST:
        return None if isinstance(value, list) else "a list"
    return None if isinstance(value, Mapping) else "an object"


def _bounds_error(spec: PropertySpec, value: Any) -> str | None:
    sized = isinstance(value, str | list)
    measured = len(value) if sized else value
    unit = (" characters" if isinstance(value, str) else " items") if sized else ""
    if spec.minimum is not None and measured < spec.minimum:
        return f"at least {spec.minimum:g}{unit}"
    if spec.maximum is not None and measured > spec.maximum:
        return f"at most {spec.maximum:g}{unit}"
    return None


def check_properties(schema: EventSchema, props: Mapping[str, Any]) -> tuple[RejectCode, str] | None:
    """Why `props` do not fit the declared event, as a reject code and a reason; None if they do."""
    declared = list(schema.properties)
    for wanted in schema.properties.values():
        if wanted.required and wanted.name not in props:
            near = difflib.get_close_matches(wanted.name, [k for k in props if k not in schema.properties], n=1)
            hint = f"; did you mean to send {near[0]!r} as {wanted.name!r}?" if near else ""
            return RejectCode.MISSING_PROPERTY, f"properties.{wanted.name} is required for {schema.name}{hint}"
    for key, value in props.items():
        spec = schema.properties.get(key)
        if spec is None:
            if schema.strict:
                hint = suggestion(key, declared) or f"; declared: {', '.join(declared) or 'none'}"
                return RejectCode.INVALID_PROPERTY, f"property {key!r} is not declared for {schema.name}{hint}"
            continue
        expected = _type_error(spec, value)
        if expected:
            return RejectCode.INVALID_PROPERTY, f"properties.{key} must be {expected}; got {value!r}"
        if spec.choices and value not in spec.choices:
            options = [str(c) for c in spec.choices]
            hint = suggestion(str(value), options) or f"; use one of {', '.join(map(repr, spec.choices))}"
            return RejectCode.INVALID_PROPERTY, f"properties.{key} {value!r} is not allowed{hint}"
        bounds = _bounds_error(spec, value)
        if bounds:
            return RejectCode.INVALID_PROPERTY, f"properties.{key} must be {bounds}; got {value!r}"
    return None


# --- names outside the vocabulary (kept inert by the Segment API) ------------------------------

MAX_NAME_LENGTH = 200


def outside_vocabulary(event_type: EventType, name: Any, vocabulary: Vocabulary = EMPTY) -> bool:
    """True for a track event whose (well-formed) name is neither built in nor declared."""
    return (
        event_type is EventType.TRACK
        and isinstance(name, str)
        and 0 < len(name) <= MAX_NAME_LENGTH
        and name not in TRACK_EVENT_NAMES
        and name not in vocabulary.events
    )


def closest_name(name: str, vocabulary: Vocabulary = EMPTY) -> str | None:
    """The built-in or declared name `name` was probably meant to be ("Product viewed"), if any."""
    lowered = {known.lower(): known for known in vocabulary.event_names()}
    close = difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None
