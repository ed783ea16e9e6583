"""The catalogue mirror at scale: new searches, loop stalls while it refreshes, its memory.

    PYTHONPATH=. python -m bench.catalogue_scale 100000 [--mongo] [--queries 400] [--scan 5]

For a generated catalogue of N products (the demo generator, so real-looking words):

1. the store is filled (the memory store, or with --mongo a real MongoDB-protocol server,
   SecantusDB, started here);
2. `CatalogService.refresh()` loads the mirror while a loop-lag probe runs on the event loop
   (a 2 ms timer that records how late it fires): the load's duration, the stalls over 20 ms
   and the worst one. Then the same for an incremental refresh after a few hundred products
   changed, and for one after enough changes to rebuild the index;
3. what a MongoDB feed costs the loop per network batch (its BSON is decoded there);
4. memory, counted by tracemalloc (numpy's arrays included): the products as the MongoDB feed
   decodes them, the snapshot's index on top, and localizing every product in both locales
   (the per-locale caches the storefront fills);
5. searches no page cache has seen: random prefixes of catalogue words (1-3 words, 1 letter
   to whole), half with a category, brand, stock or price filter, any sort order and locale,
   each query text new, through
   `CatalogService.find` exactly as the `products` resolver calls it; p50 / p99 / max. For
   comparison, `--scan` of them through the scan the mirror used before (the memory store's
   `query`, which still scans).

The event loop is uvloop, as `serve` runs it. Timings are wall time on a shared machine:
compare within a run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal

import uvloop

from gateway.catalogue.mirror import DELTA_MAX, CatalogueMirror
from gateway.catalogue.service import CatalogService, ProductQuery
from gateway.catalogue.stores import codec
from gateway.catalogue.stores.memory import MemoryCatalogStore
from gateway.catalogue.stores.protocol import FollowedCatalogStore
from gateway.catalogue.values import (
    Brand,
    Category,
    Money,
    Product,
    ProductFilter,
    ProductSort,
    localize,
    localize_category,
    tokenize,
)
from gateway.demo.catalog_generator import generate_catalog

PAGE = 20


@dataclass
class LagProbe:
    """How late a short timer fires on the event loop: the loop's stalls."""

    interval: float = 0.002
    lags: list[float] = field(default_factory=list)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(loop.time() - start - self.interval)

    def report(self) -> str:
        over = [x for x in self.lags if x > 0.020]
        worst = max(self.lags, default=0.0)
        p99 = statistics.quantiles(self.lags, n=100)[98] if len(self.lags) > 100 else worst
        return f"{len(self.lags)} ticks, stalls > 20 ms: {len(over)}, p99 {p99 * 1e3:.1f} ms, max {worst * 1e3:.1f} ms"


@asynccontextmanager
async def probed() -> AsyncIterator[LagProbe]:
    probe = LagProbe()
    task = asyncio.create_task(probe.run())
    await asyncio.sleep(0.05)
    try:
        yield probe
    finally:
        task.cancel()


async def timed_refresh(name: str, refresh: Callable[[], Awaitable[bool]]) -> None:
    async with probed() as probe:
        started = time.perf_counter()
        await refresh()
        took = time.perf_counter() - started
    print(f"  {name}: {took:.1f} s; loop: {probe.report()}")


def random_queries(products: list[Product], count: int, rng: random.Random) -> list[ProductQuery]:
    words = sorted({w for p in products[:5000] for tr in p.translations.values() for w in tokenize(tr.name)})
    categories = sorted({c for p in products[:5000] for c in p.category_ids})
    brands = sorted({p.brand_id for p in products[:5000]})
    seen: set[ProductQuery] = set()
    queries: list[ProductQuery] = []
    while len(queries) < count:
        text = " ".join(w[: rng.randint(1, len(w))] for w in rng.sample(words, rng.choice([1, 1, 2, 3])))
        extra: dict[str, str | bool] = {}
        if rng.random() < 0.5:
            kind = rng.choice(["category", "brand", "stock", "price"])
            if kind == "category":
                extra["category"] = rng.choice(categories)
            elif kind == "brand":
                extra["brand"] = rng.choice(brands)
            elif kind == "stock":
                extra["in_stock"] = True
            else:
                extra["max_price"] = str(rng.choice([50, 100, 200, 500]))
        query = ProductQuery(search=text, **extra)  # type: ignore[arg-type]
        if query not in seen:
            seen.add(query)
            queries.append(query)
    return queries


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1e3 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms ({len(ms)} queries)"


async def fill(
    store: FollowedCatalogStore, products: list[Product], brands: list[Brand], categories: list[Category]
) -> None:
    for start in range(0, len(products), 1000):
        first = start == 0
        await store.upsert(products[start : start + 1000], brands if first else [], categories if first else [])


def feed_batch_decoding(products: list[Product]) -> None:
    """What a MongoDB feed costs the event loop per network batch: PyMongo decodes each batch's
    BSON on the loop (the products are built from the documents in a worker thread)."""
    import bson

    from gateway.catalogue.stores.mongo import _FEED_FIELDS, FEED_BATCH, MongoCatalogStore

    names = {p.brand_id: "Brand" for p in products[:FEED_BATCH]}
    docs = [MongoCatalogStore._product_doc(p, names) for p in products[:FEED_BATCH]]
    for doc in docs:  # what the feed's projection leaves out
        for left_out in _FEED_FIELDS:
            doc.pop(left_out, None)
    raw = b"".join(bson.encode(d) for d in docs)
    best = float("inf")
    for _ in range(20):
        started = time.perf_counter()
        bson.decode_all(raw)
        best = min(best, time.perf_counter() - started)
    print(f"MongoDB feed: a network batch of {FEED_BATCH} products ({len(raw) / 1024:.0f} KiB, as the feed reads them)")
    print(f"  decoded on the event loop in {best * 1e3:.1f} ms (best of 20): the loop's longest step per batch")


def memory(products: list[Product], brands: list[Brand], categories: list[Category]) -> None:
    """MiB per 100k products of each part of a mirror, counted by tracemalloc."""
    per = 100_000 / len(products)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fresh = [codec.product_in(codec.product_out(p)) for p in products]  # as the MongoDB feed decodes them
    after_products = tracemalloc.get_traced_memory()[0]
    mirror = CatalogueMirror.build(fresh, {b.id: b for b in brands})
    after_index = tracemalloc.get_traced_memory()[0]
    views = {c.id: localize_category(c, "en") for c in categories}
    localized = [localize(p, locale, views, mirror.brands) for locale in ("en", "pl") for p in fresh]
    after_localized = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    mib = 2**20
    print(f"memory per 100k products (tracemalloc; {len(localized)} localized):")
    print(f"  products as decoded: {(after_products - base) * per / mib:.0f} MiB")
    print(f"  index and snapshot on top: {(after_index - after_products) * per / mib:.0f} MiB", end="")
    print(f" (numpy arrays: {mirror.base.nbytes() * per / mib:.0f} MiB)")
    localized_mib = (after_localized - after_index) * per / mib
    print(f"  localized, 2 locales (filled as the storefront asks): {localized_mib:.0f} MiB")


async def run(count: int, queries: int, scans: int, mongo: bool) -> None:
    print(f"generating {count} products...")
    catalog = generate_catalog(count=count, seed=20261122)
    products, brands, categories = list(catalog.products), list(catalog.brands), list(catalog.categories)
    store: FollowedCatalogStore
    server = None
    if mongo:
        from pymongo import AsyncMongoClient

        from gateway.catalogue.stores import create_indexes
        from gateway.catalogue.stores.mongo import MongoCatalogStore
        from gateway.testing.servers import start_mongo

        server = start_mongo(cache_size="2G")
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(server.url)
        await create_indexes(client.bench)
        store = MongoCatalogStore(client, client.bench)
    else:
        store = MemoryCatalogStore()
    try:
        started = time.perf_counter()
        await fill(store, products, brands, categories)
        print(f"store filled in {time.perf_counter() - started:.0f} s ({'MongoDB' if mongo else 'memory'})")
        del catalog
        gc.freeze()  # as the serving process does after startup
        service = CatalogService(store, feed=store, preload_max=max(count, 1), gentle_builds=True)

        print("refresh (the event loop keeps a 2 ms timer; a stall is how late it fires):")
        async with probed() as idle:
            await asyncio.sleep(3)
        print(f"  idle, for comparison (this machine's own noise): {idle.report()}")
        await timed_refresh(f"first load of {count} products", service.refresh)
        rng = random.Random(7)
        for changed, name in ((300, "300 products changed"), (DELTA_MAX + 500, f"{DELTA_MAX + 500} changed: rebuild")):
            picked = rng.sample(products, changed)
            cheaper = [replace(p, price=Money(p.price.amount - Decimal("1.00"), p.price.currency)) for p in picked]
            await fill(store, cheaper, [], [])
            await timed_refresh(f"incremental, {name}", service.refresh)

        print("new searches (every query text unseen: the page cache never answers):")
        texts = random_queries(products, queries, random.Random(11))
        sorts = random.Random(12)
        took: list[float] = []
        for query in texts:
            sort, locale = sorts.choice(list(ProductSort)), sorts.choice(["en", "pl"])
            started = time.perf_counter()
            await service.find(query, sort, locale, 0, PAGE)
            took.append(time.perf_counter() - started)
        print(f"  index (CatalogService.find): {summary(took)}")
        if scans and isinstance(store, MemoryCatalogStore):
            scanned: list[float] = []
            for query in texts[:scans]:
                flt: ProductFilter = service.build_filter(query)
                started = time.perf_counter()
                await store.query(flt, ProductSort.RELEVANCE, "en", 0, PAGE)
                scanned.append(time.perf_counter() - started)
            print(f"  the old scan (memory store query): {summary(scanned)}")
        feed_batch_decoding(products)
        memory(products, brands, categories)
    finally:
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, nargs="?", default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--scan", type=int, default=5, help="queries also run through the old scan")
    parser.add_argument("--mongo", action="store_true", help="a real MongoDB-protocol server instead of memory")
    args = parser.parse_args()
    uvloop.run(run(args.count, args.queries, args.scan, args.mongo))


if __name__ == "__main__":
    main()
