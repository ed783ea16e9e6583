"""Product embeddings in process."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from gateway.catalogue import ProductId
from gateway.recommendations.values.vectors import ProductVector, VectorsVersion


class MemoryVectorStore:
    def __init__(self) -> None:
        self._vectors: dict[ProductId, ProductVector] = {}
        self._versions: dict[str, VectorsVersion] = {}

    async def hashes(self, model: str) -> dict[ProductId, str]:
        return {pid: v.content_hash for pid, v in self._vectors.items() if v.model == model}

    async def put(self, vectors: Sequence[ProductVector]) -> None:
        for v in vectors:
            self._vectors[v.product_id] = ProductVector(
                v.product_id, v.model, v.content_hash, np.array(v.vector, dtype=np.float32)
            )

    async def remove(self, ids: Sequence[ProductId]) -> None:
        for pid in ids:
            self._vectors.pop(pid, None)

    async def load(self, model: str) -> tuple[list[ProductId], npt.NDArray[np.float32]]:
        mine = sorted((v for v in self._vectors.values() if v.model == model), key=lambda v: v.product_id)
        if not mine:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [v.product_id for v in mine], np.stack([v.vector for v in mine]).astype(np.float32)

    async def commit(self, model: str, digest: str, rows: int) -> int:
        revision = self._versions.get(model, VectorsVersion(0)).revision + 1
        self._versions[model] = VectorsVersion(revision, digest, rows)
        return revision

    async def version(self, model: str) -> VectorsVersion:
        return self._versions.get(model, VectorsVersion(0))
