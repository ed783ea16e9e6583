"""The JSON body a trigger's webhook carries (docs/triggers.md documents every field)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from gateway.catalogue import Money, Product
from gateway.identity import IdKind, kind_of
from gateway.kernel import Channel
from gateway.triggers.values import TriggerKind
from gateway.visitors import Profile

HEADLINES = {
    TriggerKind.ABANDONED_CART: "You left something in your cart",
    TriggerKind.INACTIVITY: "We miss you: here is what is new",
    TriggerKind.FAVOURITE_ON_PROMOTION: "Something you like is on promotion",
}
CHANNELS = tuple(c.value for c in Channel)


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
    """Where to reach the person: channels seen (most used first), devices, whether an email is known."""
    used: dict[str, int] = {}
    for key, count in profile.counters.items():
        channel, sep, _ = key.partition(":")
        if sep and channel in CHANNELS:
            used[channel] = used.get(channel, 0) + count
    seen = sorted(used, key=lambda c: (-used[c], c))
    return {
        "preferred": seen[0] if seen else None,
        "seen": seen,
        "devices": sum(1 for i in identifiers if kind_of(i) is IdKind.VISITOR),
        "email": any(kind_of(i) is IdKind.EMAIL for i in identifiers),
    }


def build_payload(
    *,
    delivery_id: str,
    kind: TriggerKind,
    profile: Profile,
    identifiers: Sequence[str],
    products: Sequence[dict[str, Any]],
    created_at: datetime,
    interest_half_life_days: float,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    def first(k: IdKind) -> str | None:
        return next((i.partition(":")[2] for i in identifiers if kind_of(i) is k), None)

    interests = profile.interests(created_at, interest_half_life_days, limit=3)
    return {
        "id": delivery_id,
        "type": kind.value,
        "createdAt": created_at.isoformat(),
        "profileId": profile.visitor_id,
        "customerId": first(IdKind.CUSTOMER),
        "emailHash": first(IdKind.EMAIL),
        "channels": channel_hints(profile, identifiers),
        "products": list(products),
        "suggestedContent": {
            "headline": HEADLINES.get(kind, ""),
            "interests": [{"kind": i.kind, "key": i.key} for i in interests],
            **(extra or {}),
        },
    }
