"""Publishing vectors: `python -m gateway index` commits them (and builds the graph), instances load.

Building the HNSW graph is the slow part of a vector index (minutes at 1M products on 2
cores); opening a saved one takes about as long as downloading it. So the index command
builds it once, on its own cores, and publishes it in the `GraphStore` (MongoDB GridFS) that
every instance reads, and only then commits the vectors (`VectorStore.commit`): one revision
per run, and an instance that sees the revision finds the graph already there.

A published graph is one self-contained file: a header, the product ids in row order, and the
usearch index (graph and float16 vectors). An instance downloads it to a temporary file,
memory-maps it, and deletes the name (the map keeps the data until the index is dropped): the
vectors never pass through its heap and are never loaded twice.

A graph is keyed by `graph_digest`: a SHA-256 of the build parameters, the product ids in row
order and the float32 vectors. The commit names the digest of the vectors it announces, and an
instance only loads the graph with that digest, so a graph of other vectors (an older
catalogue, a half-finished index run) is never used: the rows would point at the wrong products.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import mmap
import os
import shutil
import struct
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

MAGIC = b"VITRINE-GRAPH-2\n"  # 16 bytes; then ids length and index offset, little-endian u64
_HEADER = struct.Struct("<16sQQ")
_ALIGN = 4096  # the index starts on a page boundary of the file


def graph_digest(ids: Sequence[ProductId], vectors: npt.NDArray[np.float32]) -> str:
    """What a graph was built from: parameters, ids in row order, vectors (about 1 s per GB)."""
    h = hashlib.sha256()
    h.update(f"{HNSW_PARAMS} rows={len(ids)} dim={vectors.shape[1] if vectors.ndim == 2 else 0}\n".encode())
    h.update("\n".join(ids).encode())
    h.update(b"\0")
    h.update(np.ascontiguousarray(vectors, dtype="<f4").data)
    return h.hexdigest()


def write_graph(path: Path, ids: Sequence[ProductId], index: HnswIndex) -> None:
    """The published file: header, ids (one per line), the index from a page boundary on."""
    blob = "\n".join(ids).encode()
    offset = -(-(_HEADER.size + len(blob)) // _ALIGN) * _ALIGN
    with tempfile.TemporaryDirectory(prefix="vitrine-graph-") as tmp:
        raw = Path(tmp) / "index.usearch"
        index.save(str(raw))
        with path.open("wb") as out, raw.open("rb") as source:
            out.write(_HEADER.pack(MAGIC, len(blob), offset))
            out.write(blob)
            out.write(b"\0" * (offset - _HEADER.size - len(blob)))
            shutil.copyfileobj(source, out, 1 << 20)


def open_graph(path: Path) -> tuple[list[ProductId], HnswIndex]:
    """Map a file `write_graph` wrote; the caller may delete the file afterwards.

    Raises ValueError for a file that is not one (or that usearch cannot read).
    """
    with path.open("rb") as source:
        mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        magic, length, offset = _HEADER.unpack_from(mapped, 0)
        if magic != MAGIC or offset > len(mapped):
            raise ValueError("not a published vector graph")
        text = mapped[_HEADER.size : _HEADER.size + length].decode()
        ids = [ProductId(i) for i in text.split("\n")] if length else []
        index = HnswIndex.view(memoryview(mapped)[offset:], keep=mapped)
    except (ValueError, struct.error, RuntimeError) as exc:
        mapped.close()
        raise ValueError(f"unreadable vector graph: {exc}") from exc
    if len(index) != len(ids):
        raise ValueError(f"graph has {len(index)} rows for {len(ids)} ids")
    return ids, index


@dataclass(frozen=True, slots=True)
class PublishReport:
    rows: int
    digest: str
    graph: bool  # True: instances use the published HNSW graph (above `exact_max` rows)
    built: bool  # True: the graph was built now (False: the published one already matched)
    committed: bool  # False: nothing changed since the last commit, so instances keep what they have
    seconds: float


async def publish_vectors(
    vectors: VectorStore, graphs: GraphStore, model: str, *, exact_max: int, threads: int
) -> PublishReport:
    """Announce `model`'s stored vectors to the instances, once: the graph first (above `exact_max`
    rows; its build is skipped when the published one already has this digest), then the commit.
    Nothing is committed when the vectors did not change since the last commit."""
    started = time.perf_counter()
    ids, matrix = await vectors.load(model)
    digest = await asyncio.to_thread(graph_digest, ids, matrix)
    graph = len(ids) > exact_max
    built = False
    if graph and await graphs.digest(model) != digest:
        index = await asyncio.to_thread(HnswIndex, matrix, threads=threads)
        del matrix  # the index holds its own copy
        with tempfile.TemporaryDirectory(prefix="vitrine-graph-") as tmp:
            path = Path(tmp) / "graph"
            await asyncio.to_thread(write_graph, path, ids, index)
            await graphs.publish(model, digest, path)
        built = True
    committed = (await vectors.version(model)).digest != digest
    if committed:
        await vectors.commit(model, digest, len(ids))
    return PublishReport(len(ids), digest, graph, built, committed, time.perf_counter() - started)


async def load_published(graphs: GraphStore, model: str, digest: str) -> tuple[list[ProductId], HnswIndex] | None:
    """The published graph for `digest`, mapped off the event loop; None when there is none.

    Raises StoreUnavailable when the store is down; a file that cannot be read is logged and
    reads as None (the caller builds instead).
    """
    path = await asyncio.to_thread(_temporary_file)
    try:
        if not await graphs.fetch(model, digest, path):
            return None
        try:
            return await asyncio.to_thread(open_graph, path)
        except (ValueError, OSError) as exc:
            log.error("published vector graph %s… could not be loaded, building instead: %s", digest[:12], exc)
            return None
    finally:
        await asyncio.to_thread(_remove, path)  # a mapped file stays readable until the index is dropped


def _temporary_file() -> Path:
    handle, name = tempfile.mkstemp(prefix="vitrine-graph-")
    os.close(handle)
    return Path(name)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
