"""What started a rule or a journey, as its actions see it (pure).

An occasion is an event the person sent, or one the gateway noticed for them: a segment
entered or left, an engagement tier changed, a wait that ran out ("Absence"), a product they
like on promotion, a follow-up falling due. Its `key` roots the idempotency keys of what the
rule does, so handling the same occasion twice (a replayed event, a timer fired again after a
crash) sends nothing twice. Timers and journey positions keep it as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.catalogue import ProductId
from gateway.kernel import VisitorId
from gateway.triggers.values.activity import products_of
from gateway.visitors import Event

ABSENCE = "Absence"
TIER_CHANGED = "Engagement Tier Changed"
PROMOTION = "Product On Promotion"
FOLLOW_UP = "Follow-up"


@dataclass(frozen=True, slots=True)
class Occasion:
    name: str  # the event's name, or ABSENCE, TIER_CHANGED, PROMOTION, FOLLOW_UP
    key: str  # unique per occasion: the event's key, or the timer's and its moment
    at: datetime
    channel: str | None = None
    visitor_id: VisitorId | None = None  # the device that sent the event
    properties: Mapping[str, Any] = field(default_factory=dict)
    products: tuple[tuple[ProductId, int], ...] = ()  # what `products: "event"` / "promotion" send
    extra: Mapping[str, Any] = field(default_factory=dict)  # added to the payload's suggestedContent

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "at": self.at.isoformat(),
            "channel": self.channel,
            "visitorId": self.visitor_id,
            "properties": dict(self.properties),
            "products": [[p, q] for p, q in self.products],
            "extra": dict(self.extra),
        }

    def trigger_json(self) -> dict[str, Any]:
        """What the payload's `trigger` field tells the receiver."""
        return {
            "event": self.name,
            "channel": self.channel,
            "at": self.at.isoformat(),
            "properties": dict(self.properties),
        }


def occasion_from_json(raw: Mapping[str, Any]) -> Occasion:
    return Occasion(
        name=str(raw["name"]),
        key=str(raw["key"]),
        at=datetime.fromisoformat(str(raw["at"])),
        channel=raw.get("channel"),
        visitor_id=VisitorId(raw["visitorId"]) if raw.get("visitorId") else None,
        properties=dict(raw.get("properties") or {}),
        products=tuple((ProductId(str(p)), int(q)) for p, q in raw.get("products") or ()),
        extra=dict(raw.get("extra") or {}),
    )


def event_occasion(event: Event) -> Occasion:
    return Occasion(
        name=event.name,
        key=event.key,
        at=event.timestamp,
        channel=event.channel.value,
        visitor_id=event.visitor_id,
        properties=dict(event.properties),
        products=tuple(products_of(event)),
    )
