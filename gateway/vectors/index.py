"""Vector indexes: exact (numpy) for small catalogues, HNSW (hnswlib) above a size threshold.

Vectors are unit length, so inner product is cosine similarity. Measured on 2 cores
(docs/recommendations.md, bench/bench_vectors.py): an exact scan costs ~0.3 ms at 10k
items and ~55 ms at 1M; HNSW (M=16, ef=128) stays under ~1 ms at 1M.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
DEFAULT_EXACT_MAX = 20_000


class VectorIndex(Protocol):
    """Nearest rows of a fixed matrix by cosine similarity."""

    @property
    def kind(self) -> str: ...

    def __len__(self) -> int: ...

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """Up to `k` (row, similarity), most similar first."""
        ...


class ExactIndex:
    kind = "exact"

    def __init__(self, vectors: Vectors) -> None:
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def __len__(self) -> int:
        return int(self._vectors.shape[0])

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        n = len(self)
        if n == 0 or k <= 0:
            return []
        scores = self._vectors @ query.astype(np.float32, copy=False)
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        # Ties by row, so the order never depends on the partition's luck.
        order = sorted(top.tolist(), key=lambda r: (-float(scores[r]), r))
        return [(int(r), float(scores[r])) for r in order]


class HnswIndex:
    kind = "hnsw"

    def __init__(self, vectors: Vectors, *, m: int = 16, ef_construction: int = 100, ef: int = 128, threads: int = 1):
        import hnswlib

        n, dim = vectors.shape
        self._index = hnswlib.Index(space="ip", dim=int(dim))
        self._index.init_index(max_elements=max(1, int(n)), M=m, ef_construction=ef_construction, random_seed=7)
        if n:
            self._index.add_items(np.ascontiguousarray(vectors, dtype=np.float32), np.arange(n), num_threads=threads)
        self._index.set_ef(ef)
        self._n = int(n)
        self.ef = ef

    def __len__(self) -> int:
        return self._n

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        if self._n == 0 or k <= 0:
            return []
        k = min(k, self._n)
        if k > self.ef:
            self._index.set_ef(k)
        labels, distances = self._index.knn_query(
            query.astype(np.float32, copy=False).reshape(1, -1), k=k, num_threads=1
        )
        return [(int(r), 1.0 - float(d)) for r, d in zip(labels[0], distances[0], strict=True)]


def build_index(vectors: Vectors, *, exact_max: int = DEFAULT_EXACT_MAX, threads: int = 1) -> VectorIndex:
    """Exact up to `exact_max` rows (fast enough and perfect), HNSW above."""
    if vectors.shape[0] <= exact_max:
        return ExactIndex(vectors)
    return HnswIndex(vectors, threads=threads)


def recall_at(exact: VectorIndex, approx: VectorIndex, queries: Vectors, k: int) -> float:
    """Mean share of the exact top-k that the approximate index also returns."""
    if len(queries) == 0:
        return 1.0
    total = 0.0
    for q in queries:
        truth = {r for r, _ in exact.search(q, k)}
        found = {r for r, _ in approx.search(q, k)}
        total += len(truth & found) / max(1, len(truth))
    return total / len(queries)
