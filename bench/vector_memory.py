"""Memory of an instance serving the vector index at 1M products, and the cost of a refresh.

    PYTHONPATH=. python -m bench.vector_memory 1000000 --cache-dir /tmp/vectors [--queries 2000]

1. Synthetic unit vectors (384-d, clustered like product embeddings: bench/recs_latency.py),
   the HNSW graph built on every core as `python -m gateway index` builds it (usearch, float16,
   connectivity 16), written as the file `index` publishes (`graph.write_graph`). Saved in
   --cache-dir and reused by later runs (the build takes many minutes at 1M on 2 cores).
2. A fresh child process plays the instance: it maps the published file (`graph.open_graph`,
   as `VectorService` does after downloading it), deletes the file name, answers SIMILAR-style
   queries (a product's own vector, k=51) and reports its memory from /proc: resident memory
   split into anonymous (its heap) and file-backed (the map: page cache, shared, evictable),
   and the peak. Then a refresh: a second published file mapped beside the first, queried,
   the first dropped, as the reference swap does.
3. recall@50 of the graph against an exact float32 scan, on 200 queries: products' own
   vectors (what SIMILAR asks), and the same with noise as large as the vector.

Before this change an instance held the float32 matrix (1.43 GiB at 1M) and the hnswlib graph
with its own float32 copy (about 1.8 GiB more), and a refresh loaded a second set beside them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.recs_latency import pid, synthetic_vectors
from gateway.recommendations.vectors.graph import open_graph, write_graph
from gateway.recommendations.vectors.index import HnswIndex

CHILD = """
import os, sys, time, numpy as np
sys.path.insert(0, {root!r})
from pathlib import Path
from gateway.recommendations.vectors.graph import open_graph

def memory():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    mib = lambda k: int(fields[k].split()[0]) / 1024
    rss, heap, mapped, peak = mib("VmRSS"), mib("RssAnon"), mib("RssFile"), mib("VmHWM")
    return f"RSS {{rss:.0f}} MiB (heap {{heap:.0f}}, mapped file {{mapped:.0f}}), peak {{peak:.0f}} MiB"

def serve(path, queries):
    copy = Path(str(path) + ".serving")
    os.link(path, copy)  # the instance's own download; its name is deleted once mapped
    started = time.perf_counter()
    ids, index = open_graph(copy)
    copy.unlink()
    opened = time.perf_counter() - started
    rng = np.random.default_rng(5)
    took = []
    for row in rng.integers(0, len(ids), queries).tolist():
        t = time.perf_counter()
        index.search_many(index.vectors([row]), 51)
        took.append(time.perf_counter() - t)
    took.sort()
    return ids, index, opened, took

print("before mapping:", memory(), flush=True)
ids, index, opened, took = serve(Path({path!r}), {queries})
print(f"mapped {{len(ids)}} products in {{opened:.1f}} s; SIMILAR search, first {{len(took)}} (pages faulted in): "
      f"p50 {{took[len(took)//2]*1e3:.2f}} ms, p99 {{took[int(len(took)*0.99)]*1e3:.2f}} ms", flush=True)
rng = np.random.default_rng(6)
again = []
for row in rng.integers(0, len(ids), {queries}).tolist():
    t = time.perf_counter()
    index.search_many(index.vectors([row]), 51)
    again.append(time.perf_counter() - t)
again.sort()
print(f"SIMILAR search, {{len(again)}} more: p50 {{again[len(again)//2]*1e3:.2f}} ms, "
      f"p99 {{again[int(len(again)*0.99)]*1e3:.2f}} ms", flush=True)
print("serving:", memory(), flush=True)
_, second, _, _ = serve(Path({path!r}), {queries})
print("refresh, both indexes mapped:", memory(), flush=True)
del index
print("after the swap:", memory(), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int)
    parser.add_argument("--cache-dir", required=True)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    cache = Path(args.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"graph-{args.size}.vitrine"
    started = time.perf_counter()
    vectors = synthetic_vectors(args.size)
    ids = [pid(n) for n in range(args.size)]
    print(f"{args.size:,} vectors generated in {time.perf_counter() - started:.0f} s", flush=True)
    if not path.exists():
        started = time.perf_counter()
        index = HnswIndex(vectors, threads=os.cpu_count() or 1)
        print(f"graph built in {time.perf_counter() - started:.0f} s ({os.cpu_count()} threads)", flush=True)
        write_graph(path, ids, index)
        del index
    print(f"published file: {path.stat().st_size / 2**20:,.0f} MiB ({path})", flush=True)

    root = str(Path(__file__).resolve().parents[1])
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=root, path=str(path), queries=args.queries)],
        capture_output=True,
        text=True,
        check=False,
    )
    print(child.stdout, child.stderr[-3000:], sep="", flush=True)

    _, mapped = open_graph(path)
    rng = np.random.default_rng(9)
    rows = rng.integers(0, args.size, 200)
    for name, noise in (("a product's own vector (SIMILAR)", 0.0), ("the vector plus noise of norm ~1", 0.05)):
        queries = vectors[rows] + noise * rng.standard_normal((200, vectors.shape[1]), dtype=np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        hits = 0.0
        for query, found in zip(queries, mapped.search_many(queries, 50), strict=True):
            scores = vectors @ query
            truth = set(np.argpartition(-scores, 50)[:50].tolist())
            hits += len(truth & {r for r, _ in found}) / 50
        print(f"recall@50 against an exact float32 scan, 200 queries, ef=128, {name}: {hits / 200:.3f}")


if __name__ == "__main__":
    main()
