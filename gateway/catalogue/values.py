"""Catalogue values: products, brands, categories, money, and the pure filter logic.

Everything here is a frozen value plus pure functions. Stores persist these values;
services localize them; resolvers expose them. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import NewType

ProductId = NewType("ProductId", str)
BrandId = NewType("BrandId", str)
CategoryId = NewType("CategoryId", str)

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "pl")
DEFAULT_LOCALE = "en"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor-unit-safe decimal with an ISO 4217 currency code."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Translation:
    """Text of a product in one locale."""

    name: str
    description: str
    slug: str


@dataclass(frozen=True, slots=True)
class Product:
    """A product as stored: all locales, no presentation decisions."""

    id: ProductId
    sku: str
    brand_id: BrandId
    category_ids: tuple[CategoryId, ...]
    price: Money
    compare_at_price: Money | None
    stock: int
    images: tuple[Image, ...]
    attributes: tuple[Attribute, ...]
    translations: Mapping[str, Translation]
    tags: tuple[str, ...] = ()
    embedding_text_hash: str = ""

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def text(self, locale: str) -> Translation:
        """The translation for `locale`, falling back to English, then to any."""
        found = self.translations.get(locale) or self.translations.get(DEFAULT_LOCALE)
        if found is None:
            found = next(iter(self.translations.values()))
        return found


@dataclass(frozen=True, slots=True)
class Brand:
    id: BrandId
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class Category:
    """A node of the category tree; `path` runs from the root to this node (inclusive)."""

    id: CategoryId
    parent_id: CategoryId | None
    names: Mapping[str, str]
    slug: str
    path: tuple[CategoryId, ...]

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get(DEFAULT_LOCALE) or self.slug


@dataclass(frozen=True, slots=True)
class LocalizedCategory:
    """A category with its name resolved for one locale."""

    id: CategoryId
    slug: str
    name: str
    parent_id: CategoryId | None
    path: tuple[CategoryId, ...]


def localize_category(category: Category, locale: str) -> LocalizedCategory:
    return LocalizedCategory(category.id, category.slug, category.name(locale), category.parent_id, category.path)


@dataclass(frozen=True, slots=True)
class LocalizedProduct:
    """What the storefront sees: one locale resolved, leaf values ready to serialize.

    Resolvers expose these attributes directly (no per-field resolver functions).
    """

    id: ProductId
    sku: str
    name: str
    description: str
    slug: str
    url: str
    brand_id: BrandId
    brand: Brand | None
    category_ids: tuple[CategoryId, ...]
    categories: tuple[LocalizedCategory, ...]
    price: Money
    compare_at_price: Money | None
    in_stock: bool
    stock: int
    images: tuple[Image, ...]
    attributes: tuple[Attribute, ...]


def localize(
    product: Product,
    locale: str,
    categories: Mapping[CategoryId, LocalizedCategory] | None = None,
    brands: Mapping[BrandId, Brand] | None = None,
) -> LocalizedProduct:
    """The product as shown in `locale`, with its brand and (localized) categories attached."""
    text = product.text(locale)
    known = categories or {}
    return LocalizedProduct(
        id=product.id,
        sku=product.sku,
        name=text.name,
        description=text.description,
        slug=text.slug,
        url=f"/{locale}/p/{text.slug}",
        brand_id=product.brand_id,
        brand=(brands or {}).get(product.brand_id),
        category_ids=product.category_ids,
        categories=tuple(known[c] for c in product.category_ids if c in known),
        price=product.price,
        compare_at_price=product.compare_at_price,
        in_stock=product.in_stock,
        stock=product.stock,
        images=product.images,
        attributes=product.attributes,
    )


# --- filtering -------------------------------------------------------------------------


class ProductSort(Enum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class PriceRange:
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """A validated product filter. `category_ids` already includes descendants."""

    category_ids: frozenset[CategoryId] | None = None
    brand_ids: frozenset[BrandId] | None = None
    search_tokens: tuple[str, ...] = ()
    in_stock: bool | None = None
    price: PriceRange = field(default_factory=PriceRange)


_WORD = re.compile(r"[\w]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip diacritics so 'Łódź' matches 'lodz'."""
    if text.isascii():  # nothing to decompose or strip: the common case, 10-20x faster
        return text.lower()
    text = text.lower().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


@lru_cache(maxsize=65_536)
def _word_tokens(chunk: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(chunk)))


def _text_tokens(text: str) -> list[str]:
    """`tokenize(text)`, a whitespace-separated chunk at a time, each chunk's tokens remembered.

    The same as tokenize: folding never turns whitespace into a word character or a word
    character into whitespace, and lower-casing only looks at a letter's neighbours within a
    word. Catalogue text repeats its words, so most chunks are answered from the cache
    (tests/catalogue/test_search_index.py checks the equivalence on generated and random text).
    """
    found: list[str] = []
    for chunk in text.split():
        found.extend(_word_tokens(chunk))
    return found


def search_tokens(product: Product, brand_name: str) -> tuple[str, ...]:
    """The distinct tokens a product is found by: names and descriptions in every locale, brand, sku."""
    words: set[str] = set(_text_tokens(brand_name))
    words.add(fold(product.sku))
    for tr in product.translations.values():
        words.update(_text_tokens(tr.name))
        words.update(_text_tokens(tr.description))
    return tuple(sorted(words))


def matches(product: Product, flt: ProductFilter, tokens: Iterable[str]) -> bool:
    """True when `product` passes `flt`. `tokens` are the product's search tokens.

    A search token matches a product token it prefixes, so 'sneak' finds 'sneakers'.
    """
    if flt.category_ids is not None and not flt.category_ids.intersection(product.category_ids):
        return False
    if flt.brand_ids is not None and product.brand_id not in flt.brand_ids:
        return False
    if flt.in_stock is not None and product.in_stock != flt.in_stock:
        return False
    if flt.price.min is not None and product.price.amount < flt.price.min:
        return False
    if flt.price.max is not None and product.price.amount > flt.price.max:
        return False
    if flt.search_tokens:
        own = tuple(tokens)
        for wanted in flt.search_tokens:
            if not any(t.startswith(wanted) for t in own):
                return False
    return True


SortKey = tuple[Decimal | str, ...]


def sort_key(product: Product, sort: ProductSort, locale: str) -> SortKey:
    """Where `product` goes in a list sorted by `sort`; every key ends with the id, so keys never tie."""
    if sort is ProductSort.PRICE_ASC:
        return (product.price.amount, product.id)
    if sort is ProductSort.PRICE_DESC:
        return (-product.price.amount, product.id)
    if sort is ProductSort.NAME:
        return (fold(product.text(locale).name), product.id)
    return (product.id,)


def order(products: Sequence[Product], sort: ProductSort, locale: str) -> list[Product]:
    """Deterministic ordering; ties always broken by id so pagination is stable."""
    return sorted(products, key=lambda p: sort_key(p, sort, locale))


def content_hash(product: Product, brand_name: str) -> str:
    """Hash of the text an embedding is computed from; unchanged text is not re-embedded."""
    h = hashlib.sha256(brand_name.encode())
    for loc in sorted(product.translations):
        tr = product.translations[loc]
        h.update(f"\x00{loc}\x00{tr.name}\x00{tr.description}".encode())
    return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class CatalogueContents:
    """A whole catalogue: categories are in tree order (every parent before its children)."""

    brands: tuple[Brand, ...]
    categories: tuple[Category, ...]
    products: tuple[Product, ...]
