"""Conversions between visitor values (profiles, sessions, events) and plain documents (MongoDB) or JSON (Redis).

One place for the field names, so the MongoDB and Redis implementations cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from gateway.catalogue import ProductId
from gateway.kernel import Channel, VisitorId
from gateway.platform.codec import dt_in, dt_out
from gateway.visitors.values.events import Event, EventType
from gateway.visitors.values.profile import ConsentRecord, Profile, ProfileChange
from gateway.visitors.values.session import CartLine, Session, SessionChange
from gateway.visitors.values.staged import StagedChange


def profile_out(p: Profile, *, as_text: bool) -> dict[str, Any]:
    return {
        "_id": p.visitor_id,
        "traits": dict(p.traits),
        "counters": dict(p.counters),
        "interest_mass": dict(p.interest_mass),
        "interest_seen": {k: dt_out(v, as_text) for k, v in p.interest_seen.items()},
        "first_seen": dt_out(p.first_seen, as_text),
        "last_seen": dt_out(p.last_seen, as_text),
        "recent_event_keys": list(p.recent_event_keys),
        "engagement_mass": p.engagement_mass,
        "consent": {k: consent_out(r, as_text=as_text) for k, r in p.consent.items()},
        "merged_from": list(p.merged_from),
        "merged_into": p.merged_into,
    }


def consent_out(r: ConsentRecord, *, as_text: bool) -> dict[str, Any]:
    return {"granted": r.granted, "at": dt_out(r.at, as_text), "source": r.source}


def consent_in(d: Mapping[str, Any]) -> ConsentRecord:
    at = dt_in(d["at"])
    assert at is not None
    return ConsentRecord(bool(d["granted"]), at, str(d.get("source", "")))


def profile_in(d: Mapping[str, Any]) -> Profile:
    return Profile(
        visitor_id=VisitorId(d["_id"]),
        traits=dict(d.get("traits") or {}),
        counters={k: int(v) for k, v in (d.get("counters") or {}).items()},
        interest_mass={k: float(v) for k, v in (d.get("interest_mass") or {}).items()},
        interest_seen={k: t for k, v in (d.get("interest_seen") or {}).items() if (t := dt_in(v)) is not None},
        first_seen=dt_in(d.get("first_seen")),
        last_seen=dt_in(d.get("last_seen")),
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
        "la": dt_out(s.last_activity, True),
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
        last_activity=dt_in(d.get("la")),
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
        "proven": list(e.proven),
        "inert": e.inert,
        "applied": applied,
    }


def event_in(d: Mapping[str, Any]) -> Event:
    ts, received = dt_in(d["timestamp"]), dt_in(d["received_at"])
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
        proven=tuple(d.get("proven") or ()),
        inert=bool(d.get("inert", False)),
    )


def staged_out(c: StagedChange) -> bytes:
    """`<event key>\\n<JSON>`: the key first, so a Lua script can unstage by key without decoding."""
    body: dict[str, Any] = {}
    if c.session is not None:
        sc = c.session
        body["s"] = {
            "at": dt_out(sc.at, True),
            "ch": sc.channel.value,
            "v": sc.viewed,
            "cd": [[p, q] for p, q in sc.cart_delta],
            "cc": sc.cart_clear,
            "q": sc.search,
        }
    if c.profile is not None:
        pc = c.profile
        body["p"] = {
            "at": dt_out(pc.at, True),
            "c": dict(pc.counters),
            "m": dict(pc.interest_mass),
            "t": dict(pc.traits),
            "e": pc.engagement,
        }
    return c.event_key.encode() + b"\n" + orjson.dumps(body)


def staged_in(raw: bytes) -> StagedChange:
    head, _, rest = raw.partition(b"\n")
    key, body = head.decode(), orjson.loads(rest)
    session = profile = None
    if (s := body.get("s")) is not None:
        at = dt_in(s["at"])
        assert at is not None
        session = SessionChange(
            key,
            at,
            Channel(s["ch"]),
            ProductId(s["v"]) if s.get("v") else None,
            tuple((ProductId(p), int(q)) for p, q in s.get("cd") or ()),
            bool(s.get("cc")),
            s.get("q"),
        )
    if (p := body.get("p")) is not None:
        at = dt_in(p["at"])
        assert at is not None
        profile = ProfileChange(key, at, p.get("c") or {}, p.get("m") or {}, p.get("t") or {}, float(p.get("e") or 0.0))
    return StagedChange(key, session, profile)
