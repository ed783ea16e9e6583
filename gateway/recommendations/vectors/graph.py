"""Prebuilt HNSW graphs: `python -m gateway index` builds and publishes, instances load.

Building the graph is the slow part of a vector index (about 8 minutes at 1M products on 2
cores); loading a saved one takes seconds. So the index command builds it once, on its own
cores, and publishes it in the `GraphStore` (MongoDB GridFS) that every instance reads.

A graph is keyed by `graph_digest`: a SHA-256 of the build parameters, the product ids in
row order and the float32 vectors. An instance computes the digest of the vectors it loaded
and only accepts a graph with that digest, so a graph of other vectors (an older catalogue, a
half-finished index run) is never used: the rows would point at the wrong products.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gateway.catalogue import ProductId
from gateway.recommendations.stores.protocol import GraphStore, VectorStore
from gateway.recommendations.vectors.index import HNSW_PARAMS, HnswIndex

log = logging.getLogger(__name__)


def graph_digest(ids: Sequence[ProductId], vectors: npt.NDArray[np.float32]) -> str:
    """What a graph was built from: parameters, ids in row order, vectors (about 1 s per GB)."""
    h = hashlib.sha256()
    h.update(f"hnswlib {HNSW_PARAMS} rows={len(ids)} dim={vectors.shape[1] if vectors.ndim == 2 else 0}\n".encode())
    h.update("\n".join(ids).encode())
    h.update(b"\0")
    h.update(np.ascontiguousarray(vectors, dtype="<f4").data)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class GraphReport:
    rows: int
    digest: str
    built: bool  # False: the published graph already matched
    seconds: float


async def publish_graph(
    vectors: VectorStore, graphs: GraphStore, model: str, *, exact_max: int, threads: int
) -> GraphReport | None:
    """Build and publish the HNSW graph of `model`'s stored vectors; None when instances scan exactly.

    Skips the build when the published graph already has the current digest (re-running
    `index` on an unchanged catalogue costs a hash, not a build).
    """
    ids, matrix = await vectors.load(model)
    if len(ids) <= exact_max:
        return None
    started = time.perf_counter()
    digest = await asyncio.to_thread(graph_digest, ids, matrix)
    if await graphs.digest(model) == digest:
        return GraphReport(len(ids), digest, False, time.perf_counter() - started)
    index = await asyncio.to_thread(HnswIndex, matrix, threads=threads)
    with tempfile.TemporaryDirectory(prefix="vitrine-graph-") as tmp:
        path = Path(tmp) / "graph.hnsw"
        await asyncio.to_thread(index.save, str(path))
        await graphs.publish(model, digest, path)
    return GraphReport(len(ids), digest, True, time.perf_counter() - started)


async def load_published(
    graphs: GraphStore, model: str, digest: str, vectors: npt.NDArray[np.float32]
) -> HnswIndex | None:
    """The published graph for `digest`, loaded off the event loop; None when there is none.

    Raises StoreUnavailable when the store is down; a file hnswlib cannot read is logged and
    reads as None (the caller builds instead).
    """
    with tempfile.TemporaryDirectory(prefix="vitrine-graph-") as tmp:
        path = Path(tmp) / "graph.hnsw"
        if not await graphs.fetch(model, digest, path):
            return None
        try:
            return await asyncio.to_thread(HnswIndex.load, str(path), vectors)
        except (RuntimeError, ValueError, OSError) as exc:  # hnswlib's errors for a damaged file
            log.error("published vector graph %s… could not be loaded, building instead: %s", digest[:12], exc)
            return None
