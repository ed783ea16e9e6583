"""Scoring candidates from signals, then business rules and diversity (pure).

`blend` turns seeds (what the visitor did, most recent first) and the signal lists of those
seeds into scored candidates, each with the signal and source items that contributed most.
`rerank` applies exclusions, the storefront filter, stock, boosts/buries and a per-category
cap, and breaks ties with a seeded hash so equal scores never depend on dict order.
The same functions serve the gateway and `python -m gateway eval recs`.
"""

from __future__ import annotations

import heapq
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from gateway.catalogue import Product, ProductFilter, ProductId, matches
from gateway.recommendations.values.recommendations import Reason, Recommended, Signal


@dataclass(frozen=True, slots=True)
class BlendWeights:
    """How signals mix in FOR_YOU. Defaults are what the gateway serves (see docs)."""

    co_viewed: float = 1.0
    bought_together: float = 1.0
    similar: float = 0.15
    popular: float = 0.05
    interest: float = 0.1  # popular items of the visitor's long-term interest categories
    seed_decay: float = 0.75  # weight of the i-th most recent seed: seed_decay ** i
    seed_limit: int = 10
    cart_boost: float = 1.5  # a carted or bought seed counts this much more than a view
    neighbours_per_seed: int = 50  # co-viewed / bought-together neighbours read for the newest seed
    neighbours_min: int = 20  # ... and at least this many for every older seed (see neighbour_limits)


@dataclass(frozen=True, slots=True)
class Seed:
    product_id: ProductId
    weight: float


def seeds_from(recent: Iterable[tuple[ProductId, str]], weights: BlendWeights) -> list[Seed]:
    """Seeds from (product, kind) pairs, most recent first; duplicates keep their first place."""
    out: list[Seed] = []
    seen: set[ProductId] = set()
    for pid, kind in recent:
        if pid in seen:
            continue
        seen.add(pid)
        w = weights.seed_decay ** len(out) * (weights.cart_boost if kind in {"cart", "buy"} else 1.0)
        out.append(Seed(pid, w))
        if len(out) >= weights.seed_limit:
            break
    return out


def neighbour_limits(count: int, weights: BlendWeights) -> list[int]:
    """How many neighbours to read for each of `count` seeds, newest first.

    An older seed's weight decays by `seed_decay` per step, and so does its list: its tail
    entries could only add a small fraction of a newer seed's best score. Fewer entries read
    means less to fetch and parse per FOR_YOU (it matters with ~20 lists per request).
    """
    per, low = weights.neighbours_per_seed, min(weights.neighbours_min, weights.neighbours_per_seed)
    return [max(low, math.ceil(per * weights.seed_decay**i)) for i in range(count)]


Part = tuple[Signal, ProductId | None, float]  # (signal, source item, contribution)


def _reason(parts: Sequence[Part]) -> Reason:
    """The signal that contributed most, with its top three source items."""
    by_signal: dict[Signal, dict[ProductId, float]] = {}
    for signal, source, amount in parts:
        by_source = by_signal.setdefault(signal, {})
        key = source if source is not None else ProductId("")
        by_source[key] = by_source.get(key, 0.0) + amount
    signal, by_source = max(by_signal.items(), key=lambda kv: (sum(kv[1].values()), kv[0].value))
    sources = sorted((s for s in by_source if s), key=lambda s: (-by_source[s], s))[:3]
    return Reason(signal, tuple(sources))


def blend(
    seeds: Sequence[Seed],
    co_viewed: Mapping[ProductId, Sequence[tuple[ProductId, float]]],
    bought: Mapping[ProductId, Sequence[tuple[ProductId, float]]],
    similar: Mapping[ProductId, Sequence[tuple[ProductId, float]]],
    popularity: Mapping[ProductId, float],
    weights: BlendWeights,
    interests: Sequence[tuple[float, Sequence[tuple[ProductId, float]]]] = (),
    *,
    exclude: frozenset[ProductId] | set[ProductId] = frozenset(),
    limit: int | None = None,
) -> list[Recommended]:
    """Score every item reached from a seed; popularity only re-weighs items reached so.

    Returns the best `limit` candidates not in `exclude` (all when None), best first, ties by
    id; reasons are only worked out for those (most candidates never reach a list).

    Each seed's neighbour list is normalised by its best score, so a seed with many events
    does not drown the others; the seed's recency weight then decides its share.
    """
    # Hot path (~1,000 neighbour entries per FOR_YOU): the first pass only sums totals, in
    # plain loops without a call per entry; the second re-reads the few lists that reached
    # the top `limit` for their reasons. Sums are added in the same order either way.
    totals: dict[ProductId, float] = {}
    get = totals.get
    sources: list[tuple[Signal, ProductId | None, Sequence[tuple[ProductId, float]], float]] = []
    for lists, signal, alpha in (
        (co_viewed, Signal.CO_VIEWED, weights.co_viewed),
        (bought, Signal.BOUGHT_TOGETHER, weights.bought_together),
        (similar, Signal.SIMILAR, weights.similar),
    ):
        if alpha <= 0:
            continue
        for seed in seeds:
            neighbours = lists.get(seed.product_id, ())
            if not neighbours:
                continue
            scale = alpha * seed.weight / (max(score for _, score in neighbours) or 1.0)
            for pid, score in neighbours:
                totals[pid] = get(pid, 0.0) + scale * score
            sources.append((signal, seed.product_id, neighbours, scale))
    for share, board in interests:  # (interest share 0-1, popular items of that category)
        scale = weights.interest * share / (max((score for _, score in board), default=0.0) or 1.0)
        for pid, score in board:
            totals[pid] = get(pid, 0.0) + scale * score
        sources.append((Signal.CATEGORY_INTEREST, None, board, scale))
    pop_scale = 0.0
    if weights.popular > 0 and popularity:
        pop_scale = weights.popular / (max(popularity.values()) or 1.0)
        for pid, pop in popularity.items():
            total = get(pid)
            if total is not None and pop:
                totals[pid] = total + pop_scale * pop
    candidates = ((-t, pid) for pid, t in totals.items() if pid not in exclude)
    ranked = sorted(candidates) if limit is None else heapq.nsmallest(limit, candidates)
    parts = _parts_of(ranked, sources, popularity, pop_scale)
    return [Recommended(pid, -neg, _reason(parts[pid])) for neg, pid in ranked]


def _parts_of(
    ranked: Sequence[tuple[float, ProductId]],
    sources: Sequence[tuple[Signal, ProductId | None, Sequence[tuple[ProductId, float]], float]],
    popularity: Mapping[ProductId, float],
    pop_scale: float,
) -> dict[ProductId, list[Part]]:
    """`blend`'s second pass: what each signal and source added to the scores of the `ranked`
    (negated score, id) pairs."""
    parts: dict[ProductId, list[Part]] = {pid: [] for _, pid in ranked}
    for signal, source, neighbours, scale in sources:
        for pid, score in neighbours:
            mine = parts.get(pid)
            if mine is not None:
                mine.append((signal, source, scale * score))
    if pop_scale:
        for pid, mine in parts.items():
            pop = popularity.get(pid, 0.0)
            if pop:
                mine.append((Signal.POPULAR, None, pop_scale * pop))
    return parts


def tie_breaker(seed: int) -> Callable[[ProductId], int]:
    """A seeded, stable order among equal scores."""
    salt = f"{seed}:".encode()
    return lambda pid: zlib.crc32(salt + pid.encode())


@dataclass(frozen=True, slots=True)
class Rules:
    """Business rules applied to every strategy's list."""

    exclude_viewed: bool = True  # products in the session's recently viewed
    exclude_cart: bool = True
    exclude_purchased: bool = True
    in_stock_only: bool = True
    boosts: Mapping[str, float] = field(default_factory=dict)  # "brand:<id>" / "category:<id>" -> multiplier
    category_cap_share: float = 0.5  # at most this share of a list from one category (0 or 1: off)


def rerank(
    candidates: Iterable[Recommended],
    products: Mapping[ProductId, Product | None],
    exclude: set[ProductId],
    flt: ProductFilter,
    rules: Rules,
    first: int,
    tie: Callable[[ProductId], int],
) -> list[Recommended]:
    """The best `first` candidates after rules, boosts and the per-category cap.

    A candidate missing from `products` (withdrawn) is dropped. Items over a category's cap
    are not dropped but moved behind the others, so a list is only short for lack of items.
    """
    kept: list[Recommended] = []
    for rec in candidates:
        product = products.get(rec.product_id)
        if product is None or rec.product_id in exclude:
            continue
        if rules.in_stock_only and flt.in_stock is None and not product.in_stock:
            continue
        if not matches(product, flt, ()):
            continue
        boost = rules.boosts.get(f"brand:{product.brand_id}", 1.0)
        for cid in product.category_ids:
            boost *= rules.boosts.get(f"category:{cid}", 1.0)
        if boost <= 0:
            continue
        kept.append(rec if boost == 1.0 else Recommended(rec.product_id, rec.score * boost, rec.reason))
    kept.sort(key=lambda r: (-r.score, tie(r.product_id)))
    if not 0 < rules.category_cap_share < 1:
        return kept[:first]
    cap = max(1, math.ceil(first * rules.category_cap_share))
    chosen: list[Recommended] = []
    deferred: list[Recommended] = []
    per_category: dict[str, int] = {}
    for rec in kept:
        product = products[rec.product_id]
        category = product.category_ids[0] if product and product.category_ids else ""
        if per_category.get(category, 0) >= cap:
            deferred.append(rec)
            continue
        per_category[category] = per_category.get(category, 0) + 1
        chosen.append(rec)
        if len(chosen) >= first:
            return chosen
    return (chosen + deferred)[:first]
