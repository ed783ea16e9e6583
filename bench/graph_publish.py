"""Publishing and loading a prebuilt HNSW graph through MongoDB GridFS, against building it.

    PYTHONPATH=. python -m bench.graph_publish 100000 1000000 --cache-dir /tmp/hnsw

Per size: synthetic vectors (as bench/recs_latency.py), the graph (mapped from --cache-dir
when an earlier run saved it there, else built on every core and saved as `index` publishes
it), then against a real MongoDB-protocol server started here: the time `python -m gateway
index` spends publishing it (`GraphStore.publish`, after its build), and the time an instance
spends fetching and mapping it (`load_published`), which replaces a build. Also the digest of
the vectors, which `index` computes (instances read it from the commit).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.recs_latency import load_or_build, pid, synthetic_vectors
from gateway.platform.mongo import open_client
from gateway.recommendations.stores.mongo_graphs import MongoGraphStore
from gateway.recommendations.vectors.graph import graph_digest, load_published
from gateway.recommendations.vectors.index import HnswIndex
from gateway.testing.servers import start_mongo

MODEL = "bench-model"


async def run_size(store: MongoGraphStore, size: int, cache_dir: str) -> None:
    vectors = synthetic_vectors(size)
    ids = [pid(n) for n in range(size)]
    t0 = time.perf_counter()
    similar, how = load_or_build(ids, vectors, cache_dir)
    build_s = time.perf_counter() - t0
    assert isinstance(similar.index, HnswIndex), "pick a size above the exact-scan limit"
    path = Path(f"{cache_dir}/graph-{size}.vitrine")
    mib = (await asyncio.to_thread(path.stat)).st_size / 2**20
    t0 = time.perf_counter()
    digest = await asyncio.to_thread(graph_digest, ids, vectors)
    digest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    await store.publish(MODEL, digest, path)
    publish_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    published = await load_published(store, MODEL, digest)
    load_s = time.perf_counter() - t0
    assert published is not None and published[0] == ids
    loaded = published[1]
    same = all(
        loaded.search(vectors[r], 10) == similar.index.search(vectors[r], 10) for r in range(0, size, size // 20)
    )
    print(
        f"{size:>9,} items | graph {mib:,.0f} MiB ({how} in {build_s:.1f} s) | "
        f"digest {digest_s:.1f} s | publish (GridFS upload) {publish_s:.1f} s | "
        f"instance fetch + map {load_s:.1f} s | same answers as the saved graph: {same}",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--cache-dir", required=True, help="Graphs are saved here and loaded on later runs.")
    args = parser.parse_args()
    storage = tempfile.mkdtemp(prefix="graphbench-", dir=args.cache_dir)
    server = start_mongo(storage_path=storage, cache_size="1G")  # on disk: a 1M graph is 1.6 GiB
    try:
        client = open_client(server.url, 600_000)
        try:
            for size in args.sizes:
                await run_size(MongoGraphStore(client[f"graphbench{size}"]), size, args.cache_dir)
        finally:
            await client.close()
    finally:
        server.stop()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
