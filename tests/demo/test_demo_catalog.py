"""The demo catalogue generator and its vocabulary, plus the JSONL round trip."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from gateway.catalogue.jsonl import load_jsonl, write_jsonl
from gateway.catalogue.records import parse_line
from gateway.catalogue.values import SUPPORTED_LOCALES, CatalogueContents, CategoryId
from gateway.demo.catalog_generator import generate_catalog, slugify
from gateway.demo.vocabulary import (
    ADJECTIVES,
    BRANDS,
    CROSS_LISTINGS,
    MATERIALS,
    SIZE_SYSTEMS,
    THEMES,
    TREE,
    all_leaves,
)

POLISH_LETTERS = set("ąćęłńóśźż")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@pytest.fixture(scope="module")
def catalog() -> CatalogueContents:
    return generate_catalog()


def test_vocabulary_is_consistent() -> None:
    roots = {root.key for root in TREE}
    leaves = all_leaves()
    leaf_keys = [leaf.key for _, _, leaf in leaves]
    assert len(roots) >= 8
    assert len(leaves) >= 40
    assert len(set(leaf_keys)) == len(leaf_keys)
    for _, _, leaf in leaves:
        assert leaf.theme in THEMES, leaf.key
        assert leaf.adjectives in ADJECTIVES, leaf.key
        assert leaf.sizes in SIZE_SYSTEMS, leaf.key
        assert all(m in MATERIALS for m in leaf.materials), leaf.key
        assert leaf.nouns, leaf.key
        for currency in ("PLN", "EUR"):
            low, high = leaf.price.bounds(currency)
            assert 0 < low < high, leaf.key
    assert all(a in leaf_keys and b in leaf_keys for a, b in CROSS_LISTINGS)
    assert len(BRANDS) >= 35
    for spec in BRANDS:
        assert 2 <= len(spec.roots) <= 5, spec.name
        assert set(spec.roots) <= roots, spec.name
    per_root = Counter(root for spec in BRANDS for root in spec.roots)
    assert all(per_root[root] >= 3 for root in roots), per_root


def test_same_seed_same_catalogue_and_other_seed_differs() -> None:
    first = generate_catalog(count=300, seed=7)
    assert first == generate_catalog(count=300, seed=7)
    other = generate_catalog(count=300, seed=8)
    assert other.products != first.products
    # The tree and the brands come from the vocabulary alone.
    assert other.categories == first.categories
    assert other.brands == first.brands


def test_default_size_and_ids(catalog: CatalogueContents) -> None:
    assert len(catalog.products) == 2400
    assert [p.id for p in catalog.products[:2]] == ["p-00001", "p-00002"]
    assert len({p.id for p in catalog.products}) == len(catalog.products)
    assert len({p.sku for p in catalog.products}) == len(catalog.products)


def test_generation_count_is_respected() -> None:
    assert len(generate_catalog(count=0).products) == 0
    with pytest.raises(ValueError):
        generate_catalog(count=-1)


def test_both_locales_with_polish_diacritics(catalog: CatalogueContents) -> None:
    for product in catalog.products:
        assert tuple(product.translations) == SUPPORTED_LOCALES
    polish = " ".join(
        f"{p.translations['pl'].name} {p.translations['pl'].description}" for p in catalog.products
    ) + " ".join(c.names["pl"] for c in catalog.categories)
    assert set(polish.lower()) >= POLISH_LETTERS
    # The English text is English: no Polish template words leaked into it.
    for product in catalog.products:
        english = f" {product.translations['en'].name} {product.translations['en'].description} "
        assert not any(word in english for word in (" się ", " dla ", " marki ", " oraz ")), english


def test_category_tree_has_depth_three(catalog: CatalogueContents) -> None:
    by_id = {c.id: c for c in catalog.categories}
    parents = {c.parent_id for c in catalog.categories if c.parent_id is not None}
    leaves = [c for c in catalog.categories if c.id not in parents]
    roots = [c for c in catalog.categories if c.parent_id is None]
    assert len(roots) >= 8
    assert len(leaves) >= 40
    assert all(len(leaf.path) == 3 for leaf in leaves)
    for category in catalog.categories:
        assert category.path[-1] == category.id
        assert category.path[0] in {r.id for r in roots}
        if category.parent_id is not None:
            assert by_id[category.parent_id].path == category.path[:-1]
        assert set(category.names) == set(SUPPORTED_LOCALES)
    # Parents come before their children, so a file written in this order imports in order.
    seen: set[CategoryId] = set()
    for category in catalog.categories:
        assert category.parent_id is None or category.parent_id in seen
        seen.add(category.id)


def test_products_sit_in_existing_leaves_of_existing_brands(catalog: CatalogueContents) -> None:
    parents = {c.parent_id for c in catalog.categories}
    leaf_ids = {c.id for c in catalog.categories if c.id not in parents}
    root_of = {c.id: c.path[0] for c in catalog.categories}
    brand_roots = {f"b-{slugify(spec.name)}": {f"c-{r}" for r in spec.roots} for spec in BRANDS}
    brand_ids = {b.id for b in catalog.brands}
    assert set(brand_roots) == brand_ids
    second = 0
    for product in catalog.products:
        assert 1 <= len(product.category_ids) <= 2
        assert set(product.category_ids) <= leaf_ids
        assert len(set(product.category_ids)) == len(product.category_ids)
        second += len(product.category_ids) == 2
        assert product.brand_id in brand_ids
        # The first (main) category is in a root the brand sells in.
        assert root_of[product.category_ids[0]] in brand_roots[product.brand_id]
    assert 0.03 * len(catalog.products) < second < 0.2 * len(catalog.products)


def test_names_are_varied_and_slugs_unique(catalog: CatalogueContents) -> None:
    total = len(catalog.products)
    for locale in SUPPORTED_LOCALES:
        names = [p.translations[locale].name for p in catalog.products]
        assert len(set(names)) >= 0.97 * total
        slugs = [p.translations[locale].slug for p in catalog.products]
        assert len(set(slugs)) == total
        assert all(SLUG.fullmatch(s) for s in slugs)
    assert slugify("Żuraw Świt — beżowe") == "zuraw-swit-bezowe"
    assert slugify("Chef's knife") == "chefs-knife"


def test_descriptions_have_two_to_four_sentences(catalog: CatalogueContents) -> None:
    brand_names = {b.id: b.name for b in catalog.brands}
    for product in catalog.products:
        for locale in SUPPORTED_LOCALES:
            text = product.translations[locale].description
            # "Pawlin & Co." ends in a full stop that does not end a sentence.
            plain = text.replace(brand_names[product.brand_id], "Brand")
            assert 2 <= len(SENTENCE_END.findall(plain)) <= 4, text
            assert "{" not in text and "}" not in text


def test_prices_stock_images_and_tags(catalog: CatalogueContents) -> None:
    total = len(catalog.products)
    currencies = Counter(p.price.currency for p in catalog.products)
    assert set(currencies) == {"PLN", "EUR"}
    assert currencies["PLN"] > 0.75 * total
    on_sale = [p for p in catalog.products if p.compare_at_price is not None]
    assert 0.20 * total < len(on_sale) < 0.30 * total
    for product in on_sale:
        assert product.compare_at_price is not None
        assert product.compare_at_price.currency == product.price.currency
        assert product.compare_at_price.amount > product.price.amount
        assert "sale" in product.tags
    for product in catalog.products:
        assert product.price.amount > 0
        assert product.price.amount == product.price.amount.quantize(product.price.amount.__class__("0.01"))
        assert product.stock >= 0
        assert 1 <= len(product.images) <= 3
        for n, image in enumerate(product.images, start=1):
            assert image.url == f"https://img.vitrine.example/products/{product.id}/{n}.jpg"
            assert image.alt.startswith(product.translations["en"].name)
        names = [a.name for a in product.attributes]
        assert "size" in names
        assert "material" in names or "ingredient" in names
        assert len(set(names)) == len(names)
    out_of_stock = sum(p.stock == 0 for p in catalog.products)
    assert 0.07 * total < out_of_stock < 0.13 * total
    tags = Counter(t for p in catalog.products for t in p.tags)
    assert {"new", "eco", "bestseller", "sale"} <= set(tags)


def test_category_specific_attributes(catalog: CatalogueContents) -> None:
    def attributes_in(leaf: str) -> set[str]:
        return {a.name for p in catalog.products if p.category_ids[0] == leaf for a in p.attributes}

    assert {"colour", "size", "material", "drop"} <= attributes_in("c-trail-running-shoes")
    assert {"capacity", "induction"} <= attributes_in("c-cookware")
    assert "colour" not in attributes_in("c-face-creams")


def test_jsonl_round_trip(catalog: CatalogueContents, tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    lines = write_jsonl(catalog, path)
    assert lines == len(catalog.categories) + len(catalog.brands) + len(catalog.products)
    text = path.read_text(encoding="utf-8")
    assert "ł" in text  # ensure_ascii=False: Polish is written as is, not as \u escapes
    kinds = [parse_line(line).kind for line in text.splitlines()]
    assert kinds == sorted(kinds, key=["category", "brand", "product"].index)
    assert load_jsonl(path) == catalog
