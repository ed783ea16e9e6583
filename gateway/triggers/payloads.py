"""The JSON body a rule's webhook carries (docs/triggers.md documents every field; pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.audiences import channels_used
from gateway.catalogue import Money, Product
from gateway.identity import IdKind, kind_of
from gateway.visitors import Profile


def _money(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


def product_json(p: Product, quantity: int | None = None, locale: str = "en") -> dict[str, Any]:
    translation = p.translations.get(locale) or next(iter(p.translations.values()))
    out: dict[str, Any] = {
        "id": p.id,
        "sku": p.sku,
        "name": translation.name,
        "slug": translation.slug,
        "price": _money(p.price),
        "compareAtPrice": _money(p.compare_at_price),
        "inStock": p.stock > 0,
        "image": p.images[0].url if p.images else None,
    }
    if quantity is not None:
        out["quantity"] = quantity
    return out


def channel_hints(profile: Profile, identifiers: Sequence[str]) -> dict[str, Any]:
    """Where to reach the person: channels seen, declared ones too (most used first), devices,
    whether an email is known."""
    used = channels_used(profile.counters)
    seen = sorted(used, key=lambda c: (-used[c], c))
    return {
        "preferred": seen[0] if seen else None,
        "seen": seen,
        "devices": sum(1 for i in identifiers if kind_of(i) is IdKind.VISITOR),
        "email": any(kind_of(i) is IdKind.EMAIL for i in identifiers),
    }


@dataclass(frozen=True, slots=True)
class Message:
    """Everything one webhook says, before it is JSON."""

    delivery_id: str
    type: str
    rule: str
    profile: Profile
    identifiers: Sequence[str]
    created_at: datetime
    headline: str = ""
    products: Sequence[Mapping[str, Any]] = ()
    recommendations: Mapping[str, Any] | None = None
    journey: str | None = None
    step: str | None = None
    channel: str | None = None  # the channel the rule asks the receiver to answer in
    trigger: Mapping[str, Any] | None = None
    best_send_hour: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # more suggestedContent (promotion, matchedBy)


def build_payload(message: Message, interest_half_life_days: float) -> dict[str, Any]:
    m = message

    def first(k: IdKind) -> str | None:
        return next((i.partition(":")[2] for i in m.identifiers if kind_of(i) is k), None)

    interests = m.profile.interests(m.created_at, interest_half_life_days, limit=3)
    return {
        "id": m.delivery_id,
        "type": m.type,
        "rule": m.rule,
        "journey": m.journey,
        "step": m.step,
        "createdAt": m.created_at.isoformat(),
        "profileId": m.profile.visitor_id,
        "customerId": first(IdKind.CUSTOMER),
        "emailHash": first(IdKind.EMAIL),
        "channel": m.channel,
        "channels": channel_hints(m.profile, m.identifiers),
        "bestSendHour": m.best_send_hour,
        "trigger": dict(m.trigger) if m.trigger is not None else None,
        "products": [dict(p) for p in m.products],
        "recommendations": dict(m.recommendations) if m.recommendations is not None else None,
        "data": dict(m.data),
        "suggestedContent": {
            "headline": m.headline,
            "interests": [{"kind": i.kind, "key": i.key} for i in interests],
            **m.extra,
        },
    }
