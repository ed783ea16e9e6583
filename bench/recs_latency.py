"""FOR_YOU and SIMILAR latency at 10k / 100k / 1M synthetic products; index build time, memory, recall@50.

    PYTHONPATH=. python -m bench.recs_latency 10000 100000 1000000 [--signals redis] [--requests 2000]

Per size: synthetic unit vectors (384-d, a mixture of clusters like real product embeddings),
the vector index the gateway would choose (exact up to 20k, HNSW above), the build time and
the resident memory it added, recall@50 of SIMILAR-style queries (an indexed product) and of
"product + noise" queries against an exact scan, then p50/p99 of
`RecommendationService.recommend` for FOR_YOU (10 seeds with 200-entry co-view lists, cart,
popularity boards) and SIMILAR, called in-process exactly as the resolver calls it.
FOR_YOU is measured twice: as one visitor asking again (its seeds' embedding neighbours come
from the index's neighbour cache) and with that cache off (every seed new to the instance).
SIMILAR asks about a random product each time, so at 100k and 1M its cache mostly misses.
Products come from a store that builds them from their id on demand, so 1M products do not
need gigabytes of Python objects; catalogue reads are counted like any store call.
With `--signals redis` the signal lists live in a real Redis (started here), so each request
pays its two pipelined round trips.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from decimal import Decimal
from pathlib import Path

import numpy as np

from gateway.catalogue.service import CatalogService
from gateway.catalogue.values import (
    Brand,
    BrandId,
    Category,
    CategoryId,
    Money,
    Product,
    ProductFilter,
    ProductId,
    ProductSort,
    Translation,
)
from gateway.kernel.visitor import VisitorId
from gateway.recommendations.service import RecommendationService, RecRequest
from gateway.recommendations.stores.memory_signals import MemorySignalStore
from gateway.recommendations.stores.protocol import SignalStore
from gateway.recommendations.values.recommendations import Strategy
from gateway.recommendations.values.signals import HistoryEntry, SignalUpdate
from gateway.recommendations.vectors.cache import DEFAULT_SIZE as DEFAULT_CACHE_SIZE
from gateway.recommendations.vectors.cache import NeighbourCache
from gateway.recommendations.vectors.graph import open_graph, write_graph
from gateway.recommendations.vectors.index import DEFAULT_EXACT_MAX, ExactIndex, HnswIndex, recall_at
from gateway.recommendations.vectors.service import StaticVectors
from gateway.visitors.service import VisitorState
from gateway.visitors.values.profile import empty_profile
from gateway.visitors.values.session import CartLine, Session

DIM = 384
CATEGORIES = [
    Category(CategoryId(f"c-{n}"), None, {"en": f"Category {n}"}, f"cat-{n}", (CategoryId(f"c-{n}"),))
    for n in range(50)
]


def pid(n: int) -> ProductId:
    return ProductId(f"p-{n:07d}")


class SyntheticCatalog:
    """A CatalogStore whose products are computed from their id (benchmarks only).

    Built products are kept, like the gateway's in-process catalogue mirror keeps them, so a
    request pays a dictionary lookup per product, not an object construction.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._built: dict[ProductId, Product | None] = {}

    def _product(self, product_id: ProductId) -> Product | None:
        n = int(product_id[2:]) if product_id[2:].isdigit() else -1
        if not 0 <= n < self.size:
            return None
        return Product(
            id=product_id,
            sku=f"SKU-{n}",
            brand_id=BrandId(f"b-{n % 40}"),
            category_ids=(CATEGORIES[n % 50].id,),
            price=Money(Decimal(10 + n % 500), "PLN"),
            compare_at_price=None,
            stock=0 if n % 17 == 0 else 5,
            images=(),
            attributes=(),
            translations={"en": Translation(f"Product {n}", "", f"product-{n}")},
        )

    async def get_products(self, ids: Sequence[ProductId]) -> list[Product | None]:
        built = self._built
        out = []
        for i in ids:
            if i not in built:
                built[i] = self._product(i)
            out.append(built[i])
        return out

    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        return [Brand(i, i, i) for i in ids]

    async def all_categories(self) -> list[Category]:
        return list(CATEGORIES)

    async def query(
        self, flt: ProductFilter, sort: ProductSort, locale: str, offset: int, limit: int
    ) -> tuple[list[ProductId], int]:
        return [pid(n) for n in range(offset, min(self.size, offset + limit))], self.size

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        raise NotImplementedError

    async def revision(self) -> tuple[int, int]:
        return self.size, 1


def load_or_build(ids: list[ProductId], vectors: np.ndarray, cache_dir: str) -> tuple[StaticVectors, str]:
    """The index the gateway would choose; a graph published by an earlier run is mapped instead."""
    size = len(ids)
    cached = Path(f"{cache_dir}/graph-{size}.vitrine") if cache_dir else None
    if cached is not None and cached.exists() and size > DEFAULT_EXACT_MAX:
        _, mapped = open_graph(cached)  # as an instance maps what `index` published
        return StaticVectors(ids, vectors, index=mapped), "mapped"
    similar = StaticVectors(ids, vectors, threads=os.cpu_count() or 1)  # built offline: all cores
    if cached is not None and isinstance(similar.index, HnswIndex):
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_graph(cached, ids, similar.index)
    return similar, "build"


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def synthetic_vectors(n: int, seed: int = 7, clusters: int = 2000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM), dtype=np.float32)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        rows = centres[rng.integers(0, clusters, stop - start)] + 0.6 * rng.standard_normal(
            (stop - start, DIM), dtype=np.float32
        )
        out[start:stop] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return out


async def fill_signals(store: SignalStore, size: int, seeds: list[ProductId]) -> None:
    rng = np.random.default_rng(3)
    updates = []
    for s in seeds:
        neighbours = rng.integers(0, size, 200)
        updates.append(
            SignalUpdate(
                f"v-{s}",
                VisitorId("v_bench"),
                increments=tuple(("view:" + s, pid(int(m)), float(1 + k)) for k, m in enumerate(neighbours)),
            )
        )
        updates.append(
            SignalUpdate(
                f"b-{s}",
                VisitorId("v_bench"),
                increments=tuple(("buy:" + s, pid(int(m)), 1.0) for m in neighbours[:40]),
            )
        )
    for board in ("popular:all", "trending:all", "popular:c-1", "popular:c-2"):
        top = rng.integers(0, size, 1000)
        updates.append(
            SignalUpdate(
                f"{board}",
                VisitorId("v_bench"),
                increments=tuple((board, pid(int(m)), float(1000 - k)) for k, m in enumerate(top)),
            )
        )
    history = tuple(HistoryEntry(s, 1_700_000_000.0 + k, "view") for k, s in enumerate(reversed(seeds)))
    updates.append(SignalUpdate("history", VisitorId("v_bench"), history=history))
    await store.record(updates)


def percentiles(samples: list[float]) -> tuple[float, float]:
    arr = np.array(samples) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99))


async def run_size(size: int, requests: int, signals: SignalStore, cache_dir: str = "") -> None:
    t0 = time.perf_counter()
    vectors = synthetic_vectors(size)
    gen_s = time.perf_counter() - t0
    gc.collect()
    before = rss_mib()
    t0 = time.perf_counter()
    ids = [pid(n) for n in range(size)]
    similar, how = load_or_build(ids, vectors, cache_dir)
    build_s = time.perf_counter() - t0
    added = rss_mib() - before
    index = similar.index
    # Recall@50 of the chosen index against an exact scan.
    rng = np.random.default_rng(5)
    rows = rng.integers(0, size, 200)
    item_queries = vectors[rows]
    noisy = item_queries + 0.3 * rng.standard_normal(item_queries.shape, dtype=np.float32) / np.sqrt(DIM)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    if index.kind == "exact":
        r_item = r_noisy = 1.0
    else:
        exact = ExactIndex(vectors)
        r_item = recall_at(exact, index, item_queries, 50)
        r_noisy = recall_at(exact, index, noisy.astype(np.float32), 50)

    seeds = [pid(int(n)) for n in rng.integers(0, size, 10)]
    await fill_signals(signals, size, seeds)
    catalog = CatalogService(SyntheticCatalog(size), preload_max=0)
    await catalog.refresh()
    service = RecommendationService(signals, catalog, similar)
    visitor = VisitorState(
        VisitorId("v_bench"),
        Session(VisitorId("v_bench"), recently_viewed=tuple(seeds[:5]), cart=(CartLine(seeds[5], 1),)),
        empty_profile(VisitorId("v_bench")),
    )
    gc.collect()
    gc.freeze()  # as the gateway does after startup: long-lived objects out of the collector's way
    results = {}
    anchors = rng.integers(0, size, requests + 50)  # SIMILAR: any product, so mostly cache misses
    for name, request in (
        # The same visitor again and again: its seeds' embedding neighbours come from the cache.
        ("FOR_YOU", RecRequest(Strategy.FOR_YOU, 10)),
        # Every seed new to the instance: the embedding neighbours are searched every time.
        ("FOR_YOU uncached", RecRequest(Strategy.FOR_YOU, 10)),
        ("SIMILAR", RecRequest(Strategy.SIMILAR, 10, product_id=seeds[0])),
    ):
        similar.cache = NeighbourCache(0 if name == "FOR_YOU uncached" else DEFAULT_CACHE_SIZE)
        samples, cpu = [], []
        for n in range(-50, requests):  # 50 warm-up requests first
            if name == "SIMILAR":
                request = RecRequest(Strategy.SIMILAR, 10, product_id=pid(int(anchors[n + 50])))
            t, c = time.perf_counter(), time.thread_time()
            result = await service.recommend(request, visitor)
            if n >= 0:
                samples.append(time.perf_counter() - t)
                cpu.append(time.thread_time() - c)
            assert len(result.items) == 10
        results[name] = (*percentiles(samples), *percentiles(cpu))
    hit_rate = similar.cache.hits / max(1, similar.cache.hits + similar.cache.misses)
    print(
        f"{size:>9,} items | index {index.kind:5} {how} {build_s:7.1f} s (vectors generated in {gen_s:.1f} s) "
        f"+{added:7.0f} MiB | recall@50 item {r_item:.3f} item+noise {r_noisy:.3f} | "
        + " | ".join(
            f"{name} p50 {p50:.2f} ms p99 {p99:.2f} ms (CPU p50 {cpu50:.2f} p99 {cpu99:.2f} ms)"
            for name, (p50, p99, cpu50, cpu99) in results.items()
        )
        + f" (SIMILAR's neighbour cache hits {hit_rate:.0%})"
        + " | load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--signals", choices=("memory", "redis"), default="memory")
    parser.add_argument("--cache-dir", default="", help="Save HNSW graphs here and load them on the next run.")
    args = parser.parse_args()
    async with AsyncExitStack() as stack:
        for size in args.sizes:
            signals: SignalStore
            if args.signals == "redis":
                from gateway.platform.redis import open_client
                from gateway.recommendations.stores.redis_signals import RedisSignalStore
                from gateway.testing.servers import start_redis

                server = start_redis()
                stack.callback(server.stop)
                client = open_client(server.url, 2000)
                stack.push_async_callback(client.aclose)
                signals = RedisSignalStore(client, f"bench{size}:")
            else:
                signals = MemorySignalStore()
            await run_size(size, args.requests, signals, args.cache_dir)
            gc.unfreeze()
            gc.collect()


if __name__ == "__main__":
    print(f"signals: see --signals; cores: {os.cpu_count()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    asyncio.run(main())
