"""Prebuilt vector index graphs in MongoDB: GridFS bucket `vector_graphs`.

A published graph file (ids, then the usearch index: ~0.9 GB at 1M products) is stored in
255 KiB chunks (`vector_graphs.chunks`); its `vector_graphs.files` document carries
`metadata: {model, digest}`. GridFS writes the files document after the last chunk, so a
reader never finds a half-uploaded graph. After an upload the model's older graphs are
deleted (older `_id`s only, so of two racing publishers the newer graph survives). A graph
deleted while an instance downloads it reads as "not published": the instance builds or
waits, it never loads a partial file.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from gridfs import AsyncGridFSBucket
from gridfs.errors import CorruptGridFile, NoFile
from pymongo.asynchronous.database import AsyncDatabase

from gateway.platform.mongo import Document, translated

STORE = "MongoDB vector graphs"
BUCKET = "vector_graphs"


class MongoGraphStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)
        self._files = db[f"{BUCKET}.files"]

    async def publish(self, model: str, digest: str, path: Path) -> None:
        async with translated(STORE, "publish"):
            with path.open("rb") as source:
                new_id = await self._bucket.upload_from_stream(
                    f"{model}-{digest[:16]}.hnsw", source, metadata={"model": model, "digest": digest}
                )
            older = self._files.find({"metadata.model": model, "_id": {"$lt": new_id}}, {"_id": 1})
            for old in [d["_id"] async for d in older]:
                with contextlib.suppress(NoFile):  # another publisher removed it first
                    await self._bucket.delete(old)

    async def fetch(self, model: str, digest: str, path: Path) -> bool:
        async with translated(STORE, "fetch"):
            found = await self._files.find_one(
                {"metadata.model": model, "metadata.digest": digest}, {"_id": 1}, sort=[("_id", -1)]
            )
            if found is None:
                return False
            try:
                with path.open("wb") as target:
                    await self._bucket.download_to_stream(found["_id"], target)
            except (NoFile, CorruptGridFile):  # replaced by a newer graph while downloading
                await asyncio.to_thread(path.unlink, missing_ok=True)
                return False
        return True

    async def digest(self, model: str) -> str | None:
        async with translated(STORE, "digest"):
            found = await self._files.find_one({"metadata.model": model}, {"metadata": 1}, sort=[("_id", -1)])
        return str(found["metadata"]["digest"]) if found else None
