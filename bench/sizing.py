"""Memory and start-up time of one gateway instance against catalogue size.

    python -m bench.sizing [--products 100000 1000000] [--mongo-sample 20000]

For each size, in a fresh process (so the resident set size means something):
- generates the demo catalogue (`gateway/demo/catalog_generator.py`: names, translations,
  prices, categories; above 100,000 products the same documents repeat under new ids) and
  keeps each product as its MongoDB document, BSON-encoded, in a stand-in store that decodes
  on every read, as MongoDB's driver would;
- opens a full runtime (every store and service, memory stores otherwise) and measures the
  process's RSS;
- loads the catalogue mirror (`CatalogService.refresh`, what start-up and every catalogue
  change do when the catalogue has at most VITRINE_CATALOG_PRELOAD_MAX products) and
  measures the time and the RSS it added (localized views, built lazily as pages ask for
  them, come on top).
Separately it times how fast the MongoDB-protocol test server hands over product documents
(`--mongo-sample` products through the real MongoDB catalogue store), to say what part of
start-up is the database's. Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import bson

ROOT = Path(__file__).resolve().parent.parent
REPEAT_ABOVE = 100_000


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class DocumentCatalogStore:
    """Products as BSON documents, decoded on each read: what the mirror gets from MongoDB."""

    def __init__(self, docs: list[bytes], brands: Sequence[object], categories: Sequence[object]) -> None:
        self._docs = docs
        self._ids = [bson.decode(d)["_id"] for d in docs]
        self._at = {pid: i for i, pid in enumerate(self._ids)}
        self._brands = {b.id: b for b in brands}  # type: ignore[attr-defined]
        self._categories = list(categories)

    async def revision(self) -> tuple[int, int]:
        return len(self._docs), 1

    async def all_categories(self) -> list[object]:
        return list(self._categories)

    async def query(self, flt: object, sort: object, locale: str, offset: int, limit: int) -> tuple[list[str], int]:
        return self._ids[offset : offset + limit], len(self._ids)

    async def get_products(self, ids: Sequence[str]) -> list[object]:
        from gateway.catalogue.stores import codec

        return [codec.product_in(bson.decode(self._docs[self._at[i]])) for i in ids]

    async def get_brands(self, ids: Sequence[str]) -> list[object]:
        return [self._brands.get(i) for i in ids]


async def measure(count: int) -> dict[str, float]:
    from gateway.catalogue import CatalogService
    from gateway.catalogue.stores import codec
    from gateway.demo.catalog_generator import generate_catalog
    from gateway.runtime import open_runtime
    from tests.support.settings import make_settings

    out: dict[str, float] = {"products": count}
    settings = replace(make_settings(), catalog_preload_max=max(count, 200_000))
    async with open_runtime(settings, background=False) as runtime:
        gc.collect()
        out["runtime_rss_mib"] = rss_mib()
        start = time.perf_counter()
        # Above 100,000 the demo catalogue is repeated under new ids (it would not fit in memory
        # twice over while being generated); documents stay realistic, the mirror sees `count`.
        contents = generate_catalog(min(count, REPEAT_ABOVE))
        base = [codec.product_out(p) for p in contents.products]
        docs = [bson.encode(d) for d in base]
        for copy in range(1, -(-count // REPEAT_ABOVE)):
            for d in base[: count - copy * REPEAT_ABOVE]:
                docs.append(bson.encode({**d, "_id": f"{d['_id']}-{copy}"}))
        store = DocumentCatalogStore(docs, contents.brands, contents.categories)
        del contents, base
        gc.collect()
        out["generate_s"] = time.perf_counter() - start
        before = rss_mib()
        service = CatalogService(store, preload_max=settings.catalog_preload_max)  # type: ignore[arg-type]
        start = time.perf_counter()
        await service.refresh()
        out["mirror_load_s"] = time.perf_counter() - start
        gc.collect()
        out["mirror_rss_mib"] = rss_mib() - before
        out["instance_rss_mib"] = out["runtime_rss_mib"] + out["mirror_rss_mib"]
        del runtime
    return out


async def mongo_rate(sample: int) -> float:
    """Products per second the MongoDB-protocol test server hands the mirror."""
    import uuid

    from gateway.catalogue import CatalogService
    from gateway.demo.catalog_generator import generate_catalog
    from gateway.testing.servers import start_mongo
    from gateway.wiring import connect
    from tests.support.settings import make_settings

    mongo = start_mongo()
    try:
        from contextlib import AsyncExitStack

        settings = make_settings(mongo.url, mongodb_database=f"sizing_{uuid.uuid4().hex[:6]}")
        async with AsyncExitStack() as stack:
            stores = await connect(settings, stack)
            contents = generate_catalog(sample)
            for i in range(0, sample, 2000):
                await stores.catalog.upsert(contents.products[i : i + 2000], contents.brands, contents.categories)
            service = CatalogService(stores.catalog, preload_max=sample)
            start = time.perf_counter()
            await service.refresh()
            return sample / (time.perf_counter() - start)
    finally:
        mongo.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--mongo-sample", type=int, default=20_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: measure one size
    parser.add_argument("--mongo", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(measure(args.one))))
        return
    if args.mongo:
        print(json.dumps({"mongo_products_per_s": asyncio.run(mongo_rate(args.mongo_sample))}))
        return
    for count in args.products:
        done = subprocess.run(
            [sys.executable, "-m", "bench.sizing", "--one", str(count)], cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode:
            print(f"{count} products: failed\n{done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{count:>9,} products: runtime {r['runtime_rss_mib']:.0f} MiB + mirror {r['mirror_rss_mib']:.0f} MiB "
            f"= {r['instance_rss_mib']:.0f} MiB RSS; mirror load {r['mirror_load_s']:.1f} s "
            f"(catalogue generated in {r['generate_s']:.0f} s, not counted)"
        )
    if args.mongo_sample:
        done = subprocess.run(
            [sys.executable, "-m", "bench.sizing", "--mongo", "--mongo-sample", str(args.mongo_sample)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            rate = json.loads(done.stdout.strip().splitlines()[-1])["mongo_products_per_s"]
            print(f"MongoDB-protocol test server -> mirror: {rate:,.0f} products/s ({args.mongo_sample:,} products)")
        else:
            print(f"mongo sample failed\n{done.stderr[-2000:]}")


if __name__ == "__main__":
    main()
