"""VectorStore contract, run against the memory store and MongoDB (float32 as BSON binary)."""

from __future__ import annotations

import numpy as np

from gateway.catalogue.values import ProductId
from gateway.recommendations.values.vectors import ProductVector, VectorsVersion
from gateway.wiring import Stores

A, B, C = ProductId("p-00001"), ProductId("p-00002"), ProductId("p-00003")


def vec(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


async def test_put_load_roundtrip_is_exact_and_ordered_by_id(stores: Stores) -> None:
    v = stores.recommendations.vectors
    empty_ids, empty = await v.load("m")
    assert empty_ids == [] and empty.size == 0
    await v.put([ProductVector(B, "m", "hb", vec(0.1, -0.2, 1 / 3)), ProductVector(A, "m", "ha", vec(1, 0, 0))])
    ids, matrix = await v.load("m")
    assert ids == [A, B] and matrix.dtype == np.float32
    assert np.array_equal(matrix, np.stack([vec(1, 0, 0), vec(0.1, -0.2, 1 / 3)]))
    assert await v.hashes("m") == {A: "ha", B: "hb"}


async def test_models_are_separate_and_replace_and_remove_work(stores: Stores) -> None:
    v = stores.recommendations.vectors
    await v.put([ProductVector(A, "m", "h1", vec(1, 0)), ProductVector(C, "other", "h3", vec(0, 1))])
    await v.put([ProductVector(A, "m", "h2", vec(0, 1))])
    assert await v.hashes("m") == {A: "h2"}
    assert await v.hashes("other") == {C: "h3"}
    await v.remove([C])
    assert await v.hashes("other") == {}


async def test_writes_are_announced_once_by_a_commit(stores: Stores) -> None:
    v = stores.recommendations.vectors
    assert await v.version("m") == VectorsVersion(0)
    await v.put([ProductVector(A, "m", "ha", vec(1, 0))])
    await v.put([ProductVector(B, "m", "hb", vec(0, 1))])
    await v.remove([B])
    assert await v.version("m") == VectorsVersion(0)  # no revision per batch: instances reload nothing yet
    assert await v.commit("m", "digest-1", 1) == 1
    assert await v.version("m") == VectorsVersion(1, "digest-1", 1)
    assert await v.commit("m", "digest-2", 2) == 2
    assert await v.version("m") == VectorsVersion(2, "digest-2", 2)
    assert await v.version("other") == VectorsVersion(0)
