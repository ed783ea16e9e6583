"""Product embeddings in process."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from gateway.catalogue import ProductId
from gateway.recommendations.values.vectors import ProductVector


class MemoryVectorStore:
    def __init__(self) -> None:
        self._vectors: dict[ProductId, ProductVector] = {}
        self._revision = 0

    async def hashes(self, model: str) -> dict[ProductId, str]:
        return {pid: v.content_hash for pid, v in self._vectors.items() if v.model == model}

    async def put(self, vectors: Sequence[ProductVector]) -> None:
        for v in vectors:
            self._vectors[v.product_id] = ProductVector(
                v.product_id, v.model, v.content_hash, np.array(v.vector, dtype=np.float32)
            )
        self._revision += 1

    async def remove(self, ids: Sequence[ProductId]) -> None:
        for pid in ids:
            self._vectors.pop(pid, None)
        self._revision += 1

    async def load(self, model: str) -> tuple[list[ProductId], npt.NDArray[np.float32]]:
        mine = sorted((v for v in self._vectors.values() if v.model == model), key=lambda v: v.product_id)
        if not mine:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [v.product_id for v in mine], np.stack([v.vector for v in mine]).astype(np.float32)

    async def revision(self, model: str) -> int:
        return self._revision
