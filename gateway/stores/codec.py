"""Conversions between domain values and plain documents (MongoDB) or JSON (Redis).

One place for the field names, so the Mongo and Redis implementations cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from gateway.domain.catalog import (
    Attribute,
    Brand,
    BrandId,
    Category,
    CategoryId,
    Image,
    Money,
    Product,
    ProductId,
    Translation,
    fold,
)
from gateway.domain.events import Event, EventType
from gateway.domain.profile import ConsentRecord, Profile
from gateway.domain.session import CartLine, Session
from gateway.domain.visitor import Channel, VisitorId


def _dt_out(value: datetime | None, as_text: bool) -> Any:
    if value is None:
        return None
    return value.isoformat() if as_text else value


def _dt_in(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def money_out(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


def money_in(d: Mapping[str, Any] | None) -> Money | None:
    return None if d is None else Money(Decimal(str(d["amount"])), str(d["currency"]))


def product_out(p: Product) -> dict[str, Any]:
    return {
        "_id": p.id,
        "sku": p.sku,
        "brand_id": p.brand_id,
        "category_ids": list(p.category_ids),
        "price": money_out(p.price),
        "compare_at_price": money_out(p.compare_at_price),
        "stock": p.stock,
        "images": [{"url": i.url, "alt": i.alt, "width": i.width, "height": i.height} for i in p.images],
        "attributes": [{"name": a.name, "value": a.value} for a in p.attributes],
        "translations": {
            loc: {"name": t.name, "description": t.description, "slug": t.slug} for loc, t in p.translations.items()
        },
        "tags": list(p.tags),
        "embedding_text_hash": p.embedding_text_hash,
    }


def product_in(d: Mapping[str, Any]) -> Product:
    price = money_in(d["price"])
    assert price is not None
    return Product(
        id=ProductId(d["_id"]),
        sku=d["sku"],
        brand_id=BrandId(d["brand_id"]),
        category_ids=tuple(CategoryId(c) for c in d["category_ids"]),
        price=price,
        compare_at_price=money_in(d.get("compare_at_price")),
        stock=int(d["stock"]),
        images=tuple(Image(i["url"], i["alt"], int(i["width"]), int(i["height"])) for i in d["images"]),
        attributes=tuple(Attribute(a["name"], a["value"]) for a in d["attributes"]),
        translations={loc: Translation(t["name"], t["description"], t["slug"]) for loc, t in d["translations"].items()},
        tags=tuple(d.get("tags", ())),
        embedding_text_hash=d.get("embedding_text_hash", ""),
    )


def sort_names(p: Product) -> dict[str, str]:
    return {loc: fold(t.name) for loc, t in p.translations.items()}


def brand_out(b: Brand) -> dict[str, Any]:
    return {"_id": b.id, "name": b.name, "slug": b.slug}


def brand_in(d: Mapping[str, Any]) -> Brand:
    return Brand(BrandId(d["_id"]), d["name"], d["slug"])


def category_out(c: Category) -> dict[str, Any]:
    return {"_id": c.id, "parent_id": c.parent_id, "names": dict(c.names), "slug": c.slug, "path": list(c.path)}


def category_in(d: Mapping[str, Any]) -> Category:
    parent = d.get("parent_id")
    return Category(
        id=CategoryId(d["_id"]),
        parent_id=CategoryId(parent) if parent else None,
        names=dict(d["names"]),
        slug=d["slug"],
        path=tuple(CategoryId(c) for c in d["path"]),
    )


def profile_out(p: Profile, *, as_text: bool) -> dict[str, Any]:
    return {
        "_id": p.visitor_id,
        "traits": dict(p.traits),
        "counters": dict(p.counters),
        "interest_mass": dict(p.interest_mass),
        "first_seen": _dt_out(p.first_seen, as_text),
        "last_seen": _dt_out(p.last_seen, as_text),
        "recent_event_keys": list(p.recent_event_keys),
        "engagement_mass": p.engagement_mass,
        "consent": {k: consent_out(r, as_text=as_text) for k, r in p.consent.items()},
        "merged_from": list(p.merged_from),
        "merged_into": p.merged_into,
    }


def consent_out(r: ConsentRecord, *, as_text: bool) -> dict[str, Any]:
    return {"granted": r.granted, "at": _dt_out(r.at, as_text), "source": r.source}


def consent_in(d: Mapping[str, Any]) -> ConsentRecord:
    at = _dt_in(d["at"])
    assert at is not None
    return ConsentRecord(bool(d["granted"]), at, str(d.get("source", "")))


def profile_in(d: Mapping[str, Any]) -> Profile:
    return Profile(
        visitor_id=VisitorId(d["_id"]),
        traits=dict(d.get("traits") or {}),
        counters={k: int(v) for k, v in (d.get("counters") or {}).items()},
        interest_mass={k: float(v) for k, v in (d.get("interest_mass") or {}).items()},
        first_seen=_dt_in(d.get("first_seen")),
        last_seen=_dt_in(d.get("last_seen")),
        recent_event_keys=tuple(d.get("recent_event_keys") or ()),
        engagement_mass=float(d.get("engagement_mass") or 0.0),
        consent={k: consent_in(v) for k, v in (d.get("consent") or {}).items()},
        merged_from=tuple(VisitorId(v) for v in d.get("merged_from") or ()),
        merged_into=VisitorId(d["merged_into"]) if d.get("merged_into") else None,
    )


def session_out(s: Session) -> dict[str, Any]:
    """JSON-ready session without the cached profile (that is stored beside it)."""
    return {
        "rv": list(s.recently_viewed),
        "cart": [[line.product_id, line.quantity] for line in s.cart],
        "rs": list(s.recent_searches),
        "la": _dt_out(s.last_activity, True),
        "ch": s.channel.value if s.channel else None,
        "ek": sorted(s.applied_event_keys),
    }


def session_in(visitor_id: VisitorId, d: Mapping[str, Any], profile: Profile | None) -> Session:
    channel = d.get("ch")
    return Session(
        visitor_id=visitor_id,
        recently_viewed=tuple(ProductId(p) for p in d.get("rv", ())),
        cart=tuple(CartLine(ProductId(p), int(q)) for p, q in d.get("cart", ())),
        recent_searches=tuple(d.get("rs", ())),
        last_activity=_dt_in(d.get("la")),
        channel=Channel(channel) if channel else None,
        applied_event_keys=frozenset(d.get("ek", ())),
        profile=profile,
    )


def event_out(e: Event, *, applied: bool) -> dict[str, Any]:
    return {
        "_id": e.key,
        "message_id": e.message_id,
        "visitor_id": e.visitor_id,
        "type": e.type.value,
        "name": e.name,
        "channel": e.channel.value,
        "timestamp": e.timestamp,
        "received_at": e.received_at,
        "properties": dict(e.properties),
        "applied": applied,
    }


def event_in(d: Mapping[str, Any]) -> Event:
    ts, received = _dt_in(d["timestamp"]), _dt_in(d["received_at"])
    assert ts is not None and received is not None
    return Event(
        message_id=d["message_id"],
        visitor_id=VisitorId(d["visitor_id"]),
        type=EventType(d["type"]),
        name=d["name"],
        channel=Channel(d["channel"]),
        timestamp=ts,
        received_at=received,
        properties=dict(d.get("properties") or {}),
    )
