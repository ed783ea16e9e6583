"""The indexed mirror answers exactly what the old linear scan answered.

`Reference` below is the scan the mirror used before the index (`matches`, `order` and
`search_tokens` as they were), copied here so that later changes to `values.py` are checked
against it too. Thousands of random filters, sorts, locales and pages run against both, on
a fresh build and on snapshots updated change by change (the delta beside the base, brand
renames, new locales, the rebuild when the delta is full).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.catalogue.mirror import CatalogueMirror
from gateway.catalogue.values import (
    Brand,
    BrandId,
    Category,
    CategoryId,
    Money,
    PriceRange,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    Translation,
    search_tokens,
    tokenize,
)
from gateway.demo.catalog_generator import generate_catalog

# --- the reference: the scan as it was --------------------------------------------------------

_WORD = re.compile(r"[\w]+", re.UNICODE)


def ref_fold(text: str) -> str:
    text = text.lower().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ref_tokenize(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(ref_fold(text)))


def ref_search_tokens(product: Product, brand_name: str) -> tuple[str, ...]:
    words: set[str] = set(ref_tokenize(brand_name)) | {ref_fold(product.sku)}
    for tr in product.translations.values():
        words.update(ref_tokenize(tr.name))
        words.update(ref_tokenize(tr.description))
    return tuple(sorted(words))


def ref_matches(product: Product, flt: ProductFilter, tokens: Iterable[str]) -> bool:
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


def ref_order(products: Sequence[Product], sort: ProductSort, locale: str) -> list[Product]:
    if sort is ProductSort.PRICE_ASC:
        return sorted(products, key=lambda p: (p.price.amount, p.id))
    if sort is ProductSort.PRICE_DESC:
        return sorted(products, key=lambda p: (-p.price.amount, p.id))
    if sort is ProductSort.NAME:
        return sorted(products, key=lambda p: (ref_fold(p.text(locale).name), p.id))
    return sorted(products, key=lambda p: p.id)


def ref_query(
    products: Mapping[ProductId, Product],
    brands: Mapping[BrandId, Brand],
    flt: ProductFilter,
    sort: ProductSort,
    locale: str,
    offset: int,
    limit: int,
    tokens: Mapping[ProductId, tuple[str, ...]] | None = None,
) -> tuple[list[ProductId], int]:
    """The old mirror: every product's tokens with the current brand names, a scan, a sort."""
    tokens = tokens or ref_tokens(products, brands)
    found = [p for p in products.values() if ref_matches(p, flt, tokens[p.id])]
    ordered = ref_order(found, sort, locale)
    return [p.id for p in ordered[offset : offset + limit]], len(ordered)


def ref_tokens(
    products: Mapping[ProductId, Product], brands: Mapping[BrandId, Brand]
) -> dict[ProductId, tuple[str, ...]]:
    def name(b: BrandId) -> str:
        return brands[b].name if b in brands else ""

    return {p.id: ref_search_tokens(p, name(p.brand_id)) for p in products.values()}


# --- a catalogue with the awkward cases in it ---------------------------------------------------


def catalogue() -> tuple[list[Product], dict[BrandId, Brand], list[Category]]:
    generated = generate_catalog(count=300, seed=11)
    products = list(generated.products)
    rng = random.Random(5)
    awkward = [
        ("Żółta kurtka Łódź", "Żółć i łąka"),
        ("ZOLTA KURTKA", "same words, no diacritics"),
        ("Straße ﬁne ½ café", "compatibility characters: ﬁ ½ ² Ⅻ"),
        ("ΣΊΣΥΦΟΣ σοφός", "final sigma ΟΔΟΣ"),
        ("İstanbul", "dotted capital I"),
        ("sneakers sneaker sneak", "prefixes of each other"),
        ("a b c", "one-letter words"),
    ]
    for n, (name, description) in enumerate(awkward):
        base = products[n]
        products.append(
            replace(
                base,
                id=ProductId(f"p-awk{n}"),
                sku=f"AWK-{n}-Ż",
                translations={"en": Translation(name, description, f"awk-{n}")},
                price=Money(products[rng.randrange(len(products))].price.amount, "PLN"),  # equal prices
            )
        )
    # Same name in every locale, so the name order falls back to the id.
    products.append(replace(products[0], id=ProductId("p-same"), translations=dict(products[1].translations)))
    return products, {b.id: b for b in generated.brands}, list(generated.categories)


def descendants(categories: Sequence[Category], root: CategoryId) -> frozenset[CategoryId]:
    return frozenset(c.id for c in categories if root in c.path)


def random_filter(
    rng: random.Random,
    products: Sequence[Product],
    brands: Sequence[BrandId],
    categories: Sequence[Category],
    words: Sequence[str],
) -> ProductFilter:
    category_ids = descendants(categories, rng.choice(categories).id) if rng.random() < 0.3 else None
    brand_ids = frozenset(rng.sample(list(brands), rng.randint(1, 2))) if rng.random() < 0.25 else None
    in_stock = rng.choice([None, None, True, False])
    prices = [p.price.amount for p in rng.sample(list(products), 2)]
    low = rng.choice([None, min(prices), min(prices) + Decimal("0.01")]) if rng.random() < 0.4 else None
    high = rng.choice([None, max(prices), max(prices) - Decimal("0.01")]) if rng.random() < 0.4 else None
    tokens: tuple[str, ...] = ()
    if rng.random() < 0.7:
        picked = [rng.choice(words) for _ in range(rng.randint(1, 3))]
        text = " ".join(w[: rng.randint(1, len(w))] for w in picked)
        if rng.random() < 0.1:
            text += " qqqzzz"  # matches nothing
        tokens = tokenize(text)[:10]
    return ProductFilter(category_ids, brand_ids, tokens, in_stock, PriceRange(low, high))


def check_many(
    mirror: CatalogueMirror,
    products: Mapping[ProductId, Product],
    brands: Mapping[BrandId, Brand],
    categories: Sequence[Category],
    rng: random.Random,
    queries: int,
) -> None:
    listed = list(products.values())
    words = sorted({w for p in listed for tr in p.translations.values() for w in ref_tokenize(tr.name)})
    words += sorted({w for b in brands.values() for w in ref_tokenize(b.name)})
    tokens = ref_tokens(products, brands)
    for _ in range(queries):
        flt = random_filter(rng, listed, list(brands), categories, words)
        sort = rng.choice(list(ProductSort))
        locale = rng.choice(["en", "pl", "de"])
        offset, limit = rng.choice([(0, 20), (0, 100), (rng.randint(0, 50), rng.randint(0, 30))])
        expected = ref_query(products, brands, flt, sort, locale, offset, limit, tokens)
        assert mirror.query(flt, sort, locale, offset, limit) == expected, (flt, sort, locale, offset, limit)


def test_built_index_answers_as_the_scan() -> None:
    products, brands, categories = catalogue()
    mirror = CatalogueMirror.build(products, brands)
    check_many(mirror, {p.id: p for p in products}, brands, categories, random.Random(1), 1500)


def test_updated_snapshots_answer_as_the_scan_of_the_current_products() -> None:
    products, brands, categories = catalogue()
    rng = random.Random(2)
    current = {p.id: p for p in products[:250]}
    mirror = CatalogueMirror.build(current.values(), brands, delta_max=40)
    pending = products[250:]
    for step in range(30):
        changes: list[Product] = []
        for _ in range(rng.randint(1, 8)):
            if pending and rng.random() < 0.3:
                changes.append(pending.pop())  # a new product
                continue
            old = rng.choice(list(current.values()))
            price = old.price.amount + rng.choice([Decimal("-5.00"), Decimal("7.50"), Decimal("0")])
            texts = dict(old.translations)
            if rng.random() < 0.3:
                en = texts["en"]
                texts["en"] = Translation(f"{rng.choice(['Alpha', 'Zulu', 'Łoś'])} {en.name}", en.description, en.slug)
            if rng.random() < 0.05:
                texts["de"] = Translation("Deutsch Name", "", "de")  # a locale no base product has
            changes.append(
                replace(old, price=Money(max(price, Decimal("0")), "PLN"), stock=rng.choice([0, 3]), translations=texts)
            )
        if step % 7 == 3:  # a brand renamed: its products are found by the new name only
            renamed = rng.choice(list(brands))
            brands = {**brands, renamed: replace(brands[renamed], name=f"Renamed{step}")}
        current.update((p.id, p) for p in changes)
        mirror = mirror.updated(changes, brands)
        assert mirror.products == current
        check_many(mirror, current, brands, categories, rng, 60)
    assert mirror.delta is not None or mirror.changed == ()


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=40))
def test_tokens_by_word_are_the_tokens_of_the_whole_text(text: str) -> None:
    product = catalogue_product(text)
    assert search_tokens(product, text) == ref_search_tokens(product, text)
    assert tokenize(text) == ref_tokenize(text)


def catalogue_product(text: str) -> Product:
    return Product(
        id=ProductId("p-1"),
        sku="SKU-1",
        brand_id=BrandId("b-1"),
        category_ids=(),
        price=Money(Decimal("1.00"), "PLN"),
        compare_at_price=None,
        stock=1,
        images=(),
        attributes=(),
        translations={"en": Translation(text, f"{text} {text.upper()}", "s"), "pl": Translation(text[::-1], text, "s")},
    )


@pytest.mark.parametrize("word", ["s", "sn", "sneak", "sneakers", "zzz", "ż", "a"])
def test_search_words_of_any_length(word: str) -> None:
    products, brands, _ = catalogue()
    mirror = CatalogueMirror.build(products, brands)
    everything = {p.id: p for p in products}
    flt = ProductFilter(search_tokens=tokenize(word))
    assert mirror.query(flt, ProductSort.NAME, "pl", 0, 500) == ref_query(
        everything, brands, flt, ProductSort.NAME, "pl", 0, 500
    )
