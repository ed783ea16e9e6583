"""The in-memory vector index the request path reads, refreshed without blocking requests.

`refresh()` checks the store's revision; when it changed it loads every vector and puts a new
index in place by swapping one reference. Requests keep reading the old index until the
swap, so a refresh never blocks or fails a request; a failed refresh keeps the old.

Above `exact_max` products the index is an HNSW graph. With a `GraphStore`, the instance
loads the graph `python -m gateway index` published for exactly these vectors (seconds)
instead of building one (minutes). While the graph for new vectors is not published yet, the
instance keeps serving its current index (or none, at first start) and retries on every
refresh, for up to `graph_wait_seconds`; after that it builds its own in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gateway.catalogue import ProductId
from gateway.kernel import StoreUnavailable
from gateway.recommendations.stores.protocol import GraphStore, VectorStore
from gateway.recommendations.vectors.cache import DEFAULT_SIZE, NeighbourCache, query_k
from gateway.recommendations.vectors.graph import graph_digest, load_published
from gateway.recommendations.vectors.index import DEFAULT_EXACT_MAX, VectorIndex, build_index

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class Loaded:
    ids: list[ProductId]
    rows: dict[ProductId, int]
    vectors: npt.NDArray[np.float32]
    index: VectorIndex
    revision: int
    digest: str  # graph_digest of the vectors ("" when no graph is involved)
    source: str  # "exact", "published" (graph loaded) or "built" (graph built here)
    cache: NeighbourCache  # answers of this index only: dropped with it, so never stale


@dataclass(frozen=True, slots=True)
class _Pending:
    """Vectors loaded for a new index whose published graph is awaited (kept: no reload per retry)."""

    revision: int
    ids: list[ProductId]
    vectors: npt.NDArray[np.float32]
    digest: str
    since: float  # when this instance started waiting (monotonic)


class VectorService:
    def __init__(
        self,
        store: VectorStore,
        *,
        model: str = DEFAULT_MODEL,
        exact_max: int = DEFAULT_EXACT_MAX,
        graphs: GraphStore | None = None,
        graph_wait_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        cache_size: int = DEFAULT_SIZE,
    ) -> None:
        self._cache_size = cache_size
        self._store = store
        self._model = model
        self._exact_max = exact_max
        self._graphs = graphs
        self._graph_wait = graph_wait_seconds
        self._clock = clock
        self._loaded: Loaded | None = None
        self._pending: _Pending | None = None
        self._lock = asyncio.Lock()
        self._loads = 0
        self._retired_counts = (0, 0)  # neighbour cache hits and misses of the indexes replaced so far

    @property
    def size(self) -> int:
        return len(self._loaded.ids) if self._loaded else 0

    @property
    def index_kind(self) -> str | None:
        return self._loaded.index.kind if self._loaded else None

    @property
    def index_source(self) -> str | None:
        """Where the index came from: "exact", "published" (graph loaded) or "built" (here)."""
        return self._loaded.source if self._loaded else None

    async def refresh(self) -> bool:
        """Reload if the stored vectors changed; True when a new index is in place.

        False also while this instance waits for the published graph of new vectors.
        """
        async with self._lock:  # one rebuild at a time; requests never wait on this lock
            revision = await self._store.revision(self._model)
            loaded = self._loaded
            if loaded is not None and loaded.revision == revision:
                return False
            pending = self._pending
            if pending is None or pending.revision != revision:
                ids, vectors = await self._store.load(self._model)
                digest = ""
                if self._graphs is not None and len(ids) > self._exact_max:
                    digest = await asyncio.to_thread(graph_digest, ids, vectors)
                since = pending.since if pending is not None else self._clock()
                pending = self._pending = _Pending(revision, ids, vectors, digest, since)
            found = await self._index_for(pending, loaded)
            if found is None:
                return False
            index, source = found
            self._pending = None
            ids = pending.ids
            rows = {pid: n for n, pid in enumerate(ids)}
            cache = NeighbourCache(self._cache_size)
            self._retired_counts = self.cache_counts()
            self._loaded = Loaded(ids, rows, pending.vectors, index, revision, pending.digest, source, cache)
            self._loads += 1
            log.info("vector index ready: %d products (%s, %s)", len(ids), index.kind, source)
            return True

    async def _index_for(self, pending: _Pending, loaded: Loaded | None) -> tuple[VectorIndex, str] | None:
        """The index for `pending`'s vectors, or None to keep waiting for its published graph."""
        if not pending.digest:  # exact scan, or no graph store: build here as before
            index = await asyncio.to_thread(build_index, pending.vectors, exact_max=self._exact_max)
            return index, ("exact" if index.kind == "exact" else "built")
        if loaded is not None and loaded.digest == pending.digest:
            return loaded.index, loaded.source  # the revision moved but the vectors did not
        assert self._graphs is not None
        try:
            published = await load_published(self._graphs, self._model, pending.digest, pending.vectors)
        except StoreUnavailable as exc:
            log.warning("published vector graph unavailable: %s", exc.message)
            published = None
        if published is not None:
            return published, "published"
        waited = self._clock() - pending.since
        if waited < self._graph_wait:
            log.info(
                "vector graph %s… not published yet; waiting (%.0f of %.0f s) before building here",
                pending.digest[:12],
                waited,
                self._graph_wait,
            )
            return None
        log.warning("no published vector graph for %d products: building it here", len(pending.ids))
        index = await asyncio.to_thread(build_index, pending.vectors, exact_max=self._exact_max)
        return index, "built"

    def epoch(self) -> object:
        """Counts the indexes loaded: answers derived from one follow it."""
        return self._loads

    def cache_counts(self) -> tuple[int, int]:
        """Neighbour cache hits and misses since start, over every index this instance served."""
        hits, misses = self._retired_counts
        loaded = self._loaded
        if loaded is None:
            return hits, misses
        return hits + loaded.cache.hits, misses + loaded.cache.misses

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]:
        return self.similar_many([product_id], k)[0]

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        loaded = self._loaded
        if loaded is None:
            return [[] for _ in product_ids]
        return _similar(loaded.ids, loaded.rows, loaded.vectors, loaded.index, product_ids, k, loaded.cache)


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
        cache_size: int = DEFAULT_SIZE,
    ) -> None:
        self.cache = NeighbourCache(cache_size)
        self._ids = ids
        self._rows = {pid: n for n, pid in enumerate(ids)}
        self._vectors = vectors
        self.index = index or build_index(vectors, exact_max=exact_max, threads=threads)

    def epoch(self) -> object:
        return 0  # never changes

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]:
        return self.similar_many([product_id], k)[0]

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        return _similar(self._ids, self._rows, self._vectors, self.index, product_ids, k, self.cache)


def _similar(
    ids: list[ProductId],
    rows: dict[ProductId, int],
    vectors: npt.NDArray[np.float32],
    index: VectorIndex,
    product_ids: Sequence[ProductId],
    k: int,
    cache: NeighbourCache,
) -> list[list[tuple[ProductId, float]]]:
    """Each product's `k` nearest others (empty for a product without a vector); one index pass.

    Answers come from `cache` when they are there; the rest are searched together and kept.
    """
    out: list[list[tuple[ProductId, float]]] = [[] for _ in product_ids]
    todo: list[tuple[int, int]] = []  # (position, row) to search
    for n, p in enumerate(product_ids):
        row = rows.get(p)
        if row is None:
            continue
        cached = cache.get(row, k)
        if cached is None:
            todo.append((n, row))
        else:
            out[n] = cached
    if not todo:
        return out
    wanted = query_k(k)
    found = index.search_many(vectors[[row for _, row in todo]], wanted + 1)
    for (n, row), hits in zip(todo, found, strict=True):
        neighbours = [(ids[r], score) for r, score in hits if r != row][:wanted]
        cache.put(row, k, neighbours)
        out[n] = neighbours[:k]
    return out
