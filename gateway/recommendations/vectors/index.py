"""Vector indexes: exact (numpy) for small catalogues, an HNSW graph (usearch) above a size threshold.

Vectors are unit length, so inner product is cosine similarity. Measured on 2 cores
(docs/recommendations.md, bench/recs_latency.py): an exact scan costs ~0.3 ms per query at
10k items and ~55 ms at 1M; HNSW (connectivity 16, ef 128) stays around a millisecond at 1M.

Each index holds the only copy of its vectors: the exact index its float32 matrix, the graph
its own float16 vectors beside the graph, in one file that an instance memory-maps
(`HnswIndex.view`) instead of reading into its heap. Queries about an indexed product take
its vector from the index (`vectors`). usearch rather than hnswlib: it ships wheels for every
CPython we serve on (hnswlib has none for 3.11), and its index can be used straight from a
memory map.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
DEFAULT_EXACT_MAX = 20_000
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF = 16, 100, 128
HNSW_DTYPE = "f16"  # half the memory of f32, same recall@50 measured (docs/recommendations.md)
HNSW_PARAMS = (  # part of a graph's digest
    f"usearch dtype={HNSW_DTYPE} connectivity={HNSW_M} expansion_add={HNSW_EF_CONSTRUCTION} metric=ip"
)


class VectorIndex(Protocol):
    """Nearest rows of a fixed matrix by cosine similarity."""

    @property
    def kind(self) -> str: ...

    def __len__(self) -> int: ...

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """Up to `k` (row, similarity), most similar first."""
        ...

    def search_many(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        """`search` for each row of `queries`, in one pass over the index where possible."""
        ...

    def vectors(self, rows: list[int]) -> Vectors:
        """The indexed vectors of `rows`, as float32 (one row each)."""
        ...


class ExactIndex:
    kind = "exact"

    def __init__(self, vectors: Vectors) -> None:
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def __len__(self) -> int:
        return int(self._vectors.shape[0])

    def vectors(self, rows: list[int]) -> Vectors:
        return self._vectors[rows]

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        return self.search_many(query.reshape(1, -1), k)[0]

    def search_many(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        n = len(self)
        if n == 0 or k <= 0:
            return [[] for _ in range(len(queries))]
        k = min(k, n)
        out = []
        for query in queries.astype(np.float32, copy=False):
            # One matvec per query: measured 3x faster than one skinny GEMM for 3 queries (OpenBLAS).
            scores = self._vectors @ query
            top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
            # Ties by row, so the order never depends on the partition's luck.
            order = top[np.lexsort((top, -scores[top]))]
            out.append(list(zip(order.tolist(), scores[order].tolist(), strict=True)))
        return out


class HnswIndex:
    """An HNSW graph over float16 copies of the vectors (usearch); row numbers are its keys."""

    kind = "hnsw"

    def __init__(
        self,
        vectors: Vectors,
        *,
        m: int = HNSW_M,
        ef_construction: int = HNSW_EF_CONSTRUCTION,
        ef: int = HNSW_EF,
        threads: int = 1,
    ):
        from usearch.index import Index

        n, dim = vectors.shape
        self._index = Index(ndim=int(dim), metric="ip", dtype=HNSW_DTYPE, connectivity=m, expansion_add=ef_construction)
        if n:
            self._index.add(np.arange(n), np.ascontiguousarray(vectors, dtype=np.float32), threads=threads)
        self._n, self.ef = int(n), ef
        self._keep: tuple[Any, ...] = ()

    def __len__(self) -> int:
        return self._n

    def save(self, path: str) -> None:
        """Write the graph and its vectors (usearch's format), for `view` in another process."""
        self._index.save(path)

    @classmethod
    def view(cls, buffer: memoryview, *, keep: Any = None, ef: int = HNSW_EF) -> HnswIndex:
        """The index saved by `save`, used in place from `buffer` (a memory map: nothing is copied).

        `keep` (the map) is held as long as the index. Raises ValueError for a buffer usearch
        cannot read.
        """
        from usearch.index import Index

        index = Index.restore(buffer, view=True)
        if index is None:
            raise ValueError("not a usearch index")
        self = cls.__new__(cls)
        self._index, self._n, self.ef, self._keep = index, int(index.size), ef, (buffer, keep)
        return self

    def vectors(self, rows: list[int]) -> Vectors:
        found = self._index.get(np.asarray(rows, dtype=np.uint64), dtype="f32")
        if isinstance(found, tuple):  # one array per key (every row is in the index)
            return np.vstack([f for f in found if f is not None]).astype(np.float32, copy=False)
        return np.asarray(found, dtype=np.float32).reshape(len(rows), -1)

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        return self.search_many(query.reshape(1, -1), k)[0]

    def search_many(self, queries: Vectors, k: int) -> list[list[tuple[int, float]]]:
        from usearch.index import BatchMatches

        if self._n == 0 or k <= 0:
            return [[] for _ in range(len(queries))]
        k = min(k, self._n)
        self._index.expansion_search = max(self.ef, k)  # type: ignore[misc]  # a setter usearch's stubs miss
        found = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k, threads=1)
        if not isinstance(found, BatchMatches):  # usearch answers one query row with plain Matches
            return [[(int(r), 1.0 - float(d)) for r, d in zip(found.keys, found.distances, strict=True)]]
        return [
            [(int(r), 1.0 - float(d)) for r, d in zip(keys[:count], distances[:count], strict=True)]
            for keys, distances, count in zip(found.keys, found.distances, found.counts, strict=True)
        ]


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
