"""An inverted index over a fixed list of products: what the catalogue mirror answers lists from.

`SearchIndex(products, tokens)` is built once per snapshot in a worker thread (every step is
plain Python, numpy that releases the GIL, or short C calls: `gentle.py`) and is read-only
afterwards. It answers exactly what `values.matches` and `values.order` answer over the same
products (tests/catalogue/test_search_index.py compares the two over thousands of queries),
in time that does not grow with the number of products a filter rejects.

Layout, for N products (an ordinal is a position in `products`):

- tokens: a sorted vocabulary and, per token, the ordinals of the products that have it,
  all in one array (`postings[offsets[t]:offsets[t + 1]]`). Every token a search word
  prefixes lies in one contiguous range of the vocabulary, hence of `postings`: a prefix
  search is one slice, whatever the number of tokens it covers;
- categories and brands: the ordinals of each;
- stock: a boolean per ordinal; price: the ordinals in (price, id) order with each
  ordinal's position there, so a price range is two binary searches;
- one permutation per sort order (id, price up, price down, name per locale).

A filter becomes a boolean mask over ordinals (numpy, linear in N but ~0.1 ms at 100k);
a page is the permutation of the sort order, masked, sliced.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from gateway.catalogue.gentle import Ordinals, argsort_by, int32_array, sorted_distinct
from gateway.catalogue.values import (
    DEFAULT_LOCALE,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    SortKey,
    sort_key,
)

Mask = npt.NDArray[np.bool_]
OrderKey = tuple[ProductSort, str]  # (sort, locale); the locale is "" unless the sort is by name


def order_key(sort: ProductSort, locale: str) -> OrderKey:
    return (sort, locale if sort is ProductSort.NAME else "")


def successor(word: str) -> str:
    """The smallest string above every string `word` prefixes (`word` is not empty)."""
    return word[:-1] + chr(ord(word[-1]) + 1)


class SearchIndex:
    def __init__(self, products: Sequence[Product], tokens: Sequence[Sequence[str]]) -> None:
        """Index `products`; `tokens[i]` are the search tokens of `products[i]` (`values.search_tokens`)."""
        n = len(products)
        self.products = products
        self.ids: list[ProductId] = [p.id for p in products]
        locales = {DEFAULT_LOCALE}
        for p in products:  # one short call per product (a single union over all would hold the GIL)
            locales.update(p.translations)
        self.locales: frozenset[str] = frozenset(locales)
        self._vocabulary, self._offsets, self._postings = _postings(n, tokens)
        self._categories = _groups((i, c) for i, p in enumerate(products) for c in p.category_ids)
        self._brands = _groups((i, p.brand_id) for i, p in enumerate(products))
        self._in_stock: Mask = np.fromiter((p.stock > 0 for p in products), dtype=np.bool_, count=n)
        self._orders: dict[OrderKey, Ordinals] = {}
        for sort in ProductSort:
            for locale in sorted(self.locales) if sort is ProductSort.NAME else [""]:
                self._orders[(sort, locale)] = argsort_by(n, _key_of(products, sort, locale or DEFAULT_LOCALE))
        by_price = self._orders[(ProductSort.PRICE_ASC, "")]
        self._prices: list[Decimal] = [products[int(i)].price.amount for i in by_price]
        self._price_position = np.empty(n, dtype=np.int32)
        self._price_position[by_price] = np.arange(n, dtype=np.int32)
        self._wide = self._wide_masks()

    def __len__(self) -> int:
        return len(self.ids)

    # --- filters --------------------------------------------------------------------------

    def match(self, flt: ProductFilter) -> Mask | None:
        """The ordinals `flt` accepts, as a mask; None when it accepts every product."""
        masks: list[Mask] = []
        if flt.category_ids is not None:
            masks.append(self._union(self._categories, flt.category_ids))
        if flt.brand_ids is not None:
            masks.append(self._union(self._brands, flt.brand_ids))
        if flt.in_stock is not None:
            masks.append(self._in_stock if flt.in_stock else ~self._in_stock)
        if flt.price.min is not None or flt.price.max is not None:
            low = 0 if flt.price.min is None else bisect_left(self._prices, flt.price.min)
            high = len(self._prices) if flt.price.max is None else bisect_right(self._prices, flt.price.max)
            masks.append((self._price_position >= low) & (self._price_position < high))
        masks.extend(self._prefixed(word) for word in flt.search_tokens)
        if not masks:
            return None
        found = masks[0].copy()
        for mask in masks[1:]:
            found &= mask
        return found

    def _union(self, groups: Mapping[str, Ordinals], keys: Iterable[str]) -> Mask:
        mask = np.zeros(len(self), dtype=np.bool_)
        for key in keys:
            ordinals = groups.get(key)
            if ordinals is not None:
                mask[ordinals] = True
        return mask

    def _prefixed(self, word: str) -> Mask:
        """Products with a token that `word` prefixes (`values.matches`: 'sneak' finds 'sneakers')."""
        wide = self._wide.get(word)
        if wide is not None:
            return wide
        start, end = self._span(word)
        mask = np.zeros(len(self), dtype=np.bool_)
        mask[self._postings[start:end]] = True
        return mask

    def _span(self, word: str) -> tuple[int, int]:
        """The slice of `postings` holding the tokens `word` prefixes."""
        low = bisect_left(self._vocabulary, word)
        high = bisect_left(self._vocabulary, successor(word), low)
        return int(self._offsets[low]), int(self._offsets[high])

    def _wide_masks(self) -> dict[str, Mask]:
        """Masks of the words whose tokens have more postings than there are products.

        Those are short prefixes ('s', 'sp'), which a storefront sends while someone types: a
        few dozen per prefix length, one byte per product each. Built here, so that no request
        pays for a scatter longer than the number of products.
        """
        found: dict[str, Mask] = {}
        level = sorted({w[:1] for w in self._vocabulary if w})
        while level:
            wider: list[str] = []
            for prefix in level:
                start, end = self._span(prefix)
                if end - start > len(self):
                    mask = np.zeros(len(self), dtype=np.bool_)
                    mask[self._postings[start:end]] = True
                    found[prefix] = mask
                    wider.append(prefix)
            level = sorted({w[: len(p) + 1] for p in wider for w in self._vocabulary_with(p) if len(w) > len(p)})
        return found

    def _vocabulary_with(self, prefix: str) -> list[str]:
        low = bisect_left(self._vocabulary, prefix)
        return self._vocabulary[low : bisect_left(self._vocabulary, successor(prefix), low)]

    # --- order ----------------------------------------------------------------------------

    def order_of(self, key: OrderKey) -> Ordinals:
        """Every ordinal in the order `key` names (a name order of a locale no product has is the
        default locale's: every product then shows its default text)."""
        found = self._orders.get(key)
        return found if found is not None else self._orders[(ProductSort.NAME, DEFAULT_LOCALE)]

    def ordered(self, mask: Mask | None, key: OrderKey) -> Ordinals:
        """The ordinals `mask` accepts, in the order `key` names."""
        order = self.order_of(key)
        return order if mask is None else order[mask[order]]

    def position(self, key: OrderKey, sort_key_: SortKey) -> int:
        """How many products come before a product with `sort_key_` in the order `key` names."""
        sort, locale = key
        return bisect_left(self.order_of(key), sort_key_, key=_key_of(self.products, sort, locale or DEFAULT_LOCALE))

    def ordinal_of(self, product_id: ProductId) -> int | None:
        order = self._orders[(ProductSort.RELEVANCE, "")]
        at = bisect_left(order, product_id, key=self.ids.__getitem__)
        return int(order[at]) if at < len(order) and self.ids[order[at]] == product_id else None

    def tokens_of(self) -> list[list[str]]:
        """Every product's tokens, read back from the postings (to rebuild without re-tokenizing)."""
        found: list[list[str]] = [[] for _ in self.ids]
        for t, word in enumerate(self._vocabulary):
            for i in self._postings[self._offsets[t] : self._offsets[t + 1]].tolist():
                found[i].append(word)
        return found

    def nbytes(self) -> int:
        """Bytes held in numpy arrays (the Python lists and strings are not counted)."""
        arrays: list[npt.NDArray[np.generic]] = [self._offsets, self._postings, self._in_stock, self._price_position]
        arrays += [*self._orders.values(), *self._categories.values(), *self._brands.values(), *self._wide.values()]
        return sum(int(a.nbytes) for a in arrays)


def _key_of(products: Sequence[Product], sort: ProductSort, locale: str) -> Callable[[int], SortKey]:
    return lambda i: sort_key(products[i], sort, locale)


def _postings(n: int, tokens: Sequence[Sequence[str]]) -> tuple[list[str], npt.NDArray[np.int64], Ordinals]:
    vocabulary = sorted_distinct(t for ts in tokens for t in ts)
    number = {t: i for i, t in enumerate(vocabulary)}
    lengths = np.fromiter((len(ts) for ts in tokens), dtype=np.int64, count=n)
    # One int64 key per (token, product): token * n + ordinal. Sorting the keys (numpy releases
    # the GIL) orders the postings by token, then ordinal; a key never repeats.
    keys = np.empty(int(lengths.sum()), dtype=np.int64)
    at = 0
    for ordinal, ts in enumerate(tokens):
        keys[at : at + len(ts)] = [number[t] * n + ordinal for t in ts]
        at += len(ts)
    keys.sort()
    postings = (keys % max(n, 1)).astype(np.int32)
    offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // max(n, 1), minlength=len(vocabulary)), out=offsets[1:])
    return vocabulary, offsets, postings


def _groups(pairs: Iterable[tuple[int, str]]) -> dict[str, Ordinals]:
    lists: dict[str, list[int]] = {}
    for ordinal, key in pairs:
        lists.setdefault(key, []).append(ordinal)
    return {key: int32_array([ids[s : s + 4096] for s in range(0, len(ids), 4096)]) for key, ids in lists.items()}
