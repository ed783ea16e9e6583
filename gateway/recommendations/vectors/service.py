"""The vector index the request path reads, refreshed without blocking requests.

`refresh()` checks what `python -m gateway index` last committed (`VectorStore.version`: one
revision per run); when it changed it puts a new index in place by swapping one reference.
Requests keep reading the old index until the swap, so a refresh never blocks or fails a
request; a failed refresh keeps the old.

Up to `exact_max` products the instance loads the vectors and scans them exactly. Above, with
a `GraphStore`, it memory-maps the graph `index` published for exactly the committed vectors
(`graph.load_published`): the vectors are not read from MongoDB at all, and the instance holds
one copy of them, in the map. If that graph cannot be found (nothing published it), the
instance keeps serving its current index (or none, at first start) and retries on every
refresh, for up to `graph_wait_seconds`; after that it loads the vectors and builds its own
graph in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from gateway.catalogue import ProductId
from gateway.kernel import StoreUnavailable
from gateway.recommendations.stores.protocol import GraphStore, VectorStore
from gateway.recommendations.values.vectors import VectorsVersion
from gateway.recommendations.vectors.cache import DEFAULT_SIZE, NeighbourCache, query_k
from gateway.recommendations.vectors.graph import load_published
from gateway.recommendations.vectors.index import DEFAULT_EXACT_MAX, VectorIndex, build_index

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class Loaded:
    ids: list[ProductId]
    rows: dict[ProductId, int]
    index: VectorIndex  # holds the vectors too (`VectorIndex.vectors`)
    revision: int
    digest: str  # of the committed vectors ("" before the first commit)
    source: str  # "exact", "published" (graph mapped) or "built" (graph built here)
    cache: NeighbourCache  # answers of this index only: dropped with it, so never stale


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
        self._waiting: tuple[int, float] | None = None  # (revision, since) while its graph is awaited
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
        """Where the index came from: "exact", "published" (graph mapped) or "built" (here)."""
        return self._loaded.source if self._loaded else None

    async def refresh(self) -> bool:
        """Load what `index` committed last, if it is new; True when a new index is in place.

        False also while this instance waits for the published graph of new vectors.
        """
        async with self._lock:  # one rebuild at a time; requests never wait on this lock
            version = await self._store.version(self._model)
            loaded = self._loaded
            if version.revision == 0 or (loaded is not None and loaded.revision == version.revision):
                return False  # nothing committed yet, or nothing new
            if loaded is not None and version.digest and loaded.digest == version.digest:
                self._loaded = replace(loaded, revision=version.revision)  # committed again, same vectors
                return False
            found = await self._index_for(version)
            if found is None:
                return False
            ids, index, source = found
            self._waiting = None
            rows = {pid: n for n, pid in enumerate(ids)}
            cache = NeighbourCache(self._cache_size)
            self._retired_counts = self.cache_counts()
            self._loaded = Loaded(ids, rows, index, version.revision, version.digest, source, cache)
            self._loads += 1
            log.info("vector index ready: %d products (%s, %s)", len(ids), index.kind, source)
            return True

    async def _index_for(self, version: VectorsVersion) -> tuple[list[ProductId], VectorIndex, str] | None:
        """The index of `version`'s vectors, or None to keep waiting for its published graph."""
        if self._graphs is not None and version.digest and version.rows > self._exact_max:
            try:
                published = await load_published(self._graphs, self._model, version.digest)
            except StoreUnavailable as exc:
                log.warning("published vector graph unavailable: %s", exc.message)
                published = None
            if published is not None:
                return published[0], published[1], "published"
            if self._waiting is None or self._waiting[0] != version.revision:
                since = self._waiting[1] if self._waiting is not None else self._clock()
                self._waiting = (version.revision, since)
            waited = self._clock() - self._waiting[1]
            if waited < self._graph_wait:
                log.info(
                    "vector graph %s… not published; waiting (%.0f of %.0f s) before building here",
                    version.digest[:12],
                    waited,
                    self._graph_wait,
                )
                return None
            log.warning("no published vector graph for %d products: building it here", version.rows)
        ids, vectors = await self._store.load(self._model)
        index = await asyncio.to_thread(build_index, vectors, exact_max=self._exact_max)
        return ids, index, ("exact" if index.kind == "exact" else "built")

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
        return _similar(loaded.ids, loaded.rows, loaded.index, product_ids, k, loaded.cache)


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
        self.index = index or build_index(vectors, exact_max=exact_max, threads=threads)

    def epoch(self) -> object:
        return 0  # never changes

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]:
        return self.similar_many([product_id], k)[0]

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        return _similar(self._ids, self._rows, self.index, product_ids, k, self.cache)


def _similar(
    ids: list[ProductId],
    rows: dict[ProductId, int],
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
    found = index.search_many(index.vectors([row for _, row in todo]), wanted + 1)
    for (n, row), hits in zip(todo, found, strict=True):
        neighbours = [(ids[r], score) for r, score in hits if r != row][:wanted]
        cache.put(row, k, neighbours)
        out[n] = neighbours[:k]
    return out
