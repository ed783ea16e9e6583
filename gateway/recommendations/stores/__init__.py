"""The recommendations area's stores: collaborative signals (Redis), product vectors and prebuilt
HNSW graphs (MongoDB, graphs in GridFS)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.platform.backends import Backends
from gateway.recommendations.stores.protocol import GraphStore, SignalStore, VectorStore


@dataclass(frozen=True, slots=True)
class RecommendationStores:
    signals: SignalStore
    vectors: VectorStore
    graphs: GraphStore


def open_stores(backends: Backends) -> RecommendationStores:
    signals: SignalStore
    vectors: VectorStore
    graphs: GraphStore
    if backends.mongo_db is None:
        from gateway.recommendations.stores.memory_graphs import MemoryGraphStore
        from gateway.recommendations.stores.memory_vectors import MemoryVectorStore

        vectors, graphs = MemoryVectorStore(), MemoryGraphStore()
    else:
        from gateway.recommendations.stores.mongo_graphs import MongoGraphStore
        from gateway.recommendations.stores.mongo_vectors import MongoVectorStore

        vectors, graphs = MongoVectorStore(backends.mongo_db), MongoGraphStore(backends.mongo_db)
    if backends.redis is None:
        from gateway.recommendations.stores.memory_signals import MemorySignalStore

        signals = MemorySignalStore()
    else:
        from gateway.recommendations.stores.redis_signals import RedisSignalStore

        signals = RedisSignalStore(backends.redis, backends.redis_prefix)
    return RecommendationStores(signals, vectors, graphs)


__all__ = ["GraphStore", "RecommendationStores", "SignalStore", "VectorStore", "open_stores"]
