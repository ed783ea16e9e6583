"""Product embeddings in MongoDB: `product_vectors`, one document per product.

`{_id: product id, model, hash, vec: BinData subtype 9 (float32 vector)}`: 4 bytes per
dimension plus 2, a quarter of a BSON double array. Kept beside `products` rather than inside
them because a catalogue import replaces product documents; the content hash decides what is
re-embedded. `meta` holds a revision per model so instances notice new vectors cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from bson.binary import Binary, BinaryVectorDtype
from pymongo import ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase

from gateway.catalogue import ProductId
from gateway.platform.mongo import Document, translated
from gateway.recommendations.values.vectors import ProductVector

STORE = "MongoDB vectors"
HEADER = 2  # dtype byte and padding byte before the little-endian float32 values


def vector_out(vector: npt.NDArray[np.float32]) -> Binary:
    return Binary.from_vector(np.ascontiguousarray(vector, dtype=np.float32), BinaryVectorDtype.FLOAT32)


def vector_in(raw: bytes) -> npt.NDArray[np.float32]:
    return np.frombuffer(bytes(raw)[HEADER:], dtype="<f4").astype(np.float32)


class MongoVectorStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._vectors = db.product_vectors
        self._meta = db.meta

    async def _bump(self, model: str) -> None:
        await self._meta.update_one({"_id": f"vectors:{model}"}, {"$inc": {"revision": 1}}, upsert=True)

    async def hashes(self, model: str) -> dict[ProductId, str]:
        async with translated(STORE, "hashes"):
            return {ProductId(d["_id"]): d["hash"] async for d in self._vectors.find({"model": model}, {"hash": 1})}

    async def put(self, vectors: Sequence[ProductVector]) -> None:
        if not vectors:
            return
        ops = [
            ReplaceOne(
                {"_id": v.product_id},
                {"model": v.model, "hash": v.content_hash, "vec": vector_out(v.vector)},
                upsert=True,
            )
            for v in vectors
        ]
        async with translated(STORE, "put"):
            await self._vectors.bulk_write(ops, ordered=False)
            for model in sorted({v.model for v in vectors}):
                await self._bump(model)

    async def remove(self, ids: Sequence[ProductId]) -> None:
        if not ids:
            return
        async with translated(STORE, "remove"):
            models = await self._vectors.distinct("model", {"_id": {"$in": list(ids)}})
            await self._vectors.delete_many({"_id": {"$in": list(ids)}})
            for model in models:
                await self._bump(str(model))

    async def load(self, model: str) -> tuple[list[ProductId], npt.NDArray[np.float32]]:
        ids: list[ProductId] = []
        rows: list[npt.NDArray[np.float32]] = []
        async with translated(STORE, "load"):
            async for d in self._vectors.find({"model": model}, {"vec": 1}).sort("_id", 1):
                ids.append(ProductId(d["_id"]))
                rows.append(vector_in(d["vec"]))
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, np.stack(rows)

    async def revision(self, model: str) -> int:
        async with translated(STORE, "revision"):
            meta = await self._meta.find_one({"_id": f"vectors:{model}"})
        return int(meta["revision"]) if meta else 0
