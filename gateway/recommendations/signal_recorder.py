"""The event listener that keeps the collaborative signals up to date, event by event.

Registered with `EventService.add_listener`: it runs after the profile and session were
updated. Per visitor it reads the history once, derives the updates (pure,
`gateway.recommendations.values.signals.updates_for`) and records them; the store applies each at most once
per event key, so a replay is harmless. A store outage raises StoreUnavailable, and the
event service leaves the events unapplied to be replayed.

Two events of one visitor handled concurrently by two instances may each miss the other as a
predecessor: a lost pair in a co-occurrence count, never a double count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from gateway.catalogue import Category, CategoryId, Product, ProductId
from gateway.kernel import VisitorId
from gateway.recommendations.stores.protocol import SignalStore
from gateway.recommendations.values.signals import SignalConfig, updates_for
from gateway.visitors import Event


class SignalRecorder:
    def __init__(
        self,
        store: SignalStore,
        categories: Callable[[], Mapping[CategoryId, Category]],
        config: SignalConfig | None = None,
    ) -> None:
        """`categories` returns the current category tree (e.g. `CatalogService.category_map`)."""
        self._store = store
        self._categories = categories
        self._config = config or SignalConfig()

    async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
        by_visitor: dict[VisitorId, list[Event]] = defaultdict(list)
        for event in events:
            by_visitor[event.visitor_id].append(event)
        visitors = list(by_visitor)
        histories = await self._store.histories(visitors)
        tree = self._categories()
        updates = []
        for visitor_id, history in zip(visitors, histories, strict=True):
            mine = sorted(by_visitor[visitor_id], key=lambda e: e.timestamp)
            updates.extend(updates_for(mine, history, products, tree, self._config))
        if updates:
            await self._store.record(updates)
