"""Recommendations: collaborative signals, product embeddings and their index, ranking with
reasons, fallbacks, and the offline evaluation.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.recommendations.service import MAX_FIRST, RecommendationService, RecRequest
from gateway.recommendations.signal_recorder import SignalRecorder
from gateway.recommendations.stores import RecommendationStores, open_stores
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
from gateway.recommendations.vectors.service import VectorService

__all__ = [
    "MAX_FIRST",
    "PRODUCT_STRATEGIES",
    "Fallback",
    "FallbackStep",
    "Reason",
    "RecRequest",
    "RecommendationList",
    "RecommendationService",
    "RecommendationStores",
    "Recommended",
    "Rules",
    "Signal",
    "SignalRecorder",
    "Strategy",
    "VectorService",
    "open_stores",
    "recommendations",
]
