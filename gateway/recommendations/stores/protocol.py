"""The recommendations area's storage contracts: collaborative signals, product vectors, prebuilt graphs.

Every read a request needs is batch-first: `get_many(keys)` answers in key order with None for a
missing key. Implementations translate driver exceptions into `StoreUnavailable`; nothing above a
store sees a pymongo or redis exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from gateway.catalogue import ProductId
from gateway.kernel import VisitorId
from gateway.recommendations.values.signals import HistoryEntry, SignalUpdate
from gateway.recommendations.values.vectors import ProductVector, VectorsVersion


class SignalStore(Protocol):
    """Collaborative signals shared by every gateway instance (Redis in production).

    Lists are bounded sorted sets named by signal keys (`gateway.recommendations.values.signals`); each
    visitor has a short history, most recent first.
    """

    async def record(self, updates: Sequence[SignalUpdate]) -> list[bool]:
        """Apply each update atomically and at most once per `event_key`; True if applied now."""
        ...

    async def histories(self, visitor_ids: Sequence[VisitorId]) -> list[tuple[HistoryEntry, ...]]:
        """Each visitor's history, most recent first (empty if none). One round trip."""
        ...

    async def lookup(self, keys: Sequence[str], k: int | Sequence[int]) -> list[list[tuple[ProductId, float]]]:
        """The top `k` (product, score) of each list, best first (ties: larger id first). One round trip.

        `k` is one limit for every key or one limit per key (same order as `keys`).
        """
        ...

    async def clicks(self) -> dict[str, int]:
        """Clicks attributed to each strategy (Product Clicked carrying a recommendation id)."""
        ...

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        """Remove this visitor's traces (aggregate counts stay)."""
        ...


class VectorStore(Protocol):
    """Product embeddings (MongoDB: `product_vectors`, float32 as compact BSON binary).

    Writes do not announce themselves: `python -m gateway index` puts and removes vectors,
    publishes the graph, then `commit`s once, so every instance reloads once per run, never
    per batch, and never finds a revision whose graph is not published yet.
    """

    async def hashes(self, model: str) -> dict[ProductId, str]:
        """The content hash of every product embedded with `model`."""
        ...

    async def put(self, vectors: Sequence[ProductVector]) -> None:
        """Insert or replace (seen by instances after the next `commit`)."""
        ...

    async def remove(self, ids: Sequence[ProductId]) -> None: ...

    async def load(self, model: str) -> tuple[list[ProductId], npt.NDArray[np.float32]]:
        """Every vector of `model`: ids and a matrix with one row per id (ordered by id)."""
        ...

    async def commit(self, model: str, digest: str, rows: int) -> int:
        """Announce the vectors as they are now (their digest and count); returns the new revision."""
        ...

    async def version(self, model: str) -> VectorsVersion:
        """The last commit of `model`: a cheap check for 'is there something new to load'."""
        ...


class GraphStore(Protocol):
    """Prebuilt vector index graphs, published by `python -m gateway index` for instances to load.

    One graph per model, keyed by the digest of the vectors it indexes (`gateway.recommendations.vectors.graph`),
    so a graph built from other vectors is never used. Files, not bytes: a graph is ~0.9 GB
    at 1M products. MongoDB: GridFS bucket `vector_graphs`.
    """

    async def publish(self, model: str, digest: str, path: Path) -> None:
        """Store the file at `path` as `model`'s graph for `digest`, then drop its older graphs.

        Readers never see a half-written graph: it becomes visible once complete.
        """
        ...

    async def fetch(self, model: str, digest: str, path: Path) -> bool:
        """Write `model`'s graph for `digest` to `path`; False when there is none (or it vanished)."""
        ...

    async def digest(self, model: str) -> str | None:
        """The digest of `model`'s newest published graph, None when there is none."""
        ...
