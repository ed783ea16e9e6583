"""Catalogue reads for the storefront: localized products, brands, categories, filtered lists.

When the catalogue is small enough (`preload_max` products) the service keeps a full mirror in
process, refreshed in the background when the store's revision changes. Then the request path
does no catalogue I/O at all, and product queries keep answering while MongoDB is down.
Above that size every read goes to the store, batched by the per-request DataLoaders.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gateway.catalogue.stores.memory import MemoryCatalogStore
from gateway.catalogue.stores.protocol import CatalogStore
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
PRELOAD_PAGE = 1000
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
    def __init__(self, store: CatalogStore, *, preload_max: int = 200_000) -> None:
        self._store = store
        self._preload_max = preload_max
        self._mirror: MemoryCatalogStore | None = None
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

    async def refresh(self) -> bool:
        """Reload the category tree, and the mirror if the store's revision changed.

        Returns True when something was reloaded. Called at startup and periodically.
        """
        revision = await self._store.revision()
        if revision == self._mirror_revision:
            return False
        self._set_tree(await self._store.all_categories())
        count = revision[0]
        if count <= self._preload_max:
            mirror = MemoryCatalogStore()
            brand_ids: set[BrandId] = set()
            for offset in range(0, count, PRELOAD_PAGE):
                ids, _ = await self._store.query(ProductFilter(), ProductSort.RELEVANCE, "en", offset, PRELOAD_PAGE)
                products = [p for p in await self._store.get_products(ids) if p is not None]
                brand_ids.update(p.brand_id for p in products)
                brands = [b for b in await self._store.get_brands(sorted(brand_ids)) if b is not None]
                await mirror.upsert(products, brands, list(self._categories.values()))
            self._mirror = mirror
            self._pages = OrderedDict()
            self._localized = {}
        else:
            self._mirror = None
        self._mirror_revision = revision
        log.info(
            "catalogue loaded: %d products, %d categories, mirrored=%s", count, len(self._categories), self.mirrored
        )
        return True

    def _set_tree(self, categories: Sequence[Category]) -> None:
        self._categories = {c.id: c for c in categories}
        self._category_views = {}
        self._localized = {}
        self._children = {}
        for c in categories:
            if c.parent_id is not None:
                self._children.setdefault(c.parent_id, []).append(c.id)
        self._by_slug = {c.slug: c.id for c in categories}
        self._descendant_sets = {}

    def _source(self) -> CatalogStore:
        if self._mirror is not None:
            return self._mirror
        self.store_calls += 1
        return self._store

    # --- batch reads (DataLoader batch functions) ---------------------------------------

    async def get_products(self, ids: Sequence[ProductId], locale: str) -> list[LocalizedProduct | None]:
        if self._mirror is None:
            categories = self._localized_categories(locale)
            found = await self._source().get_products(ids)
            brands = await self._brands_of([p for p in found if p is not None], self._source())
            return [localize(p, locale, categories, brands) if p is not None else None for p in found]
        # Mirrored: localized products are immutable until the snapshot changes; build each once.
        cache = self._localized.setdefault(locale, {})
        missing = [i for i in ids if i not in cache]
        if missing:
            categories = self._localized_categories(locale)
            products = [p for p in await self._mirror.get_products(missing) if p is not None]
            brands = await self._brands_of(products, self._mirror)
            for product in products:
                if product is not None:
                    if len(cache) >= LOCALIZED_CACHE_SIZE:
                        cache.clear()  # bounded; rebuilt on demand
                    cache[product.id] = localize(product, locale, categories, brands)
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

    @staticmethod
    async def _brands_of(products: Sequence[Product], source: CatalogStore) -> dict[BrandId, Brand]:
        """The brands of `products`, in one batch read."""
        wanted = sorted({p.brand_id for p in products})
        if not wanted:
            return {}
        return {b.id: b for b in await source.get_brands(wanted) if b is not None}

    def _localized_categories(self, locale: str) -> dict[CategoryId, LocalizedCategory]:
        found = self._category_views.get(locale)
        if found is None:
            found = {c.id: localize_category(c, locale) for c in self._categories.values()}
            self._category_views[locale] = found
        return found

    async def get_raw(self, ids: Sequence[ProductId]) -> list[Product | None]:
        """Products with every locale, for services that derive data from them."""
        return await self._source().get_products(ids)

    def category_map(self) -> Mapping[CategoryId, Category]:
        return self._categories

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        return await self._source().get_brands(ids)

    def listed_brands(self) -> list[Brand] | None:
        """Every brand, by name, when the catalogue is mirrored; None when it is too big to list."""
        if self._mirror is None:
            return None
        return sorted(self._mirror.all_brands(), key=lambda b: (b.name.casefold(), b.id))

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
        if self._mirror is None:
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
            ids, total = await self._mirror.query(flt, sort, locale, offset, limit)
            page = ProductPage(tuple(ids), total, offset)
            self._pages[key] = page
            if len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        return page


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
