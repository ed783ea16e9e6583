"""Data subject requests: export everything stored about a person, or erase it.

A person is a profile (after merges) with its devices, loyalty cards, email hash and the
profiles it absorbed. `export` gathers the profile, identifiers, merge history, events,
live sessions, the recommendation history (what each device viewed, carted and bought, as
the recommender keeps it), what slots keep per device (behaviour counts, serve times,
experiment exposures), segment memberships and trigger deliveries. `forget` deletes all of those
from every store (profiles and tombstones, identifier links, merge history, the event log,
Redis sessions and cached profiles, memberships, timers, the webhook outbox). What remains
is aggregate only: segment sizes and counts that no longer include the person.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.identity.service import IdentityService
from gateway.identity.values import IdKind, kind_of
from gateway.kernel.errors import NotFound, StoreUnavailable
from gateway.kernel.visitor import VisitorId
from gateway.platform.leases.protocol import LeaseStore
from gateway.store_factory import Stores

log = logging.getLogger(__name__)

EXPORT_EVENT_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class ErasureReport:
    profiles: int
    identifiers: int
    events: int
    sessions: int
    deliveries: int
    timers: int


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _unix_iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


class PrivacyService:
    def __init__(self, stores: Stores, identity: IdentityService, leases: LeaseStore) -> None:
        self._stores = stores
        self._identity = identity
        self._leases = leases

    async def _person(self, visitor_id: VisitorId) -> tuple[VisitorId, list[VisitorId], list[str], list[str]]:
        """(profile id, every profile/device id of the person, loyalty cards, identifiers)."""
        (profile,) = await self._stores.profiles.get_many([visitor_id])
        pid = profile.visitor_id if profile is not None else visitor_id
        idents = await self._identity.identifiers_of(pid)
        devices = [VisitorId(i.partition(":")[2]) for i in idents if kind_of(i) is IdKind.VISITOR]
        ids = list(dict.fromkeys([pid, visitor_id, *(profile.merged_from if profile else ()), *devices]))
        cards = [i.partition(":")[2] for i in idents if kind_of(i) is IdKind.LOYALTY]
        return pid, ids, cards, idents

    async def export(self, visitor_id: VisitorId) -> dict[str, Any]:
        pid, ids, cards, idents = await self._person(visitor_id)
        (profile,) = await self._stores.profiles.get_many([pid])
        events = await self._stores.events.history(ids, cards, None, EXPORT_EVENT_LIMIT)
        if profile is None and not events and not idents:
            raise NotFound("nothing is stored about this visitor")
        sessions = await self._stores.sessions.get_many(ids)
        (segments,) = await self._stores.memberships.memberships([pid])
        deliveries = [d for i in ids for d in await self._stores.outbox.find(profile_id=i, limit=10_000)]
        merges = await self._identity.merges_of(pid)
        histories = await self._stores.signals.histories(ids)
        slot_traces = [await self._slot_traces(i) for i in ids]
        return {
            "profileId": pid,
            "profile": None
            if profile is None
            else {
                "traits": dict(profile.traits),
                "counters": dict(profile.counters),
                "interests": dict(profile.interest_mass),
                "engagementMass": profile.engagement_mass,
                "firstSeen": _iso(profile.first_seen),
                "lastSeen": _iso(profile.last_seen),
                "consent": {
                    p: {"granted": r.granted, "at": r.at.isoformat(), "source": r.source}
                    for p, r in profile.consent.items()
                },
                "mergedFrom": list(profile.merged_from),
            },
            "identifiers": idents,
            "merges": [
                {
                    "target": m.target,
                    "sources": list(m.sources),
                    "identifiers": list(m.identifiers),
                    "reason": m.reason,
                    "at": m.at.isoformat(),
                }
                for m in merges
            ],
            "events": [
                {
                    "messageId": s.event.message_id,
                    "visitorId": s.event.visitor_id,
                    "type": s.event.type.value,
                    "name": s.event.name,
                    "channel": s.event.channel.value,
                    "timestamp": s.event.timestamp.isoformat(),
                    "properties": dict(s.event.properties),
                }
                for s in events
            ],
            "sessions": [
                {
                    "visitorId": s.visitor_id,
                    "cart": [[line.product_id, line.quantity] for line in s.cart],
                    "recentlyViewed": list(s.recently_viewed),
                    "recentSearches": list(s.recent_searches),
                    "lastActivity": _iso(s.last_activity),
                }
                for s in sessions
                if s is not None
            ],
            "recommendationHistory": [
                {"visitorId": vid, "productId": h.product_id, "kind": h.kind, "at": _unix_iso(h.at)}
                for vid, entries in zip(ids, histories, strict=True)
                for h in entries
            ],
            "slotTraces": [t for t in slot_traces if t["behaviour"] or t["impressions"] or t["experiments"]],
            "segments": sorted(segments),
            "decisions": [
                {
                    "id": d.id,
                    "type": d.kind.value,
                    "status": d.status.value,
                    "createdAt": d.created_at.isoformat(),
                    "payload": dict(d.payload),
                }
                for d in deliveries
            ],
        }

    async def _slot_traces(self, visitor_id: VisitorId) -> dict[str, Any]:
        """What slots keep about one device: behaviour counts per day, serve times of capped
        variants, experiment exposures and the metrics it was counted in."""
        slots = self._stores.slots
        experiments = await slots.experiments.export_visitor(visitor_id)
        return {
            "visitorId": visitor_id,
            "behaviour": await slots.behaviour.export_visitor(visitor_id),
            "impressions": {
                variant: [t.isoformat() for t in times]
                for variant, times in (await slots.impressions.export_visitor(visitor_id)).items()
            },
            "experiments": {
                name: {
                    "arm": exposure.arm if exposure else None,
                    "exposedAt": exposure.at.isoformat() if exposure else None,
                    "counted": metrics,
                }
                for name, (exposure, metrics) in experiments.items()
            },
        }

    async def forget(self, visitor_id: VisitorId) -> ErasureReport:
        pid, ids, cards, idents = await self._person(visitor_id)
        me = secrets.token_hex(8)
        key = f"profile-merge:{pid}"
        if not await self._leases.acquire(key, me, 30):  # no merge may run into it meanwhile
            raise StoreUnavailable("identity", "forget (a merge of this profile is running; retry)")
        try:
            s = self._stores
            events = await s.events.erase(ids, cards)
            for i in ids:
                await s.memberships.erase(i)
            timers = sum([await s.timers.erase(i) for i in ids])
            deliveries = await s.outbox.erase(ids)
            for i in ids:
                await s.sessions.delete(i)
                for eraser in s.visitor_erasers():  # recommendation history, slot counters, experiments
                    await eraser.erase_visitor(i)
            await s.identities.erase(pid)
            for i in ids:
                await s.profiles.delete(i)
        finally:
            await self._leases.release(key, me)
        log.info("erased one person: %d profiles, %d identifiers, %d events", len(ids), len(idents), events)
        return ErasureReport(len(ids), len(idents), events, len(ids), deliveries, timers)
