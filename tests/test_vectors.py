"""Vector indexes, the content-hash indexer, the refreshing service, and the real embedder."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gateway.domain.catalog import ProductId, Translation
from gateway.stores.factory import Stores
from gateway.vectors.index import ExactIndex, HnswIndex, build_index, recall_at
from gateway.vectors.indexer import index_catalogue
from gateway.vectors.service import VectorService
from tests.factories import BRANDS, CATEGORIES, product


def clustered(n: int, dim: int = 32, clusters: int = 40, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    rows = centres[rng.integers(0, clusters, n)] + 0.35 * rng.normal(size=(n, dim))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows.astype(np.float32)


def test_exact_index_returns_the_true_nearest_in_order() -> None:
    vectors = clustered(500)
    index = ExactIndex(vectors)
    found = index.search(vectors[7], 5)
    truth = np.argsort(-(vectors @ vectors[7]))[:5].tolist()
    assert [r for r, _ in found] == truth and found[0] == (7, pytest.approx(1.0, abs=1e-5))


def test_hnsw_recall_at_50_against_exact_and_size_switch() -> None:
    vectors = clustered(4000)
    queries = vectors[:100] + 0.05 * clustered(100, seed=2)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    recall = recall_at(ExactIndex(vectors), HnswIndex(vectors), queries.astype(np.float32), 50)
    assert recall >= 0.95
    assert build_index(vectors, exact_max=4000).kind == "exact"
    assert build_index(vectors, exact_max=3999).kind == "hnsw"


class HashEmbedder:
    """A deterministic stand-in: a vector from the text's hash (unit tests of the indexer only)."""

    name = "hash-embedder"
    dim = 8

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        self.seen.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:32], dtype=np.uint8)[:8] for t in texts]
        matrix = np.array(rows, dtype=np.float32) + 1
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


async def test_indexer_embeds_only_changed_text_and_drops_removed_products(stores: Stores) -> None:
    products = [product(n) for n in range(1, 6)]
    await stores.catalog.upsert(products, BRANDS, CATEGORIES)
    embedder = HashEmbedder()
    first = await index_catalogue(stores.catalog, stores.vectors, embedder, batch_size=2)
    assert (first.embedded, first.unchanged) == (5, 0)
    again = await index_catalogue(stores.catalog, stores.vectors, embedder)
    assert (again.embedded, again.unchanged) == (0, 5)
    changed = replace(products[2], translations={"en": Translation("Trail runner 3", "Now waterproof.", "tr-3")})
    restocked = replace(products[3], stock=0)  # not text: not re-embedded
    await stores.catalog.upsert([changed, restocked], BRANDS, CATEGORIES)
    embedder.seen.clear()
    third = await index_catalogue(stores.catalog, stores.vectors, embedder)
    assert (third.embedded, third.unchanged) == (1, 4)
    assert embedder.seen == ["Trail runner 3 · Nordvik · Running. Now waterproof."]

    service = VectorService(stores.vectors, model=embedder.name)
    assert await service.refresh() is True and service.size == 5
    assert await service.refresh() is False  # nothing changed: no rebuild
    near = service.similar(ProductId("p-00001"), 3)
    assert len(near) == 3 and ProductId("p-00001") not in [p for p, _ in near]


async def test_refresh_swaps_the_index_while_old_one_keeps_answering(stores: Stores) -> None:
    await stores.catalog.upsert([product(n) for n in range(1, 4)], BRANDS, CATEGORIES)
    embedder = HashEmbedder()
    await index_catalogue(stores.catalog, stores.vectors, embedder)
    service = VectorService(stores.vectors, model=embedder.name)
    await service.refresh()
    before = service.similar(ProductId("p-00001"), 5)
    await stores.catalog.upsert([product(4)], BRANDS, CATEGORIES)
    await index_catalogue(stores.catalog, stores.vectors, embedder)
    assert service.similar(ProductId("p-00001"), 5) == before  # until the refresh swaps
    assert await service.refresh() is True
    assert ProductId("p-00004") in [p for p, _ in service.similar(ProductId("p-00001"), 5)]


def test_real_embedder_loads_offline_and_bf16_matches_fp32() -> None:
    from gateway.vectors.embedder import BF16_TOLERANCE, SentenceTransformerEmbedder, bf16_supported

    embedder = SentenceTransformerEmbedder(device="cpu", precision="fp32")
    vectors = embedder.encode(["Trail running shoe", "But do biegania w terenie", "Cast iron pan"])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[2]) < float(vectors[0] @ vectors[0])
    if not bf16_supported():
        pytest.skip("this CPU has no native bf16: the gateway embeds in fp32")
    assert embedder.bf16_agrees()
    embedder.bf16 = True
    fast = embedder.encode(["Trail running shoe", "But do biegania w terenie", "Cast iron pan"])
    assert np.all(1.0 - np.sum(vectors * fast, axis=1) <= BF16_TOLERANCE)


@pytest.mark.real
def test_index_command_skips_unchanged_products_on_the_second_run(mongodb_url: str, unique: str) -> None:
    from pymongo import MongoClient

    records = [
        {"kind": "category", "id": "c-shoes", "parent": None, "names": {"en": "Shoes"}, "slug": "shoes"},
        {"kind": "brand", "id": "b-nordvik", "name": "Nordvik", "slug": "nordvik"},
    ] + [
        {
            "kind": "product",
            "id": f"p-{n:05d}",
            "sku": f"NOR-{n}",
            "brand": "b-nordvik",
            "categories": ["c-shoes"],
            "price": {"amount": "349.00", "currency": "PLN"},
            "compareAtPrice": None,
            "stock": 3,
            "images": [],
            "attributes": {},
            "translations": {"en": {"name": f"Trail Runner {n}", "description": "Light.", "slug": f"tr-{n}"}},
            "tags": [],
        }
        for n in range(1, 4)
    ]
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"cat_{unique}.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    env = {**os.environ, "VITRINE_MONGODB_URL": mongodb_url, "VITRINE_MONGODB_DATABASE": f"idx_{unique}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "gateway", *args]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)

    try:
        assert run("catalog", "import", str(path)).returncode == 0
        first = run("index")
        assert first.returncode == 0, first.stderr
        assert "3 products: 3 embedded, 0 unchanged" in first.stderr
        second = run("index")
        assert "3 products: 0 embedded, 3 unchanged" in second.stderr, second.stderr
    finally:
        path.unlink(missing_ok=True)
    with MongoClient(mongodb_url) as client:
        doc = client[f"idx_{unique}"].product_vectors.find_one({"_id": "p-00001"})
        assert doc is not None and doc["model"] == "all-MiniLM-L6-v2"
        assert doc["vec"].subtype == 9 and len(doc["vec"]) == 2 + 4 * 384  # float32 BSON vector


def test_hnsw_graph_saved_and_loaded_answers_the_same(tmp_path: Path) -> None:
    vectors = clustered(1500)
    built = HnswIndex(vectors)
    built.save(str(tmp_path / "graph.bin"))
    loaded = HnswIndex.load(str(tmp_path / "graph.bin"), vectors)
    assert len(loaded) == 1500
    for row in (0, 700, 1499):
        assert loaded.search(vectors[row], 10) == built.search(vectors[row], 10)
