"""Data subject requests: export everything stored about a person, or erase it.

A person is a profile (after merges) with its devices, loyalty cards, email hash and the
profiles it absorbed. `export` gathers the profile, identifiers, merge history, events,
live sessions, the recommendation history (what each device viewed, carted and bought, as
the recommender keeps it), what slots keep per device (behaviour counts, serve times,
experiment exposures), segment memberships, automation deliveries and journey positions.
`forget` deletes all of those from every store (profiles and tombstones, identifier links, merge
history, the event log, Redis sessions and cached profiles, memberships, timers and journey
positions, the webhook outbox). What remains
is aggregate only: segment sizes and counts that no longer include the person.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.audiences import AudienceStores
from gateway.identity import (
    IdentifierError,
    IdentityDirectory,
    IdentityStore,
    IdKind,
    email_hash,
    identifier,
    kind_of,
    normalise_email,
)
from gateway.kernel import InputError, NotFound, StoreUnavailable, Visitor, VisitorId
from gateway.platform.leases.protocol import LeaseStore
from gateway.recommendations import RecommendationStores
from gateway.slots import SlotStores
from gateway.triggers import TriggerStores
from gateway.visitors import Profile, VisitorService, VisitorStores

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


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text.lower())


def _unix_iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


class PrivacyService:
    """A data subject request spans every area, so this service reads and erases the stores of
    each (passed in by the composition root); nothing else writes across areas this way."""

    def __init__(
        self,
        identity: IdentityDirectory,
        leases: LeaseStore,
        *,
        visitors: VisitorStores,
        identities: IdentityStore,
        audiences: AudienceStores,
        triggers: TriggerStores,
        recommendations: RecommendationStores,
        slots: SlotStores,
        unlinked_channels: Collection[str] = (),
        hash_emails: bool = True,
        readable: VisitorService | None = None,
    ) -> None:
        self._hash_emails = hash_emails
        self._readable = readable
        self._identity = identity
        self._unlinked = frozenset(unlinked_channels)
        self._leases = leases
        self._visitors = visitors
        self._identities = identities
        self._audiences = audiences
        self._triggers = triggers
        self._recommendations = recommendations
        self._slots = slots
        # Per-visitor traces beside profiles, sessions and events: recommendation history,
        # slot behaviour counts, capped-variant serve times, experiment exposures.
        self._erasers = (recommendations.signals, slots.behaviour, slots.impressions, slots.experiments)

    async def person_of(self, ident: str) -> VisitorId:
        """The profile a privacy request names by identifier (`email:anna@example.com`,
        `customer:42`, `loyalty:CARD`, `visitor:v_...`); an email is hashed as it is stored."""
        kind_text, sep, value = ident.partition(":")
        try:
            kind = IdKind(kind_text.strip().lower())
            if not sep:
                raise ValueError(ident)
            if kind is IdKind.EMAIL and self._hash_emails and not _is_sha256(value):
                stored = f"{kind.value}:{email_hash(value)}"
            elif kind is IdKind.EMAIL:
                stored = f"{kind.value}:{normalise_email(value) if '@' in value else value.strip().lower()}"
            else:
                stored = identifier(kind, value)
        except (ValueError, IdentifierError):
            raise InputError(
                'identifier must be "kind:value" with kind email, customer, loyalty or visitor, e.g. '
                '"email:anna@example.com"',
                field="identifier",
            ) from None
        if kind is IdKind.VISITOR:
            return await self._identity.root(VisitorId(stored.partition(":")[2]))
        owner = await self._identity.owner_of(stored)
        if owner is None:
            raise NotFound(f"no person is known by that {kind.value}")
        return owner

    def check_requester(self, visitor: Visitor) -> None:
        """A person asks for their data from their own signed device, never a shared one."""
        if visitor.is_new:
            raise InputError("no signed visitor id in this request: nothing is stored about a new visitor")
        if visitor.channel.value in self._unlinked:
            raise InputError(f"data requests are not taken on shared {visitor.channel.value} devices")

    async def _person(self, visitor_id: VisitorId) -> tuple[VisitorId, list[VisitorId], list[str], list[str]]:
        """(profile id, every profile/device id of the person, loyalty cards, identifiers)."""
        (profile,) = await self._visitors.profiles.get_many([visitor_id])
        pid = profile.visitor_id if profile is not None else visitor_id
        idents = await self._identity.identifiers_of(pid)
        devices = [VisitorId(i.partition(":")[2]) for i in idents if kind_of(i) is IdKind.VISITOR]
        ids = list(dict.fromkeys([pid, visitor_id, *(profile.merged_from if profile else ()), *devices]))
        cards = [i.partition(":")[2] for i in idents if kind_of(i) is IdKind.LOYALTY]
        return pid, ids, cards, idents

    async def export(self, visitor_id: VisitorId) -> dict[str, Any]:
        pid, ids, cards, idents = await self._person(visitor_id)
        (profile,) = await self._visitors.profiles.get_many([pid])
        events = await self._visitors.events.history(ids, cards, None, EXPORT_EVENT_LIMIT)
        if profile is None and not events and not idents:
            raise NotFound("nothing is stored about this visitor")
        sessions = await self._visitors.sessions.get_many(ids)
        (segments,) = await self._audiences.memberships.memberships([pid])
        deliveries = [d for i in ids for d in await self._triggers.outbox.find(profile_id=i, limit=10_000)]
        journeys = [p for i in ids for p in await self._triggers.positions.find(None, None, i, 1000)]
        merges = await self._identity.merges_of(pid)
        histories = await self._recommendations.signals.histories(ids)
        slot_traces = [await self._slot_traces(i) for i in ids]
        return {
            "profileId": pid,
            "profile": None
            if profile is None
            else {
                "traits": dict(profile.traits),
                "counters": dict(profile.counters),
                **self._scores(profile),
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
                    "refused": m.refused,
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
                    "type": d.event_type,
                    "status": d.status.value,
                    "createdAt": d.created_at.isoformat(),
                    "payload": dict(d.payload),
                }
                for d in deliveries
            ],
            "journeys": [
                {"journey": p.journey, "step": p.step, "status": p.status.value, "enteredAt": p.entered_at.isoformat()}
                for p in journeys
            ],
        }

    def _scores(self, profile: Profile) -> dict[str, Any]:
        """Interests and engagement as a person reads them: scores from 0 to 1 (the strongest
        interest is 1) with their rank and latest signal, and the engagement tier; never the
        internal forward-decayed masses."""
        readable = self._readable or VisitorService(self._visitors.sessions, self._visitors.profiles)
        ranked = readable.interests(profile, len(profile.interest_mass))
        interests = [
            {
                "rank": n,
                "kind": i.kind,
                "key": i.key,
                "score": round(i.score, 4),
                "lastSignalAt": _iso(profile.interest_seen.get(f"{i.kind}:{i.key}")),
            }
            for n, i in enumerate(ranked, start=1)
        ]
        score, tier = readable.engagement(profile)
        return {"interests": interests, "engagement": {"score": round(score, 2), "tier": tier.value}}

    async def _slot_traces(self, visitor_id: VisitorId) -> dict[str, Any]:
        """What slots keep about one device: behaviour counts per day, serve times of capped
        variants, experiment exposures and the metrics it was counted in."""
        slots = self._slots
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
            journal = self._visitors.journal
            if journal is not None:  # first: buffered events must not be applied after the erasure
                for i in ids:
                    await journal.erase_visitor(i)
            events = await self._visitors.events.erase(ids, cards)
            for i in ids:
                await self._audiences.memberships.erase(i)
            timers = sum([await self._triggers.timers.erase(i) for i in ids])
            timers += sum([await self._triggers.positions.erase(i) for i in ids])  # journey positions
            deliveries = await self._triggers.outbox.erase(ids)
            for i in ids:
                await self._visitors.sessions.delete(i)
                for eraser in self._erasers:
                    await eraser.erase_visitor(i)
            await self._identities.erase(pid)
            for i in ids:
                await self._visitors.profiles.delete(i)
        finally:
            await self._leases.release(key, me)
        log.info("erased one person: %d profiles, %d identifiers, %d events", len(ids), len(idents), events)
        return ErasureReport(len(ids), len(idents), events, len(ids), deliveries, timers)
