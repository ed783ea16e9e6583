"""GraphQL views of mirrored catalogue pages, kept while the mirror answers the same page object.

The catalogue mirror answers the same immutable `ProductPage` object for the same query until
its snapshot changes; a page's GraphQL view (edges, cursors, page info) can then be kept beside
it and handed out again without rebuilding. Entries are keyed by the page object's identity and
hold the page itself, so a new snapshot's page (a new object) is never answered from an old
view. Bounded: cleared when full.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from gateway.catalogue import ProductPage

MAX_VIEWS = 2048
V = TypeVar("V")


class PageViews(Generic[V]):
    def __init__(self, max_views: int = MAX_VIEWS) -> None:
        self._views: dict[int, tuple[ProductPage, V]] = {}
        self._max = max_views
        self.hits = self.misses = 0  # /metrics: vitrine_cache_lookups_total{cache="page_views"}

    def get(self, page: ProductPage) -> V | None:
        found = self._views.get(id(page))
        if found is not None and found[0] is page:
            self.hits += 1
            return found[1]
        self.misses += 1
        return None

    def keep(self, page: ProductPage, view: V) -> None:
        if len(self._views) >= self._max:
            self._views.clear()
        self._views[id(page)] = (page, view)  # holds the page: its identity stays its own
