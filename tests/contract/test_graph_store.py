"""GraphStore contract, run against the memory store and MongoDB GridFS (a real server over TCP)."""

from __future__ import annotations

import os
from pathlib import Path

from gateway.wiring import Stores


async def test_publish_then_fetch_by_model_and_digest(stores: Stores, tmp_path: Path) -> None:
    g = stores.recommendations.graphs
    graph = os.urandom(600_000)  # more than two GridFS chunks
    (tmp_path / "graph").write_bytes(graph)
    assert await g.digest("m1") is None
    assert await g.fetch("m1", "d1", tmp_path / "nothing") is False
    assert not (tmp_path / "nothing").exists()
    await g.publish("m1", "d1", tmp_path / "graph")
    assert await g.digest("m1") == "d1"
    assert await g.fetch("m1", "d1", tmp_path / "out") is True
    assert (tmp_path / "out").read_bytes() == graph
    assert await g.fetch("m1", "d-other", tmp_path / "other") is False  # a graph of other vectors: never
    assert await g.fetch("m2", "d1", tmp_path / "other") is False


async def test_a_new_graph_replaces_the_models_older_one_only(stores: Stores, tmp_path: Path) -> None:
    g = stores.recommendations.graphs
    for name, data in (("a", b"graph a"), ("b", b"graph b"), ("c", b"graph c")):
        (tmp_path / name).write_bytes(data)
    await g.publish("m1", "d1", tmp_path / "a")
    await g.publish("m2", "d9", tmp_path / "c")
    await g.publish("m1", "d2", tmp_path / "b")
    assert await g.digest("m1") == "d2"
    assert await g.fetch("m1", "d1", tmp_path / "old") is False
    assert await g.fetch("m1", "d2", tmp_path / "new") is True and (tmp_path / "new").read_bytes() == b"graph b"
    assert await g.fetch("m2", "d9", tmp_path / "m2") is True and (tmp_path / "m2").read_bytes() == b"graph c"
