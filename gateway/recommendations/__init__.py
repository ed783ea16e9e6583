"""Recommendations: collaborative signals, product embeddings and their index, ranking with
reasons, fallbacks, and the offline evaluation.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

# Offline tools (the `index` and `eval recs` commands).
from gateway.recommendations.evaluation.runner import as_text, evaluate
from gateway.recommendations.list_cache import ListCache
from gateway.recommendations.service import MAX_FIRST, RecommendationService, RecRequest, SimilarItems
from gateway.recommendations.signal_recorder import SignalRecorder
from gateway.recommendations.stores import RecommendationStores, open_stores
from gateway.recommendations.stores.memory_vectors import MemoryVectorStore
from gateway.recommendations.stores.protocol import VectorStore
from gateway.recommendations.values import recommendations
from gateway.recommendations.values.ranking import Rules
from gateway.recommendations.values.recommendations import (
    PRODUCT_STRATEGIES,
    Fallback,
    FallbackStep,
    Reason,
    RecommendationList,
    Recommended,
    Signal,
    Strategy,
)
from gateway.recommendations.values.vectors import ProductVector
from gateway.recommendations.vectors.embedder import Embedder, SentenceTransformerEmbedder
from gateway.recommendations.vectors.evaluation import item_vectors
from gateway.recommendations.vectors.graph import publish_vectors
from gateway.recommendations.vectors.indexer import index_catalogue
from gateway.recommendations.vectors.service import DEFAULT_MODEL, VectorService

__all__ = [
    "DEFAULT_MODEL",
    "MAX_FIRST",
    "PRODUCT_STRATEGIES",
    "Embedder",
    "Fallback",
    "FallbackStep",
    "ListCache",
    "MemoryVectorStore",
    "ProductVector",
    "Reason",
    "RecRequest",
    "RecommendationList",
    "RecommendationService",
    "RecommendationStores",
    "Recommended",
    "Rules",
    "SentenceTransformerEmbedder",
    "Signal",
    "SignalRecorder",
    "SimilarItems",
    "Strategy",
    "VectorService",
    "VectorStore",
    "as_text",
    "evaluate",
    "index_catalogue",
    "item_vectors",
    "open_stores",
    "publish_vectors",
    "recommendations",
]
