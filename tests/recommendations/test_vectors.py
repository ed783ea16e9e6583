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

from gateway.catalogue.values import ProductId, Translation
from gateway.recommendations.values.vectors import ProductVector
from gateway.recommendations.vectors.graph import (
    PublishReport,
    graph_digest,
    open_graph,
    publish_vectors,
    write_graph,
)
from gateway.recommendations.vectors.index import ExactIndex, HnswIndex, build_index, recall_at
from gateway.recommendations.vectors.indexer import index_catalogue
from gateway.recommendations.vectors.service import StaticVectors, VectorService
from gateway.wiring import Stores
from tests.support.factories import BRANDS, CATEGORIES, product


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


async def commit(stores: Stores, model: str) -> None:
    """What `python -m gateway index` does after embedding (exact scan: no graph)."""
    vectors, graphs = stores.recommendations.vectors, stores.recommendations.graphs
    await publish_vectors(vectors, graphs, model, exact_max=20_000, threads=1)


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
    first = await index_catalogue(stores.catalog, stores.recommendations.vectors, embedder, batch_size=2)
    assert (first.embedded, first.unchanged) == (5, 0)
    again = await index_catalogue(stores.catalog, stores.recommendations.vectors, embedder)
    assert (again.embedded, again.unchanged) == (0, 5)
    changed = replace(products[2], translations={"en": Translation("Trail runner 3", "Now waterproof.", "tr-3")})
    restocked = replace(products[3], stock=0)  # not text: not re-embedded
    await stores.catalog.upsert([changed, restocked], BRANDS, CATEGORIES)
    embedder.seen.clear()
    third = await index_catalogue(stores.catalog, stores.recommendations.vectors, embedder)
    assert (third.embedded, third.unchanged) == (1, 4)
    assert embedder.seen == ["Trail runner 3 · Nordvik · Running. Now waterproof."]

    service = VectorService(stores.recommendations.vectors, model=embedder.name)
    assert await service.refresh() is False  # nothing committed yet: instances load nothing
    await commit(stores, embedder.name)
    assert await service.refresh() is True and service.size == 5
    assert await service.refresh() is False  # nothing changed: no rebuild
    near = service.similar(ProductId("p-00001"), 3)
    assert len(near) == 3 and ProductId("p-00001") not in [p for p, _ in near]


async def test_refresh_swaps_the_index_while_old_one_keeps_answering(stores: Stores) -> None:
    await stores.catalog.upsert([product(n) for n in range(1, 4)], BRANDS, CATEGORIES)
    embedder = HashEmbedder()
    await index_catalogue(stores.catalog, stores.recommendations.vectors, embedder)
    await commit(stores, embedder.name)
    service = VectorService(stores.recommendations.vectors, model=embedder.name)
    await service.refresh()
    before = service.similar(ProductId("p-00001"), 5)
    await stores.catalog.upsert([product(4)], BRANDS, CATEGORIES)
    await index_catalogue(stores.catalog, stores.recommendations.vectors, embedder)
    assert await service.refresh() is False  # embedded, not committed: the index run is not over
    await commit(stores, embedder.name)
    assert service.similar(ProductId("p-00001"), 5) == before  # until the refresh swaps
    assert await service.refresh() is True
    assert ProductId("p-00004") in [p for p, _ in service.similar(ProductId("p-00001"), 5)]


def test_real_embedder_loads_offline_and_bf16_matches_fp32() -> None:
    from gateway.recommendations.vectors.embedder import BF16_TOLERANCE, SentenceTransformerEmbedder, bf16_supported

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
    env["VITRINE_RECS_EXACT_MAX"] = "2"  # 3 products: instances would use HNSW, so `index` publishes the graph

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "gateway", *args]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)

    try:
        assert run("catalog", "import", str(path)).returncode == 0
        first = run("index")
        assert first.returncode == 0, first.stderr
        assert "3 products: 3 embedded, 0 unchanged" in first.stderr
        assert "HNSW graph of 3 products published" in first.stderr, first.stderr
        assert "vectors committed: running instances load them once" in first.stderr
        second = run("index")
        assert "3 products: 0 embedded, 3 unchanged" in second.stderr, second.stderr
        assert "HNSW graph of 3 products already published" in second.stderr, second.stderr
        assert "vectors unchanged since the last commit" in second.stderr  # no reload anywhere
    finally:
        path.unlink(missing_ok=True)
    with MongoClient(mongodb_url) as client:
        doc = client[f"idx_{unique}"].product_vectors.find_one({"_id": "p-00001"})
        assert doc is not None and doc["model"] == "all-MiniLM-L6-v2"
        assert doc["vec"].subtype == 9 and len(doc["vec"]) == 2 + 4 * 384  # float32 BSON vector
        graphs = list(client[f"idx_{unique}"]["vector_graphs.files"].find())
        assert [g["metadata"]["model"] for g in graphs] == ["all-MiniLM-L6-v2"]
        meta = client[f"idx_{unique}"].meta.find_one({"_id": "vectors:all-MiniLM-L6-v2"})
        assert meta is not None and meta["revision"] == 1 and meta["rows"] == 3  # one revision for two runs


def test_published_graph_file_maps_back_to_the_same_answers(tmp_path: Path) -> None:
    vectors = clustered(1500)
    ids = [ProductId(f"p-{n:05d}") for n in range(1500)]
    built = HnswIndex(vectors)
    write_graph(tmp_path / "graph", ids, built)
    read_ids, mapped = open_graph(tmp_path / "graph")
    (tmp_path / "graph").unlink()  # the map keeps the data: instances delete the file at once
    assert read_ids == ids and len(mapped) == 1500
    for row in (0, 700, 1499):
        assert mapped.search(vectors[row], 10) == built.search(vectors[row], 10)
    assert np.allclose(mapped.vectors([3, 4]), vectors[[3, 4]], atol=1e-3)  # float16 inside
    (tmp_path / "junk").write_bytes(b"not a graph" * 100)
    with pytest.raises(ValueError):
        open_graph(tmp_path / "junk")


MODEL = "graph-test-model"


async def publish(stores: Stores) -> PublishReport:
    return await publish_vectors(
        stores.recommendations.vectors, stores.recommendations.graphs, MODEL, exact_max=100, threads=1
    )


async def put_vectors(stores: Stores, vectors: np.ndarray) -> list[ProductId]:
    ids = [ProductId(f"p-{n:05d}") for n in range(len(vectors))]
    await stores.recommendations.vectors.put(
        [ProductVector(pid, MODEL, f"h{n}", row) for n, (pid, row) in enumerate(zip(ids, vectors, strict=True))]
    )
    return ids


class BuildSpy:
    """Counts index builds in VectorService (the expensive step a published graph replaces)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import gateway.recommendations.vectors.service as service_module

        self.calls = 0
        real = service_module.build_index

        def counted(vectors: np.ndarray, **kwargs: int) -> object:
            self.calls += 1
            return real(vectors, **kwargs)

        monkeypatch.setattr(service_module, "build_index", counted)


def exact_neighbours(vectors: np.ndarray, ids: list[ProductId], row: int, k: int) -> list[ProductId]:
    return [ids[r] for r, _ in ExactIndex(vectors).search(vectors[row], k + 1) if r != row][:k]


async def test_instance_loads_the_published_graph_instead_of_building(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    vectors = clustered(300)
    ids = await put_vectors(stores, vectors)
    report = await publish(stores)
    assert report.graph and report.built and report.committed and report.rows == 300
    again = await publish(stores)
    assert again.graph and not again.built and again.digest == report.digest  # unchanged: no rebuild
    assert not again.committed and (await stores.recommendations.vectors.version(MODEL)).revision == 1

    spy = BuildSpy(monkeypatch)
    loads: list[str] = []
    real_load = stores.recommendations.vectors.load

    async def counted_load(model: str) -> tuple[list[ProductId], np.ndarray]:
        loads.append(model)
        return await real_load(model)

    monkeypatch.setattr(stores.recommendations.vectors, "load", counted_load)
    service = VectorService(
        stores.recommendations.vectors,
        model=MODEL,
        exact_max=100,
        graphs=stores.recommendations.graphs,
        graph_wait_seconds=600,
    )
    assert await service.refresh() is True
    assert spy.calls == 0 and (service.index_kind, service.index_source) == ("hnsw", "published")
    assert loads == []  # the vectors come in the published file: none are read from the store
    for row in (0, 123, 299):  # a small catalogue: HNSW finds the exact neighbours
        assert [p for p, _ in service.similar(ids[row], 10)] == exact_neighbours(vectors, ids, row, 10)


async def test_a_graph_of_other_vectors_is_never_loaded(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = clustered(300)
    ids = await put_vectors(stores, vectors)
    await publish(stores)
    now = [0.0]
    spy = BuildSpy(monkeypatch)
    service = VectorService(
        stores.recommendations.vectors,
        model=MODEL,
        exact_max=100,
        graphs=stores.recommendations.graphs,
        graph_wait_seconds=60,
        clock=lambda: now[0],
    )
    assert await service.refresh() is True and service.index_source == "published"

    changed = vectors.copy()
    changed[5] = vectors[200]  # p-00005 now sits where p-00200 is
    await stores.recommendations.vectors.put([ProductVector(ids[5], MODEL, "h5b", changed[5])])
    # Committed without a graph (an index run that failed to publish one): the published graph is
    # of the old vectors, so keep serving the old index while waiting for a new one.
    await stores.recommendations.vectors.commit(MODEL, graph_digest(ids, changed), 300)
    assert await service.refresh() is False and spy.calls == 0
    assert ids[200] not in [p for p, _ in service.similar(ids[5], 3)]
    now[0] = 61.0  # nobody published within the wait: build here
    assert await service.refresh() is True
    assert spy.calls == 1 and service.index_source == "built"
    assert [p for p, _ in service.similar(ids[5], 10)] == exact_neighbours(changed, ids, 5, 10)
    assert ids[200] in [p for p, _ in service.similar(ids[5], 3)]


async def test_a_graph_published_while_waiting_is_picked_up(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = clustered(300)
    ids = await put_vectors(stores, vectors)
    spy = BuildSpy(monkeypatch)
    service = VectorService(
        stores.recommendations.vectors,
        model=MODEL,
        exact_max=100,
        graphs=stores.recommendations.graphs,
        graph_wait_seconds=600,
    )
    await stores.recommendations.vectors.commit(MODEL, graph_digest(ids, vectors), 300)  # the graph comes later
    assert await service.refresh() is False and service.index_kind is None  # first start, nothing published yet
    assert service.similar(ids[0], 5) == []  # SIMILAR falls back meanwhile
    report = await publish(stores)
    assert report.built and not report.committed  # the same vectors were committed already
    assert await service.refresh() is True
    assert spy.calls == 0 and service.index_source == "published"
    assert [p for p, _ in service.similar(ids[42], 10)] == exact_neighbours(vectors, ids, 42, 10)


def test_graph_digest_changes_with_any_vector_or_id_order() -> None:
    vectors = clustered(50)
    ids = [ProductId(f"p-{n}") for n in range(50)]
    base = graph_digest(ids, vectors)
    assert graph_digest(list(ids), vectors.copy()) == base
    nudged = vectors.copy()
    nudged[49, 0] += 1e-6
    assert graph_digest(ids, nudged) != base
    assert graph_digest([*ids[1:], ids[0]], vectors) != base


class CountingIndex:
    """Wraps an index and counts the rows it is asked about (the cache's work avoided)."""

    def __init__(self, inner: ExactIndex) -> None:
        self.inner = inner
        self.kind = inner.kind
        self.rows_searched = 0

    def __len__(self) -> int:
        return len(self.inner)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self.search_many(query.reshape(1, -1), k)[0]

    def search_many(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        self.rows_searched += len(queries)
        return self.inner.search_many(queries, k)

    def vectors(self, rows: list[int]) -> np.ndarray:
        return self.inner.vectors(rows)


def test_similar_answers_are_cached_per_index_and_match_a_fresh_search() -> None:
    vectors = clustered(400)
    ids = [ProductId(f"p-{n:05d}") for n in range(400)]
    index = CountingIndex(ExactIndex(vectors))
    static = StaticVectors(ids, vectors, index=index, cache_size=2)
    fresh = StaticVectors(ids, vectors, index=ExactIndex(vectors), cache_size=0)
    first = static.similar_many([ids[1], ids[2]], 50)
    assert index.rows_searched == 2 and first == fresh.similar_many([ids[1], ids[2]], 50)
    assert static.similar_many([ids[2], ids[1]], 50) == first[::-1]  # both from the cache
    assert static.similar(ids[1], 10) == first[0][:10]  # a smaller k is the head of the cached answer
    assert index.rows_searched == 2 and static.cache.hits == 3
    static.similar(ids[3], 60)  # a bigger k is searched and kept; the least recently used (p-2) goes
    assert index.rows_searched == 3
    assert static.similar(ids[2], 50) == first[1] and index.rows_searched == 4
    uncached = StaticVectors(ids, vectors, index=index, cache_size=0)
    uncached.similar(ids[1], 5)
    uncached.similar(ids[1], 5)
    assert index.rows_searched == 6  # size 0: no cache


async def test_a_refresh_starts_a_new_cache(stores: Stores) -> None:
    vectors = clustered(60)
    ids = await put_vectors(stores, vectors)
    await publish(stores)
    service = VectorService(stores.recommendations.vectors, model=MODEL)
    await service.refresh()
    before = service.similar(ids[59], 1)
    assert before != [(ids[1], pytest.approx(1.0, abs=1e-3))] and service.similar(ids[59], 1) == before  # cached
    moved = vectors[59] + 1e-3  # p-00001 moves right next to p-00059
    await stores.recommendations.vectors.put(
        [ProductVector(ids[1], MODEL, "moved", (moved / np.linalg.norm(moved)).astype(np.float32))]
    )
    await publish(stores)
    assert await service.refresh() is True
    assert service.similar(ids[59], 1) == [(ids[1], pytest.approx(1.0, abs=1e-3))]
