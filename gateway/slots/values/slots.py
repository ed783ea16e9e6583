"""Slots, variants and audiences as editors define them (pure).

    slot      {"key": "home-hero", "description": "...", "channels": ["web", "app"],
               "contentType": "banner", "timeZone": "Europe/Warsaw", "default": {<content>}}
    variant   {"id": "bf-runners", "slot": "home-hero", "name": "...", "status": "published",
               "priority": 10, "audience": "runners", "conditions": {<condition>},
               "schedule": {<schedule>}, "frequencyCap": {"max": 3, "windowHours": 24},
               "content": {<content of the slot's type>}}
    audience  {"key": "runners", "name": "...", "conditions": {<condition>}}

A variant targets the visitors of its saved `audience` AND its own inline `conditions`
(either, both or neither: neither means everyone). Higher `priority` wins. Every parse
function raises the shared `ConditionError` with the JSON path of the problem, or `Problems`
with every problem it found in fields that do not depend on each other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from gateway.audiences import Collector, Condition, parse_condition
from gateway.audiences import ConditionError as DefinitionError
from gateway.slots.values.content import Content, ContentKind, parse_content, parse_kind
from gateway.slots.values.schedule import Schedule, parse_schedule, parse_zone

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CHANNELS = ("web", "app", "kiosk", "pos", "email", "other")
MAX_PRIORITY = 1_000_000
MAX_CAP_WINDOW_HOURS = 24 * 90


class Status(Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


@dataclass(frozen=True, slots=True)
class Slot:
    key: str
    description: str
    channels: frozenset[str]  # empty: every channel
    content_kind: ContentKind
    default: Content
    time_zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    max_impressions: int
    window_hours: float


@dataclass(frozen=True, slots=True)
class Variant:
    id: str
    slot_key: str
    name: str
    status: Status
    priority: int
    content: Content
    audience: str | None = None
    conditions: Condition | None = None
    schedule: Schedule | None = None
    cap: FrequencyCap | None = None


@dataclass(frozen=True, slots=True)
class Audience:
    key: str
    name: str
    condition: Condition


def as_object(raw: Any, path: str, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise DefinitionError(path, f"a {what} must be a JSON object")
    return raw


def only_keys(raw: Mapping[str, Any], keys: set[str], path: str, what: str) -> None:
    unknown = sorted(set(raw) - keys)
    if unknown:
        from difflib import get_close_matches

        close = get_close_matches(unknown[0], sorted(keys), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; a {what} has {', '.join(sorted(keys))}"
        raise DefinitionError(f"{path}.{unknown[0]}", f"unknown field{hint}")


def parse_key(raw: Any, path: str) -> str:
    if not isinstance(raw, str) or not KEY.match(raw):
        raise DefinitionError(path, "1-64 characters: lower-case letters, digits, '-' or '_', e.g. 'home-hero'")
    return raw


def text_field(raw: Any, path: str, *, required: bool = False, limit: int = 200) -> str:
    if raw is None:
        if required:
            raise DefinitionError(path, "required")
        return ""
    if not isinstance(raw, str) or len(raw) > limit:
        raise DefinitionError(path, f"a string of at most {limit} characters")
    return raw


def _channels(raw: Any, path: str) -> frozenset[str]:
    if not isinstance(raw, list):
        raise DefinitionError(path, f"a list of channels from {', '.join(CHANNELS)}")
    found = Collector()
    for i, channel in enumerate(raw):
        if channel not in CHANNELS:
            found.add(f"{path}[{i}]", f"unknown channel {channel!r}; use {', '.join(CHANNELS)}")
    found.check()
    return frozenset(raw)


def parse_slot(raw: Any, path: str = "slot") -> Slot:
    """Parse a slot; problems of independent fields are reported together."""
    raw = as_object(raw, path, "slot")
    found = Collector()
    found.attempt(
        lambda: only_keys(raw, {"key", "description", "channels", "contentType", "timeZone", "default"}, path, "slot")
    )
    key = found.attempt(lambda: parse_key(raw.get("key"), f"{path}.key"))
    channels = found.attempt(lambda: _channels(raw.get("channels", []), f"{path}.channels"))
    kind = found.attempt(lambda: parse_kind(raw.get("contentType"), f"{path}.contentType"))
    default = None
    if raw.get("default") is None:
        found.add(f"{path}.default", "required: the content shown when nothing else applies")
    elif kind is not None:
        default = found.attempt(lambda: parse_content(kind, raw["default"], f"{path}.default"))
    zone = found.attempt(lambda: parse_zone(raw.get("timeZone", "UTC"), f"{path}.timeZone").key)
    description = found.attempt(lambda: text_field(raw.get("description"), f"{path}.description"))
    found.check()
    assert key is not None and channels is not None and kind is not None and default is not None and zone
    return Slot(key, description or "", channels, kind, default, zone)


def parse_cap(raw: Any, path: str) -> FrequencyCap:
    raw = as_object(raw, path, "frequency cap")
    only_keys(raw, {"max", "windowHours"}, path, "frequency cap")
    most, hours = raw.get("max"), raw.get("windowHours")
    if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= 1000:
        raise DefinitionError(f"{path}.max", "how many times one visitor may see it: an integer from 1 to 1000")
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= MAX_CAP_WINDOW_HOURS:
        raise DefinitionError(
            f"{path}.windowHours", f"the window in hours: more than 0, at most {MAX_CAP_WINDOW_HOURS}"
        )
    return FrequencyCap(most, float(hours))


def _status(raw: Any, path: str) -> Status:
    status = next((s for s in Status if s.value == raw), None)
    if status is None:
        raise DefinitionError(path, "draft or published")
    return status


def _priority(raw: Any, path: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_PRIORITY:
        raise DefinitionError(path, f"an integer from 0 to {MAX_PRIORITY}; higher wins")
    return raw


def parse_variant(raw: Any, slot: Slot, path: str = "variant") -> Variant:
    """Parse a variant of `slot` (its content must be of the slot's type); every problem at once."""
    raw = as_object(raw, path, "variant")
    keys = {"id", "slot", "name", "status", "priority", "audience", "conditions", "schedule", "frequencyCap", "content"}
    found = Collector()
    found.attempt(lambda: only_keys(raw, keys, path, "variant"))
    variant_id = found.attempt(lambda: parse_key(raw.get("id"), f"{path}.id"))
    if raw.get("slot") != slot.key:
        found.add(f"{path}.slot", f"must name the variant's slot ({slot.key!r})")
    status = found.attempt(lambda: _status(raw.get("status", "draft"), f"{path}.status"))
    priority = found.attempt(lambda: _priority(raw.get("priority", 0), f"{path}.priority"))
    content = None
    if raw.get("content") is None:
        found.add(f"{path}.content", f"required: the {slot.content_kind.value} to show")
    else:
        content = found.attempt(lambda: parse_content(slot.content_kind, raw["content"], f"{path}.content"))
    audience = conditions = schedule = cap = None
    if raw.get("audience") is not None:
        audience = found.attempt(lambda: parse_key(raw["audience"], f"{path}.audience"))
    if raw.get("conditions") is not None:
        conditions = found.attempt(lambda: parse_condition(raw["conditions"], f"{path}.conditions"))
    if raw.get("schedule"):
        schedule = found.attempt(lambda: parse_schedule(raw["schedule"], f"{path}.schedule", slot.time_zone))
    if raw.get("frequencyCap"):
        cap = found.attempt(lambda: parse_cap(raw["frequencyCap"], f"{path}.frequencyCap"))
    name = found.attempt(lambda: text_field(raw.get("name"), f"{path}.name"))
    found.check()
    assert variant_id is not None and status is not None and priority is not None and content is not None
    return Variant(variant_id, slot.key, name or "", status, priority, content, audience, conditions, schedule, cap)


def parse_audience(raw: Any, path: str = "audience") -> Audience:
    raw = as_object(raw, path, "audience")
    found = Collector()
    found.attempt(lambda: only_keys(raw, {"key", "name", "conditions"}, path, "audience"))
    key = found.attempt(lambda: parse_key(raw.get("key"), f"{path}.key"))
    condition = None
    if raw.get("conditions") is None:
        found.add(f"{path}.conditions", "required: who belongs to this audience")
    else:
        condition = found.attempt(lambda: parse_condition(raw["conditions"], f"{path}.conditions"))
    name = found.attempt(lambda: text_field(raw.get("name"), f"{path}.name"))
    found.check()
    assert key is not None and condition is not None
    return Audience(key, name or "", condition)
