"""The mirror follows the store: one full load, then only what changed (memory and MongoDB)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from decimal import Decimal

from gateway.catalogue.service import FEED_PAGE, CatalogService, ProductQuery
from gateway.catalogue.stores.memory import MemoryCatalogStore
from gateway.catalogue.stores.protocol import ChangeCursor, FollowedCatalogStore, ProductChange
from gateway.catalogue.values import Brand, BrandId, Product, ProductId, ProductSort
from gateway.wiring import Stores
from tests.support.factories import BRANDS, CATEGORIES, product


class CountingFeed:
    """The store's feed, counting the products each kind of read returned."""

    def __init__(self, inner: FollowedCatalogStore) -> None:
        self.inner = inner
        self.scanned = 0
        self.changed = 0

    async def scan(self, after: ProductId | None, limit: int) -> list[Product]:
        page = await self.inner.scan(after, limit)
        self.scanned += len(page)
        return page

    async def changes(self, since: int, after: ChangeCursor | None, limit: int) -> list[ProductChange]:
        page = await self.inner.changes(since, after, limit)
        self.changed += len(page)
        return page


async def ids(catalog: CatalogService, **query: str) -> list[str]:
    page = await catalog.find(ProductQuery(**query), ProductSort.RELEVANCE, "en", 0, 100)
    return list(page.ids)


def feed_of(stores: Stores) -> CountingFeed:
    assert stores.catalog_feed is not None
    return CountingFeed(stores.catalog_feed)  # type: ignore[arg-type]


async def test_after_the_first_load_only_changed_products_are_read(stores: Stores) -> None:
    await stores.catalog.upsert([product(n) for n in range(1, 31)], BRANDS, CATEGORIES)
    feed = feed_of(stores)
    catalog = CatalogService(stores.catalog, feed=feed, preload_max=1000)
    assert await catalog.refresh()
    assert catalog.mirrored and feed.scanned == 30 and feed.changed == 0
    before = await catalog.get_products([ProductId("p-00001"), ProductId("p-00002")], "en")

    await stores.catalog.upsert([product(2, name="Glacier boot"), product(31, name="Glacier sandal")], [], [])
    assert await catalog.refresh()
    assert (feed.scanned, feed.changed) == (30, 2)
    assert await ids(catalog, search="glacier") == ["p-00002", "p-00031"]
    # p-00002 is no longer a trail runner: only 20-29 are found by "trail runner 2".
    assert await ids(catalog, search="trail runner 2") == [f"p-000{n}" for n in range(20, 30)]
    after = await catalog.get_products([ProductId("p-00001"), ProductId("p-00002")], "en")
    assert after[0] is before[0]  # unchanged: the same localized object (the compiled path's memo hits)
    assert after[1] is not None and after[1].name == "Glacier boot"
    assert not await catalog.refresh()  # nothing new


async def test_a_renamed_brand_is_searchable_by_its_new_name(stores: Stores) -> None:
    await stores.catalog.upsert([product(1), product(2, brand="b-kasztan")], BRANDS, CATEGORIES)
    catalog = CatalogService(stores.catalog, feed=feed_of(stores), preload_max=1000)
    await catalog.refresh()
    assert await ids(catalog, search="kasztan") == ["p-00002"]
    renamed = [replace(b, name="Chestnut") for b in BRANDS if b.id == "b-kasztan"]
    await stores.catalog.upsert([], renamed, [])
    await catalog.refresh()
    assert await ids(catalog, search="kasztan") == []
    assert await ids(catalog, search="chestnut") == ["p-00002"]
    (brand,) = await catalog.get_brands([BrandId("b-kasztan")])
    assert brand == Brand(BrandId("b-kasztan"), "Chestnut", renamed[0].slug)
    (localized,) = await catalog.get_products([ProductId("p-00002")], "en")
    assert localized is not None and localized.brand is not None and localized.brand.name == "Chestnut"


async def test_many_changes_rebuild_the_index_with_the_same_answers(stores: Stores) -> None:
    await stores.catalog.upsert([product(n) for n in range(1, 41)], BRANDS, CATEGORIES)
    catalog = CatalogService(stores.catalog, feed=feed_of(stores), preload_max=1000, delta_max=5)
    await catalog.refresh()
    cheap = [product(n, price="10.00") for n in range(1, 41, 4)]  # 10 changes: past delta_max
    await stores.catalog.upsert(cheap, [], [])
    await catalog.refresh()
    mirror = catalog.mirror
    assert mirror is not None and mirror.delta is None  # rebuilt
    page = await catalog.find(ProductQuery(max_price="10.00"), ProductSort.PRICE_ASC, "en", 0, 100)
    assert list(page.ids) == [p.id for p in cheap] and page.total == 10
    assert (await catalog.get_raw([ProductId("p-00005")]))[0] == cheap[1]
    assert cheap[1].price.amount == Decimal("10.00")


async def test_above_preload_max_reads_go_to_the_store_and_come_back(stores: Stores) -> None:
    await stores.catalog.upsert([product(n) for n in range(1, 4)], BRANDS, CATEGORIES)
    catalog = CatalogService(stores.catalog, feed=feed_of(stores), preload_max=3)
    await catalog.refresh()
    assert catalog.mirrored
    await stores.catalog.upsert([product(4)], [], [])
    await catalog.refresh()
    assert not catalog.mirrored
    assert await ids(catalog) == ["p-00001", "p-00002", "p-00003", "p-00004"]


class TickingFeed(CountingFeed):
    """Notes, at each page read, how often a concurrent task has run so far."""

    def __init__(self, inner: FollowedCatalogStore, ticks: list[int]) -> None:
        super().__init__(inner)
        self.ticks = ticks
        self.seen: list[int] = []

    async def scan(self, after: ProductId | None, limit: int) -> list[Product]:
        self.seen.append(self.ticks[0])
        return await super().scan(after, limit)

    async def changes(self, since: int, after: ChangeCursor | None, limit: int) -> list[ProductChange]:
        self.seen.append(self.ticks[0])
        return await super().changes(since, after, limit)


async def test_loading_from_an_embedded_feed_lets_requests_run_between_pages() -> None:
    """The memory store's feed answers without ever awaiting; a 100k load read in one go held the
    event loop for ~50 ms (bench.catalogue_scale). Between two pages, other tasks get their turn."""
    store = MemoryCatalogStore()
    await store.upsert([product(n) for n in range(1, 2 * FEED_PAGE + 2)], BRANDS, CATEGORIES)
    ticks = [0]

    async def ticker() -> None:
        while True:
            ticks[0] += 1
            await asyncio.sleep(0)

    feed = TickingFeed(store, ticks)
    catalog = CatalogService(store, feed=feed, preload_max=10 * FEED_PAGE, delta_max=10 * FEED_PAGE)
    task = asyncio.create_task(ticker())
    try:
        await catalog.refresh()
        assert len(feed.seen) == 4  # three pages and the empty one
        assert all(b > a for a, b in itertools.pairwise(feed.seen)), feed.seen
        await store.upsert([product(n, price="9.00") for n in range(1, FEED_PAGE + 2)], [], [])
        feed.seen.clear()
        await catalog.refresh()
        assert len(feed.seen) == 3 and all(b > a for a, b in itertools.pairwise(feed.seen)), feed.seen
    finally:
        task.cancel()
