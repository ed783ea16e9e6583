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
function raises the shared `ConditionError` with the JSON path of the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from gateway.audiences import Condition, parse_condition
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


def parse_slot(raw: Any, path: str = "slot") -> Slot:
    raw = as_object(raw, path, "slot")
    only_keys(raw, {"key", "description", "channels", "contentType", "timeZone", "default"}, path, "slot")
    key = parse_key(raw.get("key"), f"{path}.key")
    channels = raw.get("channels", [])
    if not isinstance(channels, list):
        raise DefinitionError(f"{path}.channels", f"a list of channels from {', '.join(CHANNELS)}")
    for i, channel in enumerate(channels):
        if channel not in CHANNELS:
            raise DefinitionError(f"{path}.channels[{i}]", f"unknown channel {channel!r}; use {', '.join(CHANNELS)}")
    kind = parse_kind(raw.get("contentType"), f"{path}.contentType")
    if raw.get("default") is None:
        raise DefinitionError(f"{path}.default", "required: the content shown when nothing else applies")
    default = parse_content(kind, raw["default"], f"{path}.default")
    zone = parse_zone(raw.get("timeZone", "UTC"), f"{path}.timeZone").key
    return Slot(
        key, text_field(raw.get("description"), f"{path}.description"), frozenset(channels), kind, default, zone
    )


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


def parse_variant(raw: Any, slot: Slot, path: str = "variant") -> Variant:
    """Parse a variant of `slot` (its content must be of the slot's type)."""
    raw = as_object(raw, path, "variant")
    keys = {"id", "slot", "name", "status", "priority", "audience", "conditions", "schedule", "frequencyCap", "content"}
    only_keys(raw, keys, path, "variant")
    variant_id = parse_key(raw.get("id"), f"{path}.id")
    if raw.get("slot") != slot.key:
        raise DefinitionError(f"{path}.slot", f"must name the variant's slot ({slot.key!r})")
    status_raw = raw.get("status", "draft")
    status = next((s for s in Status if s.value == status_raw), None)
    if status is None:
        raise DefinitionError(f"{path}.status", "draft or published")
    priority = raw.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= MAX_PRIORITY:
        raise DefinitionError(f"{path}.priority", f"an integer from 0 to {MAX_PRIORITY}; higher wins")
    if raw.get("content") is None:
        raise DefinitionError(f"{path}.content", f"required: the {slot.content_kind.value} to show")
    content = parse_content(slot.content_kind, raw["content"], f"{path}.content")
    audience = parse_key(raw["audience"], f"{path}.audience") if raw.get("audience") is not None else None
    conditions = parse_condition(raw["conditions"], f"{path}.conditions") if raw.get("conditions") is not None else None
    schedule = parse_schedule(raw["schedule"], f"{path}.schedule", slot.time_zone) if raw.get("schedule") else None
    cap = parse_cap(raw["frequencyCap"], f"{path}.frequencyCap") if raw.get("frequencyCap") else None
    name = text_field(raw.get("name"), f"{path}.name")
    return Variant(variant_id, slot.key, name, status, priority, content, audience, conditions, schedule, cap)


def parse_audience(raw: Any, path: str = "audience") -> Audience:
    raw = as_object(raw, path, "audience")
    only_keys(raw, {"key", "name", "conditions"}, path, "audience")
    key = parse_key(raw.get("key"), f"{path}.key")
    if raw.get("conditions") is None:
        raise DefinitionError(f"{path}.conditions", "required: who belongs to this audience")
    return Audience(
        key, text_field(raw.get("name"), f"{path}.name"), parse_condition(raw["conditions"], f"{path}.conditions")
    )
