"""Product embeddings in MongoDB: `product_vectors`, one document per product.

`{_id: product id, model, hash, vec: BinData subtype 9 (float32 vector)}`: 4 bytes per
dimension plus 2, a quarter of a BSON double array. Kept beside `products` rather than inside
them because a catalogue import replaces product documents; the content hash decides what is
re-embedded. `meta` holds, per model, what the last `index` run committed (revision, digest,
rows), so instances notice new vectors cheaply and once per run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from bson import CodecOptions
from bson.binary import Binary, BinaryVectorDtype
from bson.raw_bson import RawBSONDocument
from pymongo import ReplaceOne, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from gateway.catalogue import ProductId
from gateway.platform.mongo import Document, translated
from gateway.recommendations.values.vectors import ProductVector, VectorsVersion

STORE = "MongoDB vectors"
LOAD_BATCH = 1000  # documents per network batch
HEADER = 2  # dtype byte and padding byte before the little-endian float32 values


def vector_out(vector: npt.NDArray[np.float32]) -> Binary:
    return Binary.from_vector(np.ascontiguousarray(vector, dtype=np.float32), BinaryVectorDtype.FLOAT32)


def vector_in(raw: bytes) -> npt.NDArray[np.float32]:
    return np.frombuffer(bytes(raw)[HEADER:], dtype="<f4").astype(np.float32)


def _decoded(docs: list[RawBSONDocument]) -> tuple[list[ProductId], npt.NDArray[np.float32]]:
    if not docs:
        return [], np.zeros((0, 0), dtype=np.float32)
    ids = [ProductId(d["_id"]) for d in docs]
    first = vector_in(docs[0]["vec"])
    matrix = np.empty((len(docs), first.shape[0]), dtype=np.float32)
    for row, d in enumerate(docs):
        matrix[row] = np.frombuffer(bytes(d["vec"])[HEADER:], dtype="<f4")
    return ids, matrix


class MongoVectorStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._vectors = db.product_vectors
        self._raw = db.product_vectors.with_options(codec_options=CodecOptions(document_class=RawBSONDocument))
        self._meta = db.meta

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

    async def remove(self, ids: Sequence[ProductId]) -> None:
        if not ids:
            return
        async with translated(STORE, "remove"):
            await self._vectors.delete_many({"_id": {"$in": list(ids)}})

    async def load(self, model: str) -> tuple[list[ProductId], npt.NDArray[np.float32]]:
        # Raw documents on the event loop, decoded in a worker thread: a 20k-product load would
        # otherwise hold the loop for a few hundred milliseconds.
        async with translated(STORE, "load"):
            cursor = self._raw.find({"model": model}, {"vec": 1}).sort("_id", 1).batch_size(LOAD_BATCH)
            docs = [d async for d in cursor]
        return await asyncio.to_thread(_decoded, docs)

    async def commit(self, model: str, digest: str, rows: int) -> int:
        async with translated(STORE, "commit"):
            meta = await self._meta.find_one_and_update(
                {"_id": f"vectors:{model}"},
                {"$inc": {"revision": 1}, "$set": {"digest": digest, "rows": rows}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        assert meta is not None  # upserted
        return int(meta["revision"])

    async def version(self, model: str) -> VectorsVersion:
        async with translated(STORE, "version"):
            meta = await self._meta.find_one({"_id": f"vectors:{model}"})
        if meta is None:
            return VectorsVersion(0)
        return VectorsVersion(int(meta["revision"]), str(meta.get("digest", "")), int(meta.get("rows", 0)))
