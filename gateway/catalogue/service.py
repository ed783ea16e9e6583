"""Catalogue reads for the storefront: localized products, brands, categories, filtered lists.

When the catalogue is small enough (`preload_max` products) and the store can be followed (a
`CatalogFeed`), the service keeps a full mirror in process (`gateway.catalogue.mirror`):
loaded once, then brought up to date with only the products that changed whenever the store's
revision moves. The request path then does no catalogue I/O, lists come from the mirror's
index, and product queries keep answering while MongoDB is down. Loading and updating run
in a worker thread, so the event loop keeps serving; requests see the old snapshot until the
new one replaces it. Above `preload_max` every read goes to the store, batched by the
per-request DataLoaders.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gateway.catalogue.mirror import DELTA_MAX, CatalogueMirror
from gateway.catalogue.stores.protocol import CatalogFeed, CatalogStore
from gateway.catalogue.values import (
    Brand,
    BrandId,
    Category,
    CategoryId,
    LocalizedCategory,
    LocalizedProduct,
    PriceRange,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    localize,
    localize_category,
    tokenize,
)
from gateway.kernel import InputError

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
FEED_PAGE = 1000
BRAND_PAGE = 1000
GENTLE_SWITCH_INTERVAL = 0.001  # seconds; CPython's default is 0.005
PAGE_CACHE_SIZE = 2048
LOCALIZED_CACHE_SIZE = 400_000


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """A storefront filter as the client wrote it (unvalidated references)."""

    category: str | None = None
    brand: str | None = None
    search: str | None = None
    in_stock: bool | None = None
    min_price: str | None = None
    max_price: str | None = None


@dataclass(frozen=True, slots=True)
class ProductPage:
    ids: tuple[ProductId, ...]
    total: int
    offset: int


class CatalogService:
    def __init__(
        self,
        store: CatalogStore,
        *,
        feed: CatalogFeed | None = None,
        preload_max: int = 200_000,
        delta_max: int = DELTA_MAX,
        gentle_builds: bool = False,
    ) -> None:
        """`gentle_builds`: while a snapshot is built, for a serving process (`gateway.app`, which
        also freezes its startup objects; tests leave it off):

        - the cyclic garbage collector is off, and what was built is then moved into its
          permanent generation (`gc.freeze`). A collection that walks a 100k-product snapshot
          (about 1.5 million objects) holds the GIL for 100 ms or more, stalling every request;
          snapshots hold no reference cycles, so reference counting still frees a replaced one;
        - the interpreter's switch interval is 1 ms instead of 5: the build thread hands the GIL
          back to the event loop sooner (measured: the worst stall roughly halves, the build
          takes a little longer; docs/performance.md)."""
        self._gentle_builds = gentle_builds
        self._refreshing = asyncio.Lock()
        self._store = store
        self._feed = feed
        self._preload_max = preload_max
        self._delta_max = delta_max
        self._mirror: CatalogueMirror | None = None
        self._mirror_revision: tuple[int, int] | None = None
        self._categories: dict[CategoryId, Category] = {}
        self._children: dict[CategoryId, list[CategoryId]] = {}
        self._by_slug: dict[str, CategoryId] = {}
        self._descendant_sets: dict[CategoryId, frozenset[CategoryId]] = {}
        self._pages: OrderedDict[tuple[object, ...], ProductPage] = OrderedDict()
        self._category_views: dict[str, dict[CategoryId, LocalizedCategory]] = {}
        self._localized: dict[str, dict[ProductId, LocalizedProduct]] = {}
        self.store_calls = 0  # for N+1 guard tests and metrics

    @property
    def mirrored(self) -> bool:
        return self._mirror is not None

    @property
    def epoch(self) -> object:
        """Changes whenever the catalogue this process answers from may have changed: the
        mirror's revision, or None when reads go to the store (then nothing is kept by epoch)."""
        return self._mirror_revision if self._mirror is not None else None

    @property
    def mirror(self) -> CatalogueMirror | None:
        """The snapshot requests read now (None: reads go to the store)."""
        return self._mirror

    @property
    def loaded(self) -> bool:
        """The catalogue has been read once (whether or not it is mirrored)."""
        return self._mirror_revision is not None

    async def refresh(self) -> bool:
        """Reload the category tree, and bring the mirror up to date if the store's revision changed.

        Returns True when something was reloaded. Called at startup and periodically; the first
        call loads every product, later ones only the products written since. One at a time.
        """
        async with self._refreshing:
            return await self._refresh()

    async def _refresh(self) -> bool:
        revision = await self._store.revision()
        if revision == self._mirror_revision:
            return False
        categories = await self._store.all_categories()
        started = time.perf_counter()
        count, previous = revision[0], self._mirror
        mirror: CatalogueMirror | None = None
        changed: set[ProductId] | None = None  # None: everything may have changed
        if self._feed is not None and count <= self._preload_max:
            with self._gently():
                if previous is None or self._mirror_revision is None:
                    mirror = await self._load(self._feed)
                else:
                    mirror, changed = await self._follow(self._feed, previous, self._mirror_revision[1])
        tree_changed = self._set_tree(categories)
        self._mirror, self._mirror_revision = mirror, revision
        self._pages = OrderedDict()
        brands_changed = previous is not None and mirror is not None and previous.brands != mirror.brands
        if changed is None or tree_changed or brands_changed:
            stale, self._localized = self._localized, {}
            await asyncio.to_thread(_dismantle, stale)
        else:
            for cache in self._localized.values():
                for product_id in changed:
                    cache.pop(product_id, None)
        log.info(
            "catalogue %s: %d products, %d categories, mirrored=%s (%.1f s)",
            "updated" if changed is not None else "loaded",
            count,
            len(self._categories),
            self.mirrored,
            time.perf_counter() - started,
        )
        return True

    @contextmanager
    def _gently(self) -> Iterator[None]:
        if not self._gentle_builds:
            yield
            return
        collecting, interval = gc.isenabled(), sys.getswitchinterval()
        gc.disable()
        sys.setswitchinterval(min(interval, GENTLE_SWITCH_INTERVAL))
        try:
            yield
        finally:
            sys.setswitchinterval(interval)
            gc.freeze()
            if collecting:
                gc.enable()

    async def _load(self, feed: CatalogFeed) -> CatalogueMirror:
        """Every product, a page at a time; the snapshot is built in a worker thread."""
        products: list[Product] = []
        brand_ids: set[BrandId] = set()
        after: ProductId | None = None
        while page := await feed.scan(after, FEED_PAGE):
            products.extend(page)
            brand_ids.update(p.brand_id for p in page)  # a page at a time: 100k at once held the loop 24 ms
            after = page[-1].id
            await asyncio.sleep(0)  # an embedded feed answers without awaiting: let requests run between pages
        brands = await self._all_brands(brand_ids)
        return await asyncio.to_thread(CatalogueMirror.build, products, brands, delta_max=self._delta_max)

    async def _follow(
        self, feed: CatalogFeed, mirror: CatalogueMirror, since: int
    ) -> tuple[CatalogueMirror, set[ProductId]]:
        """`mirror` with the products written after revision `since`."""
        changes: dict[ProductId, Product] = {}
        cursor: tuple[int, ProductId] | None = None
        while page := await feed.changes(since, cursor, FEED_PAGE):
            changes.update((p.id, p) for _, p in page)
            cursor = (page[-1][0], page[-1][1].id)
            await asyncio.sleep(0)
        brands = await self._all_brands(set(mirror.brands) | {p.brand_id for p in changes.values()})
        updated = await asyncio.to_thread(mirror.updated, list(changes.values()), brands)
        return updated, set(changes)

    async def _all_brands(self, ids: set[BrandId]) -> dict[BrandId, Brand]:
        wanted = sorted(ids)
        found: dict[BrandId, Brand] = {}
        for start in range(0, len(wanted), BRAND_PAGE):
            found.update((b.id, b) for b in await self._store.get_brands(wanted[start : start + BRAND_PAGE]) if b)
        return found

    def _set_tree(self, categories: Sequence[Category]) -> bool:
        """True when the tree changed (localized products then show stale categories)."""
        tree = {c.id: c for c in categories}
        if tree == self._categories:
            return False
        self._categories = tree
        self._category_views = {}
        self._children = {}
        for c in categories:
            if c.parent_id is not None:
                self._children.setdefault(c.parent_id, []).append(c.id)
        self._by_slug = {c.slug: c.id for c in categories}
        self._descendant_sets = {}
        return True

    def _source(self) -> CatalogStore:
        """The store, for reads the mirror cannot answer (counted: N+1 guard tests read the count)."""
        self.store_calls += 1
        return self._store

    # --- batch reads (DataLoader batch functions) ---------------------------------------

    async def get_products(self, ids: Sequence[ProductId], locale: str) -> list[LocalizedProduct | None]:
        mirror = self._mirror
        if mirror is None:
            categories = self._localized_categories(locale)
            found = await self._source().get_products(ids)
            brands = await self._brands_of([p for p in found if p is not None])
            return [localize(p, locale, categories, brands) if p is not None else None for p in found]
        # Mirrored: localized products are immutable until they change; build each once.
        cache = self._localized.setdefault(locale, {})
        missing = [i for i in ids if i not in cache]
        if missing:
            categories = self._localized_categories(locale)
            for product_id in missing:
                product = mirror.products.get(product_id)
                if product is not None:
                    if len(cache) >= LOCALIZED_CACHE_SIZE:
                        cache.clear()  # bounded; rebuilt on demand
                    cache[product.id] = localize(product, locale, categories, mirror.brands)
        return [cache.get(i) for i in ids]

    def cached_products(self, ids: Sequence[ProductId], locale: str) -> list[LocalizedProduct | None] | None:
        """`get_products` answered from the mirror's localized cache, when it holds every id (else None)."""
        cache = self._localized.get(locale)
        if cache is None:
            return None
        try:
            found: list[LocalizedProduct | None] = [cache[i] for i in ids]
        except KeyError:
            return None
        return found

    def listed_product_ids(self) -> list[ProductId] | None:
        """Every product id when the catalogue is mirrored (for did-you-mean messages); else None."""
        return list(self._mirror.products) if self._mirror is not None else None

    async def _brands_of(self, products: Sequence[Product]) -> dict[BrandId, Brand]:
        """The brands of `products`, in one batch read."""
        wanted = sorted({p.brand_id for p in products})
        if not wanted:
            return {}
        return {b.id: b for b in await self._source().get_brands(wanted) if b is not None}

    def _localized_categories(self, locale: str) -> dict[CategoryId, LocalizedCategory]:
        found = self._category_views.get(locale)
        if found is None:
            found = {c.id: localize_category(c, locale) for c in self._categories.values()}
            self._category_views[locale] = found
        return found

    async def get_raw(self, ids: Sequence[ProductId]) -> list[Product | None]:
        """Products with every locale, for services that derive data from them."""
        mirror = self._mirror
        if mirror is not None:
            return [mirror.products.get(i) for i in ids]
        return await self._source().get_products(ids)

    def category_map(self) -> Mapping[CategoryId, Category]:
        return self._categories

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        mirror = self._mirror
        if mirror is not None:
            return [mirror.brands.get(i) for i in ids]
        return await self._source().get_brands(ids)

    def listed_brands(self) -> list[Brand] | None:
        """Every brand, by name, when the catalogue is mirrored; None when it is too big to list."""
        if self._mirror is None:
            return None
        return sorted(self._mirror.brands.values(), key=lambda b: (b.name.casefold(), b.id))

    def get_categories(self, ids: Sequence[CategoryId], locale: str) -> list[LocalizedCategory | None]:
        views = self._localized_categories(locale)
        return [views.get(i) for i in ids]

    def roots(self, locale: str) -> list[LocalizedCategory]:
        views = self._localized_categories(locale)
        return sorted((c for c in views.values() if c.parent_id is None), key=lambda c: c.slug)

    def children(self, category_id: CategoryId, locale: str) -> list[LocalizedCategory]:
        views = self._localized_categories(locale)
        return [views[c] for c in self._children.get(category_id, [])]

    # --- lists --------------------------------------------------------------------------

    def _descendants(self, root: CategoryId) -> frozenset[CategoryId]:
        known = self._descendant_sets.get(root)
        if known is not None:
            return known
        found, stack = {root}, [root]
        while stack:
            for child in self._children.get(stack.pop(), []):
                found.add(child)
                stack.append(child)
        self._descendant_sets[root] = frozenset(found)
        return self._descendant_sets[root]

    def build_filter(self, query: ProductQuery) -> ProductFilter:
        """Validate a client filter; raises InputError with an actionable message."""
        categories = None
        if query.category is not None:
            cid = (
                CategoryId(query.category) if query.category in self._categories else self._by_slug.get(query.category)
            )
            if cid is None:
                raise InputError(
                    f"unknown category {query.category!r}: pass a category id or slug", field="filter.category"
                )
            categories = self._descendants(cid)
        brands = frozenset({BrandId(query.brand)}) if query.brand is not None else None
        tokens: tuple[str, ...] = ()
        if query.search is not None:
            if len(query.search) > 200:
                raise InputError("search text is longer than 200 characters", field="filter.search")
            tokens = tokenize(query.search)[:10]
        price = PriceRange(
            _decimal(query.min_price, "filter.priceRange.min"), _decimal(query.max_price, "filter.priceRange.max")
        )
        if price.min is not None and price.max is not None and price.min > price.max:
            raise InputError("min is greater than max", field="filter.priceRange")
        return ProductFilter(categories, brands, tokens, query.in_stock, price)

    async def find(self, query: ProductQuery, sort: ProductSort, locale: str, offset: int, limit: int) -> ProductPage:
        if not 0 <= limit <= MAX_PAGE_SIZE:
            raise InputError(f"must be between 0 and {MAX_PAGE_SIZE}", field="first")
        if not 0 <= offset <= MAX_OFFSET:
            raise InputError(f"cursor points past the first {MAX_OFFSET} results; narrow the filter", field="after")
        mirror = self._mirror
        if mirror is None:
            flt = self.build_filter(query)
            ids, total = await self._source().query(flt, sort, locale, offset, limit)
            return ProductPage(tuple(ids), total, offset)
        # Mirrored: lists are pure functions of the snapshot, and most requests ask the same
        # few (home page, category pages), so keep recent answers until the snapshot changes.
        # Keyed by the query as the client wrote it: a query that does not validate is never
        # cached, so it is refused every time.
        key = (query, sort, locale, offset, limit)
        page = self._pages.get(key)
        if page is None:
            flt = self.build_filter(query)
            ids, total = mirror.query(flt, sort, locale, offset, limit)
            page = ProductPage(tuple(ids), total, offset)
            self._pages[key] = page
            if len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        return page


def _dismantle(caches: dict[str, dict[ProductId, LocalizedProduct]]) -> None:
    """Free big caches a little at a time: one `dict.clear()` of 100k objects holds the GIL for
    tens of milliseconds, stalling the event loop."""
    for cache in caches.values():
        while cache:
            for _ in range(min(len(cache), 1000)):
                cache.popitem()


def _decimal(raw: str | None, field: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InputError(f"{raw!r} is not a decimal amount such as 199.99", field=field) from None
    if not value.is_finite() or value < 0:
        raise InputError("must be a non-negative amount", field=field)
    return value
