"""Answering `slot(key)`: gather facts, prefetch counters, decide, record — and fail open.

Per request (any number of slots): one read of the served snapshot (so every slot of the
request sees the same release), one catalogue lookup for cart and viewed products, one
round trip for behaviour counts, one for impressions of capped variants; then the pure
decisions; then one write of impressions and exposures. If anything personal is
unavailable — a store down, or a definition that fails at evaluation — every slot still
answers with its default content and reason PERSONALIZATION_UNAVAILABLE.

Previews (the editors' workspace, drafts included, for a real or imagined visitor; nothing
written) are `gateway.slots.preview`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.audiences import BehaviourQuery
from gateway.catalogue import CatalogService
from gateway.kernel import InputError, StoreUnavailable, VisitorId
from gateway.platform.lru import Lru, staggered_bucket
from gateway.slots.behaviour_counts import BehaviourCounts
from gateway.slots.experiment_tracker import ExperimentTracker
from gateway.slots.facts import FactProvider, RequestFacts, visitor_facts
from gateway.slots.stores.protocol import ImpressionStore
from gateway.slots.values.decision import Decision, Reason, Visit, decide
from gateway.slots.values.definitions import Snapshot
from gateway.slots.workspace import SlotDefinitions
from gateway.visitors import VisitorState

log = logging.getLogger(__name__)

MAX_SLOTS_PER_REQUEST = 20
INPUTS_FRESHNESS_SECONDS = 60.0

Inputs = tuple[dict[str, Any], dict[BehaviourQuery, int]]  # (facts, behaviour counts)


def _fallback(
    snapshot: Snapshot, keys: Sequence[str], detail: str, reason: Reason = Reason.PERSONALIZATION_UNAVAILABLE
) -> list[Decision | None]:
    result: list[Decision | None] = []
    for key in keys:
        slot = snapshot.slots.get(key)
        result.append(None if slot is None else Decision(slot, slot.default, reason, snapshot.version, detail=detail))
    return result


class SlotService:
    def __init__(
        self,
        definitions: SlotDefinitions,
        behaviour: BehaviourCounts,
        impressions: ImpressionStore,
        tracker: ExperimentTracker,
        catalog: CatalogService,
        *,
        half_life_days: float,
        fact_providers: Sequence[FactProvider] = (),
        inputs_cache: Lru[Inputs] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`fact_providers` answer audience facts beyond the visitor's own state (segments,
        engagement, per-channel counts). `inputs_cache` keeps a visitor's facts and behaviour
        counts for the same stored state (see `_inputs_key`); None: read them every time."""
        self._definitions = definitions
        self._behaviour = behaviour
        self._impressions = impressions
        self._tracker = tracker
        self._catalog = catalog
        self._half_life = half_life_days
        self._providers = tuple(fact_providers)
        self._inputs = inputs_cache
        self._clock = clock

    async def decide(
        self, state: VisitorState, keys: Sequence[str], request: RequestFacts, now: datetime | None = None
    ) -> list[Decision | None]:
        """One decision per key, in order; None for a key no published slot has."""
        if len(keys) > MAX_SLOTS_PER_REQUEST:
            raise InputError(f"at most {MAX_SLOTS_PER_REQUEST} slots per request", field="keys")
        now = now or datetime.now(UTC)
        snapshot = self._definitions.snapshot
        slots = [snapshot.slots.get(k) for k in keys]
        if state.no_consent:  # a stranger's answer, and no impression or exposure is recorded
            return _fallback(snapshot, keys, "the visitor has not consented to personalization", Reason.NO_CONSENT)
        if state.degraded:
            return _fallback(snapshot, keys, f"unavailable: {', '.join(state.degraded)}")
        try:
            queries = list(dict.fromkeys(q for s in slots if s for q in snapshot.behaviour_by_slot.get(s.key, ())))
            key = self._inputs_key(state, request, queries, snapshot, now)
            cached = self._inputs.get(key) if key is not None and self._inputs is not None else None
            if cached is None:
                facts = await self._facts(state, request, now)
                behaviour = await self._behaviour.counts(state.device_ids, queries, now)
                if key is not None and self._inputs is not None:
                    self._inputs.put(key, (facts, behaviour))
            else:
                facts, behaviour = cached
            # Never kept: caps must count every serve, including this request's own.
            impressions = await self._impression_counts(snapshot, state.visitor_id, [s.key for s in slots if s], now)
        except StoreUnavailable as exc:
            log.warning("slots served with default content: %s", exc.message)
            return _fallback(snapshot, keys, exc.message)
        unit = str(facts.get("customer.id") or state.visitor_id)
        visit = Visit(unit, facts, now, facts.get("session.channel"), behaviour, impressions)
        decisions: list[Decision | None] = []
        for key, slot in zip(keys, slots, strict=True):
            if slot is None:
                decisions.append(None)
                continue
            try:
                decisions.append(decide(snapshot, slot, visit))
            except Exception:  # a definition that breaks at evaluation must not break the page
                log.exception("slot %s: decision failed, serving default content", key)
                decisions.append(_fallback(snapshot, [key], "the slot's definition could not be evaluated")[0])
        await self._record(state.visitor_id, [d for d in decisions if d is not None], now)
        return decisions

    def _inputs_key(
        self,
        state: VisitorState,
        request: RequestFacts,
        queries: Sequence[BehaviourQuery],
        snapshot: Snapshot,
        now: datetime,
    ) -> Hashable | None:
        """What a visitor's facts and behaviour counts depend on: their stored state (its
        fingerprint: any event of theirs changes it), the page's context, the release, the
        catalogue, the UTC day (behaviour windows count whole days), and a time bucket for what
        moves without them: time-decayed scores and segments re-evaluated by the worker, at most
        INPUTS_FRESHNESS_SECONDS behind."""
        catalogue = self._catalog.epoch
        if state.fingerprint is None or catalogue is None or state.no_consent:
            return None
        bucket = staggered_bucket(self._clock(), state.visitor_id, INPUTS_FRESHNESS_SECONDS)
        day = now.astimezone(UTC).date()
        return (state.visitor_id, state.fingerprint, request, tuple(queries), snapshot.version, catalogue, day, bucket)

    async def _facts(self, state: VisitorState, request: RequestFacts, now: datetime) -> dict[str, Any]:
        return await visitor_facts(state, request, self._catalog, self._providers, now, self._half_life)

    async def _impression_counts(
        self, snapshot: Snapshot, visitor_id: VisitorId, slot_keys: Sequence[str], now: datetime
    ) -> dict[str, int]:
        windows = [
            (v.id, now - timedelta(hours=v.cap.window_hours))
            for key in slot_keys
            for v in snapshot.live_by_slot.get(key, ())
            if v.cap is not None
        ]
        counts = await self._impressions.counts(visitor_id, windows)
        return {vid: n for (vid, _), n in zip(windows, counts, strict=True)}

    async def _record(self, visitor_id: VisitorId, decisions: Sequence[Decision], now: datetime) -> None:
        capped = [d.variant.id for d in decisions if d.variant is not None and d.variant.cap is not None]
        try:
            await self._impressions.record(visitor_id, capped, now)
            await self._tracker.expose(visitor_id, decisions, now)
        except StoreUnavailable as exc:  # the page is served; only the counting is lost
            log.warning("could not record slot impressions/exposures: %s", exc.message)
