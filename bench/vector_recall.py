"""Recall@50 of the HNSW index against exact search on REAL embeddings (the demo catalogue).

    PYTHONPATH=. python -m bench.vector_recall [--ef 64 128 256]

Synthetic vectors (bench/recs_latency.py) are clustered Gaussians; real MiniLM product
vectors are more anisotropic, so recall is measured here too. Queries are each product's own
vector (what SIMILAR asks) and the mean of 3 consecutive views (a FOR_YOU-like session).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench.embedding_throughput import texts
from gateway.recommendations.vectors.embedder import SentenceTransformerEmbedder
from gateway.recommendations.vectors.index import ExactIndex, HnswIndex, recall_at


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ef", type=int, nargs="+", default=[64, 128, 256])
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    t = time.perf_counter()
    vectors = embedder.encode(texts(100_000))
    precision = "bf16" if embedder.bf16 else "fp32"
    print(f"{len(vectors)} demo products embedded in {time.perf_counter() - t:.1f} s ({precision})")
    exact = ExactIndex(vectors)
    rng = np.random.default_rng(11)
    items = vectors[rng.integers(0, len(vectors), 300)]
    starts = rng.integers(0, len(vectors) - 3, 300)
    sessions = np.stack([vectors[s : s + 3].mean(axis=0) for s in starts])
    sessions /= np.linalg.norm(sessions, axis=1, keepdims=True)
    for ef in args.ef:
        hnsw = HnswIndex(vectors, ef=ef)
        r_items = recall_at(exact, hnsw, items, 50)
        r_sessions = recall_at(exact, hnsw, sessions.astype(np.float32), 50)
        print(f"HNSW M=16 ef={ef:>3}: recall@50 item queries {r_items:.3f}, session-mean queries {r_sessions:.3f}")


if __name__ == "__main__":
    main()
