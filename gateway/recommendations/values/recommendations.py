"""Recommendation values: strategies, reasons, scored items and the lists a client receives.

Everything here is plain frozen data so resolvers expose it attribute by attribute (and a
compiled query plan can read it without resolver calls).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

from gateway.catalogue import ProductId


class Strategy(Enum):
    FOR_YOU = "FOR_YOU"
    SIMILAR = "SIMILAR"
    ALSO_VIEWED = "ALSO_VIEWED"
    BOUGHT_TOGETHER = "BOUGHT_TOGETHER"
    TRENDING = "TRENDING"
    RECENTLY_VIEWED = "RECENTLY_VIEWED"


# Strategies that need a product to start from.
PRODUCT_STRATEGIES = frozenset({Strategy.SIMILAR, Strategy.ALSO_VIEWED, Strategy.BOUGHT_TOGETHER})


class Signal(Enum):
    """Which signal put an item on a list (the `reason.signal` clients see)."""

    CO_VIEWED = "CO_VIEWED"  # visitors who viewed the source items viewed this next
    BOUGHT_TOGETHER = "BOUGHT_TOGETHER"  # bought (or carted) together with the source items
    SIMILAR = "SIMILAR"  # close in embedding space to the source items
    CATEGORY_INTEREST = "CATEGORY_INTEREST"  # in a category the visitor keeps coming back to
    RECENTLY_VIEWED = "RECENTLY_VIEWED"  # the visitor viewed it
    TRENDING = "TRENDING"  # fast-rising in the last days
    POPULAR = "POPULAR"  # popular over the last weeks


@dataclass(frozen=True, slots=True)
class Reason:
    signal: Signal
    source_ids: tuple[ProductId, ...]  # the products that led here (empty for popularity)


@dataclass(frozen=True, slots=True)
class Recommended:
    product_id: ProductId
    score: float
    reason: Reason


class FallbackStep(Enum):
    """Why a list holds fewer personal items than asked for, step by step."""

    COLLABORATIVE = "COLLABORATIVE"
    TRENDING = "TRENDING"
    SIMILAR = "SIMILAR"  # close in embedding space to the anchor or the visitor's seeds
    CATEGORY = "CATEGORY"  # in the categories of the anchor, the seeds or the visitor's interests
    POPULAR = "POPULAR"
    CATALOGUE = "CATALOGUE"


@dataclass(frozen=True, slots=True)
class Fallback:
    step: FallbackStep
    reason: str  # human-readable: why the previous step was not enough
    added: int  # how many items this step contributed


@dataclass(frozen=True, slots=True)
class RecommendationList:
    recommendation_id: str
    strategy: Strategy
    items: tuple[Recommended, ...]
    fallbacks: tuple[Fallback, ...] = ()
    degraded: tuple[str, ...] = ()  # stores that were down: the list is the fail-open version


RECOMMENDATION_ID_PREFIX = "rec_"


def new_recommendation_id(strategy: Strategy) -> str:
    """`rec_<STRATEGY>_<random>`: a click event carrying it is attributed to the strategy."""
    return f"{RECOMMENDATION_ID_PREFIX}{strategy.value}_{secrets.token_hex(8)}"


def strategy_of(recommendation_id: str) -> Strategy | None:
    """The strategy a recommendation id was issued for, or None if it is not one of ours."""
    if not recommendation_id.startswith(RECOMMENDATION_ID_PREFIX) or len(recommendation_id) > 64:
        return None
    name, _, token = recommendation_id[len(RECOMMENDATION_ID_PREFIX) :].rpartition("_")
    if len(token) != 16 or any(c not in "0123456789abcdef" for c in token):
        return None
    try:
        return Strategy(name)
    except ValueError:
        return None
