"""The in-memory vector index the request path reads, refreshed without blocking requests.

`refresh()` checks the store's revision; when it changed it loads every vector and builds a
new index in a worker thread, then swaps one reference. Requests keep reading the old index
until the swap, so a refresh never blocks or fails a request; a failed refresh keeps the old.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gateway.domain.catalog import ProductId
from gateway.stores.protocols import VectorStore
from gateway.vectors.index import DEFAULT_EXACT_MAX, VectorIndex, build_index

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class Loaded:
    ids: list[ProductId]
    rows: dict[ProductId, int]
    vectors: npt.NDArray[np.float32]
    index: VectorIndex
    revision: int


class VectorService:
    def __init__(self, store: VectorStore, *, model: str = DEFAULT_MODEL, exact_max: int = DEFAULT_EXACT_MAX) -> None:
        self._store = store
        self._model = model
        self._exact_max = exact_max
        self._loaded: Loaded | None = None
        self._lock = asyncio.Lock()

    @property
    def size(self) -> int:
        return len(self._loaded.ids) if self._loaded else 0

    @property
    def index_kind(self) -> str | None:
        return self._loaded.index.kind if self._loaded else None

    async def refresh(self) -> bool:
        """Reload if the stored vectors changed; True when a new index is in place."""
        async with self._lock:  # one rebuild at a time; requests never wait on this lock
            revision = await self._store.revision(self._model)
            if self._loaded is not None and self._loaded.revision == revision:
                return False
            ids, vectors = await self._store.load(self._model)
            index = await asyncio.to_thread(build_index, vectors, exact_max=self._exact_max)
            self._loaded = Loaded(ids, {pid: n for n, pid in enumerate(ids)}, vectors, index, revision)
            log.info("vector index ready: %d products (%s)", len(ids), index.kind)
            return True

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]:
        return self.similar_many([product_id], k)[0]

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        loaded = self._loaded
        if loaded is None:
            return [[] for _ in product_ids]
        return _similar(loaded.ids, loaded.rows, loaded.vectors, loaded.index, product_ids, k)


class StaticVectors:
    """Similar items over vectors already in memory (offline evaluation, benchmarks)."""

    def __init__(
        self,
        ids: list[ProductId],
        vectors: npt.NDArray[np.float32],
        *,
        exact_max: int = DEFAULT_EXACT_MAX,
        threads: int = 1,
        index: VectorIndex | None = None,
    ) -> None:
        self._ids = ids
        self._rows = {pid: n for n, pid in enumerate(ids)}
        self._vectors = vectors
        self.index = index or build_index(vectors, exact_max=exact_max, threads=threads)

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]:
        return self.similar_many([product_id], k)[0]

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        return _similar(self._ids, self._rows, self._vectors, self.index, product_ids, k)


def _similar(
    ids: list[ProductId],
    rows: dict[ProductId, int],
    vectors: npt.NDArray[np.float32],
    index: VectorIndex,
    product_ids: Sequence[ProductId],
    k: int,
) -> list[list[tuple[ProductId, float]]]:
    """Each product's `k` nearest others (empty for a product without a vector); one index pass."""
    known = [(n, rows[p]) for n, p in enumerate(product_ids) if p in rows]
    out: list[list[tuple[ProductId, float]]] = [[] for _ in product_ids]
    if not known:
        return out
    found = index.search_many(vectors[[row for _, row in known]], k + 1)
    for (n, row), hits in zip(known, found, strict=True):
        out[n] = [(ids[r], score) for r, score in hits if r != row][:k]
    return out
