"""The in-process catalogue mirror: one immutable snapshot of the products, searched by index.

A snapshot is a `SearchIndex` over a *base* list of products plus a small *delta*: the
products changed since the base was built, with their own small index. A base product the
delta replaces is hidden. So applying a change costs work in proportion to the change, not to
the catalogue; once the delta holds more than `delta_max` products the next update builds a
new base of everything (in the worker thread, like every update).

Building and updating are CPU work for a worker thread (`CatalogService.refresh` runs them
with `asyncio.to_thread`); nothing here holds the GIL for long (`gentle.py`). Requests read
a snapshot from the event loop; the service swaps in the next one by changing a reference.

Answers are those of `values.matches` + `values.order` over the snapshot's products
(tests/catalogue/test_search_index.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from gateway.catalogue.gentle import release
from gateway.catalogue.search_index import Mask, OrderKey, SearchIndex, order_key
from gateway.catalogue.values import (
    DEFAULT_LOCALE,
    Brand,
    BrandId,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    search_tokens,
    sort_key,
)

DELTA_MAX = 2000  # changed products kept beside the base before a full rebuild


@dataclass(frozen=True, slots=True)
class _Changed:
    """A product changed since the base was built: its tokens and where it goes in each base order."""

    product: Product
    tokens: tuple[str, ...]
    positions: dict[OrderKey, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CatalogueMirror:
    products: Mapping[ProductId, Product]
    brands: Mapping[BrandId, Brand]
    base: SearchIndex
    changed: tuple[_Changed, ...] = ()
    delta: SearchIndex | None = None
    hidden: Mask | None = None  # base ordinals replaced by the delta
    delta_max: int = DELTA_MAX

    @classmethod
    def build(
        cls, products: Iterable[Product], brands: Mapping[BrandId, Brand], *, delta_max: int = DELTA_MAX
    ) -> CatalogueMirror:
        """A snapshot of `products` (id order does not matter), tokens computed with `brands`' names."""
        everything = {p.id: p for p in products}
        listed = list(everything.values())
        tokens = [search_tokens(p, _brand_name(brands, p.brand_id)) for p in listed]
        index = SearchIndex(listed, tokens)
        release(tokens)
        return cls(everything, dict(brands), index, delta_max=delta_max)

    def updated(self, products: Sequence[Product], brands: Mapping[BrandId, Brand]) -> CatalogueMirror:
        """This snapshot with `products` inserted or replaced and `brands` as the brands now.

        Products of a brand whose name changed (or that was not known before) are re-tokenized:
        the brand's name is one of a product's search tokens.
        """
        renamed = {b for b, brand in brands.items() if _brand_name(self.brands, b) != brand.name}
        everything = dict(self.products)
        everything.update((p.id, p) for p in products)
        touched = {p.id: p for p in products}
        if renamed:
            touched.update((p.id, p) for p in everything.values() if p.brand_id in renamed and p.id not in touched)
        changed = {c.product.id: c for c in self.changed}
        for product in touched.values():
            changed[product.id] = _Changed(product, search_tokens(product, _brand_name(brands, product.brand_id)))
        if len(changed) > self.delta_max:
            return self._rebuilt(everything, dict(brands), changed)
        return self._with_delta(everything, dict(brands), list(changed.values()))

    def _rebuilt(
        self, everything: dict[ProductId, Product], brands: dict[BrandId, Brand], changed: Mapping[ProductId, _Changed]
    ) -> CatalogueMirror:
        """A new base of every product; base tokens are read back from the old base, not recomputed."""
        old_tokens = self.base.tokens_of()
        listed: list[Product] = []
        tokens: list[Sequence[str]] = []
        for ordinal, product in enumerate(self.base.products):
            if product.id not in changed:
                listed.append(product)
                tokens.append(old_tokens[ordinal])
        for c in changed.values():
            listed.append(c.product)
            tokens.append(c.tokens)
        index = SearchIndex(listed, tokens)
        release(old_tokens)
        release(tokens)
        return CatalogueMirror(everything, brands, index, delta_max=self.delta_max)

    def _with_delta(
        self, everything: dict[ProductId, Product], brands: dict[BrandId, Brand], changed: list[_Changed]
    ) -> CatalogueMirror:
        delta = SearchIndex([c.product for c in changed], [c.tokens for c in changed])
        keys = [order_key(sort, "") for sort in ProductSort if sort is not ProductSort.NAME]
        keys += [order_key(ProductSort.NAME, locale) for locale in sorted(self.base.locales | delta.locales)]
        # A position depends only on the base and the product, so it is computed once per product
        # (new dictionaries: the snapshot being read keeps its own).
        changed = [_Changed(c.product, c.tokens, self._positions(c, keys)) for c in changed]
        hidden = np.zeros(len(self.base), dtype=np.bool_)
        for c in changed:
            ordinal = self.base.ordinal_of(c.product.id)
            if ordinal is not None:
                hidden[ordinal] = True
        return CatalogueMirror(everything, brands, self.base, tuple(changed), delta, hidden, self.delta_max)

    def _positions(self, changed: _Changed, keys: Sequence[OrderKey]) -> dict[OrderKey, int]:
        found = dict(changed.positions)
        for key in keys:
            if key not in found:
                sort, locale = key
                found[key] = self.base.position(key, sort_key(changed.product, sort, locale or DEFAULT_LOCALE))
        return found

    # --- reads (event loop) ---------------------------------------------------------------

    def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        """Ids of one page of matching products and the number of matches (`CatalogStore.query`)."""
        base = self.base
        key = order_key(sort, locale)
        if key[1] and self.delta is not None and key[1] not in base.locales | self.delta.locales:
            key = order_key(sort, DEFAULT_LOCALE)  # nobody has this locale: everyone shows the default text
        mask = base.match(flt)
        if self.hidden is not None:
            mask = ~self.hidden if mask is None else mask & ~self.hidden
        found = base.ordered(mask, key)
        if self.delta is None:
            return [base.ids[i] for i in found[offset : offset + limit].tolist()], len(found)
        delta_mask = self.delta.match(flt)
        delta_found = self.delta.ordered(delta_mask, key)
        if not len(delta_found):
            return [base.ids[i] for i in found[offset : offset + limit].tolist()], len(found)
        # Each delta product goes after the matching base products that sort before it.
        before = np.fromiter((self.changed[i].positions[key] for i in delta_found.tolist()), dtype=np.int64)
        order = base.order_of(key)
        matched_positions = np.flatnonzero(mask[order]) if mask is not None else np.arange(len(order))
        at = np.searchsorted(matched_positions, before, side="left")
        merged = np.insert(found.astype(np.int64), at, delta_found.astype(np.int64) + len(base))
        page = merged[offset : offset + limit].tolist()
        ids = [base.ids[i] if i < len(base) else self.delta.ids[i - len(base)] for i in page]
        return ids, len(merged)


def _brand_name(brands: Mapping[BrandId, Brand], brand_id: BrandId) -> str:
    brand = brands.get(brand_id)
    return brand.name if brand is not None else ""
