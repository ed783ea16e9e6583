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


async def test_scan_returns_every_product_once_a_page_at_a_time(filled: Stores) -> None:
    feed = filled.catalog_feed
    assert feed is not None
    seen: list[ProductId] = []
    after: ProductId | None = None
    while page := await feed.scan(after, 3):
        assert len(page) <= 3
        seen += [p.id for p in page]
        after = page[-1].id
    assert sorted(seen) == ["p-00001", "p-00002", "p-00003", "p-00004"]
    (first,) = await feed.scan(None, 1)
    assert first == (await filled.catalog.get_products([first.id]))[0]


async def test_changes_list_what_later_upserts_wrote_with_their_revision(filled: Stores) -> None:
    feed = filled.catalog_feed
    assert feed is not None
    _, since = await filled.catalog.revision()
    assert await feed.changes(since, None, 10) == []
    await filled.catalog.upsert([product(2, price="1.00"), product(5)], [], [])
    _, middle = await filled.catalog.revision()
    await filled.catalog.upsert([product(2, price="2.00"), product(1)], [], [])
    _, last = await filled.catalog.revision()
    assert since < middle < last

    changes = await feed.changes(since, None, 10)
    # In (revision, id) order; p-00002 once, as the later upsert wrote it.
    assert [(rev, p.id) for rev, p in changes] == [(middle, "p-00005"), (last, "p-00001"), (last, "p-00002")]
    assert changes[2][1].price.amount == Decimal("2.00")
    assert [p.id for _, p in await feed.changes(middle, None, 10)] == ["p-00001", "p-00002"]

    # A page at a time, each starting after the last change of the one before.
    paged: list[ProductId] = []
    cursor: tuple[int, ProductId] | None = None
    while page := await feed.changes(since, cursor, 1):
        paged += [p.id for _, p in page]
        cursor = (page[-1][0], page[-1][1].id)
    assert paged == ["p-00005", "p-00001", "p-00002"]
