"""CatalogStore contract, run against the memory store and MongoDB (SecantusDB over TCP)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.catalogue.values import BrandId, CategoryId, PriceRange, ProductFilter, ProductId, ProductSort, tokenize
from gateway.wiring import Stores
from tests.support.factories import BRANDS, CATEGORIES, product


@pytest.fixture
async def filled(stores: Stores) -> Stores:
    products = [
        product(1, price="50.00", name="Alpine jacket"),
        product(2, price="150.00", stock=0, name="Żółta kurtka", pl_name="Żółta kurtka"),
        product(3, price="99.99", brand="b-kasztan", category="c-home", name="Cast iron pan"),
        product(4, price="250.00", name="Sneakers Pro"),
    ]
    await stores.catalog.upsert(products, BRANDS, CATEGORIES)
    return stores


async def test_get_products_in_key_order_with_none_for_missing(filled: Stores) -> None:
    got = await filled.catalog.get_products([ProductId("p-00003"), ProductId("p-09999"), ProductId("p-00001")])
    assert [p.id if p else None for p in got] == ["p-00003", None, "p-00001"]
    assert got[0] is not None and got[0].price.amount == Decimal("99.99")
    assert got[0].translations["pl"].name == "But biegowy 3"


async def test_brands_and_categories(filled: Stores) -> None:
    brands = await filled.catalog.get_brands([BrandId("b-kasztan"), BrandId("b-none")])
    assert brands[0] is not None and brands[0].name == "Kasztan" and brands[1] is None
    tree = {c.id: c for c in await filled.catalog.all_categories()}
    assert tree[CategoryId("c-running")].path == ("c-shoes", "c-running")


async def test_query_filters_and_total(filled: Stores) -> None:
    cat = filled.catalog
    ids, total = await cat.query(ProductFilter(in_stock=True), ProductSort.PRICE_ASC, "en", 0, 10)
    assert ids == ["p-00001", "p-00003", "p-00004"] and total == 3
    ids, total = await cat.query(
        ProductFilter(price=PriceRange(Decimal("99.99"), Decimal("150"))), ProductSort.PRICE_DESC, "en", 0, 10
    )
    assert ids == ["p-00002", "p-00003"] and total == 2
    ids, _ = await cat.query(
        ProductFilter(brand_ids=frozenset({BrandId("b-kasztan")})), ProductSort.RELEVANCE, "en", 0, 10
    )
    assert ids == ["p-00003"]
    ids, _ = await cat.query(
        ProductFilter(category_ids=frozenset({CategoryId("c-home")})), ProductSort.RELEVANCE, "en", 0, 10
    )
    assert ids == ["p-00003"]


async def test_search_is_prefix_and_diacritic_insensitive(filled: Stores) -> None:
    ids, _ = await filled.catalog.query(
        ProductFilter(search_tokens=tokenize("sneak")), ProductSort.RELEVANCE, "en", 0, 10
    )
    assert ids == ["p-00004"]
    ids, _ = await filled.catalog.query(
        ProductFilter(search_tokens=tokenize("zolta")), ProductSort.RELEVANCE, "en", 0, 10
    )
    assert ids == ["p-00002"]
    ids, _ = await filled.catalog.query(
        ProductFilter(search_tokens=tokenize("nordvik alpine")), ProductSort.RELEVANCE, "en", 0, 10
    )
    assert ids == ["p-00001"]


async def test_pagination_is_stable(filled: Stores) -> None:
    first, total = await filled.catalog.query(ProductFilter(), ProductSort.NAME, "en", 0, 2)
    second, _ = await filled.catalog.query(ProductFilter(), ProductSort.NAME, "en", 2, 2)
    assert total == 4 and len(set(first) | set(second)) == 4
    assert first == ["p-00001", "p-00003"]  # Alpine, Cast iron


async def test_upsert_replaces_and_bumps_revision(filled: Stores) -> None:
    before = await filled.catalog.revision()
    await filled.catalog.upsert([product(1, price="60.00", name="Alpine jacket")], [], [])
    after = await filled.catalog.revision()
    assert after[0] == before[0] == 4 and after[1] > before[1]
    got = await filled.catalog.get_products([ProductId("p-00001")])
    assert got[0] is not None and got[0].price.amount == Decimal("60.00")
