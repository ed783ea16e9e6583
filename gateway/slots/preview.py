"""Previews for editors: what a slot of the workspace would show a visitor, and why; records nothing.

The visitor is a real one when their id has a stored profile or session: their profile,
session (with the person's other devices), segment memberships, behaviour counts and
frequency-cap impressions are read exactly as `slot(key)` reads them (so a visitor who matches
live previews the same way, and one who withdrew consent previews as NO_CONSENT). Anything the
editor adds describes a hypothetical visitor, or changes the real one for this preview only:
traits are merged over the profile's, segments are added to the visitor's, and the request
(channel, country, UTM...), cart, behaviour counts and other facts given replace what was read.

Nothing is written: no impressions, no exposures, no counters, no profile cached in the
session (reading a session still slides its expiry, as any read does). A product carousel
comes with the products a storefront would list for that visitor (its fixed list, else its
strategy's recommendations, else the catalogue's default order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.audiences import BehaviourQuery
from gateway.catalogue import CatalogService, LocalizedProduct
from gateway.kernel import InputError, VisitorId
from gateway.recommendations import RecommendationService
from gateway.slots.behaviour_counts import BehaviourCounts
from gateway.slots.facts import FactProvider, RequestFacts, visitor_facts
from gateway.slots.stores.protocol import ImpressionStore
from gateway.slots.values.content import ProductCarousel
from gateway.slots.values.decision import Decision, Reason, Visit, decide
from gateway.slots.values.definitions import Snapshot, build_snapshot
from gateway.slots.workspace import DefinitionInvalid, SlotDefinitions
from gateway.visitors import VisitorService, VisitorState

MAX_CAROUSEL = 50
NO_CONSENT = "the visitor has not consented to personalization"


@dataclass(frozen=True, slots=True)
class HypotheticalVisitor:
    """The visitor to preview for: a visitor id (real or made up) and what the editor adds."""

    visitor_id: str = "v_preview"
    traits: Mapping[str, Any] = field(default_factory=dict)
    segments: Sequence[str] = ()
    request: RequestFacts = field(default_factory=RequestFacts)
    cart_value: float | None = None
    cart_items: Sequence[str] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)  # any other field, by name
    behaviour: Mapping[BehaviourQuery, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PreviewedVisitor:
    """Who the preview decided for, as the decision saw them."""

    visitor_id: str
    profile_id: str  # differs from visitor_id once the visitor was merged into another profile
    known: bool  # a profile or a session is stored for this id (else: a hypothetical visitor)
    personalized: bool  # False: consent withheld or a store down; `reason` says which
    reason: str | None
    segments: tuple[str, ...]
    facts: Mapping[str, Any]  # every fact the audiences were evaluated against
    behaviour: tuple[tuple[BehaviourQuery, int, bool], ...]  # (query, count, given by the editor)


@dataclass(frozen=True, slots=True)
class Preview:
    decision: Decision
    visitor: PreviewedVisitor
    products: tuple[LocalizedProduct, ...]  # a carousel's products for this visitor; empty otherwise


def _is_known(state: VisitorState) -> bool:
    return state.profile.first_seen is not None or state.session.last_activity is not None


class SlotPreviews:
    def __init__(
        self,
        definitions: SlotDefinitions,
        visitors: VisitorService,
        behaviour: BehaviourCounts,
        impressions: ImpressionStore,
        catalog: CatalogService,
        recommendations: RecommendationService,
        *,
        half_life_days: float,
        fact_providers: Sequence[FactProvider] = (),
    ) -> None:
        """The collaborators `SlotService` decides with, plus visitors and recommendations."""
        self._definitions = definitions
        self._visitors = visitors
        self._behaviour = behaviour
        self._impressions = impressions
        self._catalog = catalog
        self._recommendations = recommendations
        self._half_life = half_life_days
        self._providers = tuple(fact_providers)

    async def _snapshot(self) -> Snapshot:
        try:
            return build_snapshot(0, await self._definitions.workspace())
        except Exception as exc:  # the workspace is kept valid; a code change may still break it
            raise DefinitionInvalid("workspace", str(exc)) from None

    async def preview(
        self,
        who: HypotheticalVisitor,
        key: str,
        variant_id: str | None = None,
        at: datetime | None = None,
        *,
        locale: str = "en",
        first: int = 12,
    ) -> Preview:
        """The workspace's decision for `who` (a real visitor when their id is known); records nothing."""
        snapshot = await self._snapshot()
        slot = snapshot.slots.get(key)
        if slot is None:
            raise InputError(f"no slot {key!r} in the workspace", field="key")
        if variant_id is not None and snapshot.variants.get(variant_id) is None:
            raise InputError(f"no variant {variant_id!r} in the workspace", field="variantId")
        now = at or datetime.now(UTC)
        vid = VisitorId(who.visitor_id)
        (state,) = await self._visitors.load([vid], cache=False)
        if who.traits:
            state = replace(state, profile=replace(state.profile, traits={**state.profile.traits, **who.traits}))
        facts = await visitor_facts(state, who.request, self._catalog, self._providers, now, self._half_life)
        if who.segments:
            facts["segments"] = sorted({*facts.get("segments", ()), *who.segments})
        if who.cart_value is not None:
            facts["cart.value"] = who.cart_value
        if who.cart_items:
            facts["cart.items"] = list(who.cart_items)
            facts["cart.itemCount"] = len(who.cart_items)
        facts.update(who.facts)
        queries = [q for q in snapshot.behaviour_by_slot.get(key, ()) if q not in who.behaviour]
        read = await self._behaviour.counts(state.device_ids, queries, now) if not state.degraded else {}
        behaviour = {**read, **who.behaviour}
        impressions = await self._impression_counts(snapshot, key, state.visitor_id, now)
        unit = str(facts.get("customer.id") or who.visitor_id)
        visit = Visit(unit, facts, now, facts.get("session.channel"), behaviour, impressions)
        if state.no_consent and variant_id is None:  # as `slot` answers: a stranger's content
            decision = Decision(slot, slot.default, Reason.NO_CONSENT, snapshot.version, detail=NO_CONSENT)
        else:
            decision = decide(snapshot, slot, visit, forced_variant=variant_id)
        products: tuple[LocalizedProduct, ...] = ()
        content = decision.content
        if isinstance(content, ProductCarousel):
            count = max(1, min(first, MAX_CAROUSEL))
            ids = await self._recommendations.carousel(state, content.product_ids, content.strategy, count, locale)
            products = tuple(p for p in await self._catalog.get_products(ids, locale) if p is not None)
        visitor = PreviewedVisitor(
            visitor_id=who.visitor_id,
            profile_id=state.profile.visitor_id,
            known=_is_known(state),
            personalized=state.personalized,
            reason=state.reason,
            segments=tuple(facts.get("segments", ())),
            facts=facts,
            behaviour=tuple((q, n, q in who.behaviour) for q, n in behaviour.items()),
        )
        return Preview(decision, visitor, products)

    async def _impression_counts(
        self, snapshot: Snapshot, key: str, visitor_id: VisitorId, now: datetime
    ) -> dict[str, int]:
        windows = [
            (v.id, now - timedelta(hours=v.cap.window_hours))
            for v in snapshot.live_by_slot.get(key, ())
            if v.cap is not None
        ]
        if not windows:
            return {}
        counts = await self._impressions.counts(visitor_id, windows)
        return {vid: n for (vid, _), n in zip(windows, counts, strict=True)}
