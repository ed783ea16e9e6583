"""Vector revisions per `index` run: what makes every instance reload its vectors.

    PYTHONPATH=. python -m bench.vector_revisions 5000

Embeds N demo products in 64-product batches (as `python -m gateway index` does, with a hash
stand-in for the model: only the revisions are counted, on the memory stores), reads the
vectors' revision after every batch, then publishes (`publish_vectors`: the graph above
`VITRINE_RECS_EXACT_MAX`, then the commit). Then a second run over the unchanged catalogue.
Before the commit step every batch bumped the revision, so an instance reloaded once per batch.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
from collections.abc import Sequence

import numpy as np

from bench.catalogue_scale import fill
from gateway.catalogue.stores.memory import MemoryCatalogStore
from gateway.demo.catalog_generator import generate_catalog
from gateway.recommendations.stores.memory_graphs import MemoryGraphStore
from gateway.recommendations.stores.memory_vectors import MemoryVectorStore
from gateway.recommendations.values.vectors import ProductVector
from gateway.recommendations.vectors.graph import publish_vectors
from gateway.recommendations.vectors.indexer import index_catalogue


class HashEmbedder:
    """A vector from the text's hash: no model needed to count revisions."""

    name = "hash-embedder"
    dim = 8

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], dtype=np.uint8) for t in texts]
        matrix = np.array(rows, dtype=np.float32) + 1
        normed: np.ndarray = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        return normed


class CountingVectorStore(MemoryVectorStore):
    """Records the model's revision after every batch the indexer writes."""

    def __init__(self, model: str) -> None:
        super().__init__()
        self.model = model
        self.after_batches: list[int] = []

    async def put(self, vectors: Sequence[ProductVector]) -> None:
        await super().put(vectors)
        self.after_batches.append((await self.version(self.model)).revision)


async def run(count: int, exact_max: int) -> None:
    catalog_data = generate_catalog(count=count, seed=20261122)
    catalog = MemoryCatalogStore()
    await fill(catalog, list(catalog_data.products), list(catalog_data.brands), list(catalog_data.categories))
    embedder = HashEmbedder()
    vectors, graphs = CountingVectorStore(embedder.name), MemoryGraphStore()
    for run_number in (1, 2):
        vectors.after_batches.clear()
        start = (await vectors.version(embedder.name)).revision
        report = await index_catalogue(catalog, vectors, embedder, batch_size=64)
        embedded = (await vectors.version(embedder.name)).revision
        published = await publish_vectors(vectors, graphs, embedder.name, exact_max=exact_max, threads=2)
        end = (await vectors.version(embedder.name)).revision
        moved = sorted(set(vectors.after_batches))
        print(
            f"run {run_number}: {report.embedded} embedded, {report.unchanged} unchanged, "
            f"{len(vectors.after_batches)} batches; revision {start} before, {moved or '-'} after the "
            f"batches, {embedded} after embedding, {end} after publishing: {end - start} revision(s) "
            f"(graph={published.graph}, committed={published.committed})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, nargs="?", default=5000)
    parser.add_argument("--exact-max", type=int, default=20_000, help="above this many rows a graph is published")
    args = parser.parse_args()
    asyncio.run(run(args.count, args.exact_max))


if __name__ == "__main__":
    main()
