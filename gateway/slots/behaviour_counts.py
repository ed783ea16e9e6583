"""Behaviour counts in time windows: kept up to date from applied events, read per request.

An `EventListener`: every applied event bumps its day's counters (see
gateway.slots.values.behaviour), idempotently per event key. Reading the counts a slot's
audiences need is one round trip for all of them, whatever the windows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from gateway.audiences import BehaviourQuery
from gateway.catalogue import CatalogService, Product, ProductId
from gateway.kernel import VisitorId
from gateway.slots.stores.protocol import BehaviourStore
from gateway.slots.values.behaviour import day_key, event_fields, query_days, query_field
from gateway.visitors import Event, product_ids


class BehaviourCounts:
    def __init__(self, store: BehaviourStore, catalog: CatalogService) -> None:
        self._store = store
        self._catalog = catalog

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        categories = self._catalog.category_map()
        for event in events:
            fields: dict[str, None] = {}
            ids: list[str | None] = [*product_ids(event)] or [None]
            for pid in ids:
                product = products.get(ProductId(pid)) if pid else None
                fields.update(dict.fromkeys(event_fields(event, product, categories)))
            day = day_key(event.timestamp.astimezone(UTC).date())
            await self._store.record(event.visitor_id, event.key, day, list(fields))

    async def counts(
        self, visitor_ids: Sequence[VisitorId], queries: Sequence[BehaviourQuery], now: datetime
    ) -> dict[BehaviourQuery, int]:
        """How many matching events the person (all of `visitor_ids`, their devices) produced in
        each query's window."""
        if not queries:
            return {}
        wanted: list[tuple[str, str]] = []
        spans: list[tuple[BehaviourQuery, int, int]] = []
        for query in queries:
            field = query_field(query)
            days = query_days(query, now.astimezone(UTC))
            spans.append((query, len(wanted), len(wanted) + len(days)))
            wanted += [(day, field) for day in days]
        found = await self._store.counts(visitor_ids, wanted)
        return {query: sum(found[lo:hi]) for query, lo, hi in spans}
