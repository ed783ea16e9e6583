"""Recommendation strategies: candidates from signals, blended, re-ranked, with a fallback chain.

Per request: one read of the visitor's signal history (FOR_YOU and RECENTLY_VIEWED only),
one pipelined read of every signal list the strategy and its fallbacks may need, vector
neighbours from the in-memory index, products from the catalogue (in-process mirror).
Personalization fails open: when the signal store is down the list comes from the
catalogue and says so in `degraded` and `fallbacks`.

The fallback chain after a strategy's own candidates: COLLABORATIVE (popular in the
anchor's or the visitor's categories) -> TRENDING -> POPULAR -> CATALOGUE. Each step that
had to add items is recorded with the reason the list was short before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from gateway.catalogue import CatalogService, CategoryId, Product, ProductFilter, ProductId, ProductQuery, ProductSort
from gateway.kernel import InputError, StoreUnavailable
from gateway.platform.lru import staggered_bucket
from gateway.recommendations.list_cache import SIGNALS_FRESHNESS_SECONDS, ListCache
from gateway.recommendations.stores.protocol import SignalStore
from gateway.recommendations.values.ranking import (
    BlendWeights,
    Rules,
    Seed,
    blend,
    neighbour_limits,
    rerank,
    seeds_from,
    tie_breaker,
)
from gateway.recommendations.values.recommendations import (
    PRODUCT_STRATEGIES,
    Fallback,
    FallbackStep,
    Reason,
    RecommendationList,
    Recommended,
    Signal,
    Strategy,
    new_recommendation_id,
)
from gateway.recommendations.values.signals import ALL_SCOPE, HistoryEntry, board_key, neighbour_key
from gateway.visitors import Session, VisitorState

log = logging.getLogger(__name__)

MAX_FIRST = 50
PERSON_HISTORY_CAP = 200  # a person's merged history across devices
SIMILAR_SEEDS = 3  # FOR_YOU asks the vector index about this many most recent seeds
INTEREST_CATEGORIES = 2
SEARCH_SEEDS = 3
CANDIDATE_FACTOR, CANDIDATE_SLACK = 5, 50  # FOR_YOU re-ranks its best 5 * first + 50 candidates


class SimilarItems(Protocol):
    """Nearest neighbours in embedding space (the in-memory vector index)."""

    def epoch(self) -> object:
        """Changes whenever the answers may change (a new index loaded)."""
        ...

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]: ...

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        """`similar` for several products in one pass over the index."""
        ...


class NoVectors:
    def epoch(self) -> object:
        return 0

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]:
        return []

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        return [[] for _ in product_ids]


@dataclass(frozen=True, slots=True)
class RecRequest:
    strategy: Strategy
    first: int = 10
    product_id: ProductId | None = None
    query: ProductQuery = field(default_factory=ProductQuery)
    # False: a product_id the catalogue does not hold is no error, the list comes from the
    # fallback chain (a product entity another subgraph owns and Vitrine has not imported yet).
    anchor_required: bool = True


class RecommendationService:
    def __init__(
        self,
        signals: SignalStore,
        catalog: CatalogService,
        vectors: SimilarItems | None = None,
        *,
        weights: BlendWeights | None = None,
        rules: Rules | None = None,
        tie_seed: int = 0,
        cache: ListCache | None = None,
        clock: Callable[[], float] = time.time,
        on_list: Callable[[RecommendationList], None] | None = None,
    ) -> None:
        """`cache`: lists kept for the same visitor state (None: every list computed afresh).
        `on_list` sees every list answered (metrics: fallbacks by step)."""
        self._on_list = on_list
        self._signals = signals
        self._catalog = catalog
        self.vectors: SimilarItems = vectors or NoVectors()
        self._weights = weights or BlendWeights()
        self._rules = rules or Rules()
        self._tie = tie_breaker(tie_seed)
        self._cache = cache
        self._clock = clock

    async def carousel(
        self, visitor: VisitorState, product_ids: Sequence[str], strategy: str | None, first: int, locale: str
    ) -> list[ProductId]:
        """The products of a slot's carousel: its fixed list; else the list of its strategy (the same
        as `recommend`; product strategies need a product, which a slot cannot name, so those fall
        through); else the catalogue's default order of products in stock."""
        ids = [ProductId(p) for p in product_ids[:first]]
        if not ids and strategy and first > 0:
            chosen = Strategy.__members__.get(strategy)
            if chosen is not None and chosen not in PRODUCT_STRATEGIES:
                result = await self.recommend(RecRequest(chosen, first), visitor)
                ids = [r.product_id for r in result.items]
        if not ids:
            page = await self._catalog.find(ProductQuery(in_stock=True), ProductSort.RELEVANCE, locale, 0, first)
            ids = list(page.ids)
        return ids

    async def recommend(
        self,
        request: RecRequest,
        visitor: VisitorState,
        *,
        now: datetime | None = None,
        exclude: frozenset[ProductId] = frozenset(),
    ) -> RecommendationList:
        """One list; raises InputError for bad arguments.

        A signal store outage never fails the list (it falls back to the catalogue and says so
        in `degraded`); only a catalogue read the mirror cannot answer may raise StoreUnavailable.
        """
        strategy, first = request.strategy, request.first
        if not 1 <= first <= MAX_FIRST:
            raise InputError(f"must be between 1 and {MAX_FIRST}", field="first")
        if strategy in PRODUCT_STRATEGIES and request.product_id is None:
            raise InputError(f"{strategy.value} needs productId", field="productId")
        flt = self._catalog.build_filter(request.query)
        anchor: Product | None = None
        if request.product_id is not None:
            (anchor,) = await self._catalog.get_raw([request.product_id])
            if anchor is None and request.anchor_required:
                raise InputError(f"unknown product {request.product_id!r}", field="productId")
        key = self._cache_key(request, visitor)
        cached = self._cache.get(key) if key is not None and self._cache is not None else None
        if cached is not None:
            return RecommendationList(new_recommendation_id(strategy), strategy, *cached, ())
        degraded: list[str] = list(visitor.degraded)
        if visitor.no_consent:  # no personalization consent: the list a stranger gets
            visitor = replace(visitor, session=Session(visitor.visitor_id), devices=())
        history: tuple[HistoryEntry, ...] = ()
        if strategy in {Strategy.FOR_YOU, Strategy.RECENTLY_VIEWED} and not visitor.no_consent:
            try:
                history = _person_history(await self._signals.histories(visitor.device_ids))
            except StoreUnavailable as exc:
                log.warning("signal history unavailable: %s", exc.message)
                degraded.append("signals")
        plan = await self._plan(request, visitor, history, anchor, now or datetime.now(UTC))
        # Once the signal store failed in this request, don't wait for it to time out again.
        lists = {} if "signals" in degraded else await self._lookup(plan.keys, plan.k, degraded)
        excluded = set(exclude) | self._exclusions(strategy, visitor, history, anchor)
        primary = self._primary(request, plan, lists, visitor, history, excluded)
        items, fallbacks = await self._assemble(request, plan, lists, primary, excluded, flt)
        answer = (_normalized(items), tuple(fallbacks))
        if key is not None and self._cache is not None and not degraded:
            self._cache.put(key, answer)
        listed = RecommendationList(new_recommendation_id(strategy), strategy, *answer, tuple(dict.fromkeys(degraded)))
        if self._on_list is not None:
            self._on_list(listed)
        return listed

    def _cache_key(self, request: RecRequest, visitor: VisitorState) -> Hashable | None:
        """What the list depends on (see gateway.recommendations.list_cache); None: keep nothing."""
        catalogue = self._catalog.epoch
        if visitor.fingerprint is None or catalogue is None or visitor.degraded:
            return None
        bucket = staggered_bucket(self._clock(), visitor.visitor_id, SIGNALS_FRESHNESS_SECONDS)
        return (visitor.visitor_id, visitor.fingerprint, request, catalogue, self.vectors.epoch(), bucket)

    # --- planning: which lists to read -------------------------------------------------

    async def _plan(
        self,
        request: RecRequest,
        visitor: VisitorState,
        history: Sequence[HistoryEntry],
        anchor: Product | None,
        now: datetime,
    ) -> _Plan:
        first = request.first
        k_board = min(500, 3 * first + 20 + len(visitor.session.recently_viewed) + len(visitor.session.cart))
        seeds: list[Seed] = []
        interests: list[tuple[float, CategoryId]] = []
        scopes: list[str] = []
        if request.strategy is Strategy.FOR_YOU:
            seeds = seeds_from(await self._recent(visitor, history), self._weights)
            interests = _top_categories(visitor.profile.interest_mass, INTEREST_CATEGORIES)
            scopes = [str(c) for _, c in interests]
        elif anchor is not None:
            seeds = [Seed(anchor.id, 1.0)]
            scopes = [str(anchor.category_ids[0])] if anchor.category_ids else []
        k = max(self._weights.neighbours_per_seed, k_board)
        limits: dict[str, int] = {}  # key -> entries to read
        if request.strategy is Strategy.FOR_YOU:
            for seed, n in zip(seeds, neighbour_limits(len(seeds), self._weights), strict=True):
                limits[neighbour_key("view", seed.product_id)] = n
                limits[neighbour_key("buy", seed.product_id)] = n
        elif request.strategy in {Strategy.ALSO_VIEWED, Strategy.BOUGHT_TOGETHER}:
            for seed in seeds:
                limits[neighbour_key("view", seed.product_id)] = k
                limits[neighbour_key("buy", seed.product_id)] = k
        trending_scope = ALL_SCOPE
        if request.strategy is Strategy.TRENDING and request.query.category:
            tree = self._catalog.category_map()
            wanted = request.query.category
            found = [c.id for c in tree.values() if c.id == wanted or c.slug == wanted]
            trending_scope = str(found[0]) if found else ALL_SCOPE
        for board in [*(board_key("popular", s) for s in scopes), board_key("trending", trending_scope)]:
            limits[board] = k
        limits[board_key("popular", ALL_SCOPE)] = k
        return _Plan(seeds, interests, scopes, trending_scope, list(limits), list(limits.values()))

    async def _recent(self, visitor: VisitorState, history: Sequence[HistoryEntry]) -> list[tuple[ProductId, str]]:
        """What the visitor did, most recent first: session views, cart, last search, history."""
        session = visitor.session
        recent: list[tuple[ProductId, str]] = [(p, "view") for p in session.recently_viewed]
        recent += [(line.product_id, "cart") for line in session.cart]
        if session.recent_searches:
            try:
                page = await self._catalog.find(
                    ProductQuery(search=session.recent_searches[0]), ProductSort.RELEVANCE, "en", 0, SEARCH_SEEDS
                )
                recent += [(p, "search") for p in page.ids]
            except (InputError, StoreUnavailable):
                pass  # a search seed is a nicety, never a reason to fail
        recent += [(h.product_id, h.kind) for h in history]
        return recent

    async def _lookup(
        self, keys: Sequence[str], k: Sequence[int], degraded: list[str]
    ) -> dict[str, list[tuple[ProductId, float]]]:
        try:
            found = await self._signals.lookup(keys, k)
        except StoreUnavailable as exc:
            log.warning("signals unavailable, recommending from the catalogue: %s", exc.message)
            degraded.append("signals")
            return {}
        return dict(zip(keys, found, strict=True))

    # --- candidates -----------------------------------------------------------------------

    def _primary(
        self,
        request: RecRequest,
        plan: _Plan,
        lists: Mapping[str, list[tuple[ProductId, float]]],
        visitor: VisitorState,
        history: Sequence[HistoryEntry],
        excluded: set[ProductId],
    ) -> list[Recommended]:
        strategy, pid = request.strategy, request.product_id
        if strategy is Strategy.FOR_YOU:
            per = self._weights.neighbours_per_seed
            # Lists were read with neighbour_limits: fewer entries for older seeds.
            co_viewed = {s.product_id: lists.get(neighbour_key("view", s.product_id), []) for s in plan.seeds}
            bought = {s.product_id: lists.get(neighbour_key("buy", s.product_id), []) for s in plan.seeds}
            near = [s.product_id for s in plan.seeds[:SIMILAR_SEEDS]]
            similar = dict(zip(near, self.vectors.similar_many(near, per), strict=True))
            popularity = dict(lists.get(board_key("popular", ALL_SCOPE), []))
            boards = [(share, lists.get(board_key("popular", c), [])[:per]) for share, c in plan.interests]
            # Enough candidates for rules and the category cap to choose from; the rest never show.
            limit = CANDIDATE_FACTOR * request.first + CANDIDATE_SLACK
            return blend(
                plan.seeds, co_viewed, bought, similar, popularity, self._weights, boards, exclude=excluded, limit=limit
            )
        if strategy is Strategy.SIMILAR and pid is not None:
            return _from(self.vectors.similar(pid, 3 * request.first + 10), Signal.SIMILAR, (pid,))
        if strategy is Strategy.ALSO_VIEWED and pid is not None:
            return _from(lists.get(neighbour_key("view", pid), []), Signal.CO_VIEWED, (pid,))
        if strategy is Strategy.BOUGHT_TOGETHER and pid is not None:
            return _from(lists.get(neighbour_key("buy", pid), []), Signal.BOUGHT_TOGETHER, (pid,))
        if strategy is Strategy.TRENDING:
            return _from(lists.get(board_key("trending", plan.trending_scope), []), Signal.TRENDING, ())
        # RECENTLY_VIEWED: the session first (real time), then the longer history.
        views = [*visitor.session.recently_viewed, *(h.product_id for h in history if h.kind == "view")]
        ordered = list(dict.fromkeys(views))
        return [Recommended(p, 1.0 / (i + 1), Reason(Signal.RECENTLY_VIEWED, ())) for i, p in enumerate(ordered)]

    def _exclusions(
        self, strategy: Strategy, visitor: VisitorState, history: Sequence[HistoryEntry], anchor: Product | None
    ) -> set[ProductId]:
        rules, session = self._rules, visitor.session
        out: set[ProductId] = {anchor.id} if anchor is not None else set()
        if rules.exclude_cart:
            out.update(line.product_id for line in (visitor.person_cart or session.cart))
        if rules.exclude_purchased:
            out.update(h.product_id for h in history if h.kind == "buy")
        if rules.exclude_viewed and strategy is not Strategy.RECENTLY_VIEWED:
            out.update(session.recently_viewed)
        return out

    async def _assemble(
        self,
        request: RecRequest,
        plan: _Plan,
        lists: Mapping[str, list[tuple[ProductId, float]]],
        primary: list[Recommended],
        excluded: set[ProductId],
        flt: ProductFilter,
    ) -> tuple[list[Recommended], list[Fallback]]:
        first = request.first
        items = await self._rerank(primary, excluded, flt, first)
        fallbacks: list[Fallback] = []
        if request.strategy is Strategy.RECENTLY_VIEWED:
            if len(items) < first:
                fallbacks.append(Fallback(FallbackStep.CATALOGUE, f"the visitor viewed only {len(items)} products", 0))
            return items, fallbacks
        # Each step's candidates are built only when the list still needs them (most lists don't).
        steps: list[tuple[FallbackStep, Callable[[], list[Recommended]]]] = []
        if request.strategy is not Strategy.TRENDING:
            steps.append(
                (
                    FallbackStep.COLLABORATIVE,
                    lambda: [
                        r
                        for s in plan.scopes
                        for r in _from(lists.get(board_key("popular", s), []), Signal.POPULAR, ())
                    ],
                )
            )
            steps.append(
                (
                    FallbackStep.TRENDING,
                    lambda: _from(lists.get(board_key("trending", plan.trending_scope), []), Signal.TRENDING, ()),
                )
            )
        steps.append(
            (FallbackStep.POPULAR, lambda: _from(lists.get(board_key("popular", ALL_SCOPE), []), Signal.POPULAR, ()))
        )
        for step, build in steps:
            if len(items) >= first:
                break
            if step is FallbackStep.POPULAR:  # before what is popular anywhere: what is close to the seeds
                items, fallbacks = await self._close_to_seeds(request, plan, items, fallbacks, excluded, flt)
                if len(items) >= first:
                    break
            why = _shortfall(request.strategy, len(items), first, fallbacks)
            have = {r.product_id for r in items}
            extra = await self._rerank(build(), excluded | have, flt, first - len(items))
            # A fallback item always ranks below the items before it.
            floor = min((r.score for r in items), default=1.0)
            extra = [_below(floor, i, len(extra), r) for i, r in enumerate(extra)]
            if extra:
                fallbacks.append(Fallback(step, why, len(extra)))
                items += extra
        if len(items) < first:
            why = _shortfall(request.strategy, len(items), first, fallbacks)
            extra = await self._catalogue(excluded | {r.product_id for r in items}, flt, request, first - len(items))
            floor = min((r.score for r in items), default=1.0)
            extra = [_below(floor, i, len(extra), r) for i, r in enumerate(extra)]
            fallbacks.append(Fallback(FallbackStep.CATALOGUE, why, len(extra)))
            items += extra
        return items, fallbacks

    async def _close_to_seeds(
        self,
        request: RecRequest,
        plan: _Plan,
        items: list[Recommended],
        fallbacks: list[Fallback],
        excluded: set[ProductId],
        flt: ProductFilter,
    ) -> tuple[list[Recommended], list[Fallback]]:
        """Cold start keeps lists relevant: products close in embedding space to the seeds (the
        anchor product, or what the visitor did), then products of the seeds' categories, before
        anything popular elsewhere in the catalogue (a trail shoe never gets a frying pan)."""
        seeds = [seed.product_id for seed in plan.seeds][:SIMILAR_SEEDS]
        if not seeds and not plan.interests:
            return items, fallbacks
        first = request.first
        near = [
            r
            for seed, found in zip(seeds, self.vectors.similar_many(seeds, 3 * first + 10), strict=True)
            for r in _from(found, Signal.SIMILAR, (seed,))
        ]
        categories = [c for _, c in plan.interests]
        tree = self._catalog.category_map()
        for product in await self._catalog.get_raw(seeds) if seeds else []:
            for leaf in product.category_ids if product is not None else ():
                found = tree.get(leaf)  # the leaf first, then up its path: ever wider, still related
                categories += list(reversed(found.path)) if found is not None else [leaf]
        same: list[Recommended] = []
        for category in list(dict.fromkeys(categories))[: INTEREST_CATEGORIES + 1]:
            page = await self._catalog.find(
                ProductQuery(category=str(category)),
                ProductSort.RELEVANCE,
                "en",
                0,
                min(100, 3 * first + len(excluded) + 10),
            )
            same += [
                Recommended(pid, 1.0 / (i + 1), Reason(Signal.CATEGORY_INTEREST, ())) for i, pid in enumerate(page.ids)
            ]
        for step, candidates in ((FallbackStep.SIMILAR, near), (FallbackStep.CATEGORY, same)):
            if len(items) >= first:
                break
            why = _shortfall(request.strategy, len(items), first, fallbacks)
            extra = await self._rerank(candidates, excluded | {r.product_id for r in items}, flt, first - len(items))
            floor = min((r.score for r in items), default=1.0)
            extra = [_below(floor, i, len(extra), r) for i, r in enumerate(extra)]
            if extra:
                fallbacks.append(Fallback(step, why, len(extra)))
                items = [*items, *extra]
        return items, fallbacks

    async def _rerank(
        self, candidates: Sequence[Recommended], excluded: set[ProductId], flt: ProductFilter, first: int
    ) -> list[Recommended]:
        if not candidates or first <= 0:
            return []
        ids = list(dict.fromkeys(r.product_id for r in candidates))
        found = await self._catalog.get_raw(ids)
        products = {pid: p for pid, p in zip(ids, found, strict=True)}
        unique = list({r.product_id: r for r in reversed(candidates)}.values())
        return rerank(unique, products, excluded, flt, self._rules, first, self._tie)

    async def _catalogue(
        self, excluded: set[ProductId], flt: ProductFilter, request: RecRequest, n: int
    ) -> list[Recommended]:
        """The last resort: catalogue order (cold start, or the signal store is down)."""
        q = request.query
        in_stock = True if self._rules.in_stock_only and q.in_stock is None else q.in_stock
        query = ProductQuery(q.category, q.brand, None, in_stock, q.min_price, q.max_price)
        page = await self._catalog.find(query, ProductSort.RELEVANCE, "en", 0, min(100, n + len(excluded) + 50))
        # Decreasing scores keep catalogue order through the rules; boosts and buries hold here too.
        candidates = [Recommended(p, 1.0 / (i + 1), Reason(Signal.POPULAR, ())) for i, p in enumerate(page.ids)]
        return await self._rerank(candidates, excluded, flt, n)


@dataclass(frozen=True, slots=True)
class _Plan:
    seeds: list[Seed]
    interests: list[tuple[float, CategoryId]]
    scopes: list[str]  # categories whose popular boards are read (COLLABORATIVE step)
    trending_scope: str
    keys: list[str]
    k: list[int]  # entries to read, per key


def _top_categories(mass: Mapping[str, float], n: int) -> list[tuple[float, CategoryId]]:
    """The visitor's strongest category interests as shares of the strongest (1.0).

    Forward-decayed masses share one scale factor at any instant, so their ratios are the
    ratios of the decayed scores: no clock needed.
    """
    cats = sorted(((m, k[9:]) for k, m in mass.items() if k.startswith("category:") and m > 0), reverse=True)[:n]
    return [(m / cats[0][0], CategoryId(k)) for m, k in cats]


def _below(floor: float, i: int, n: int, rec: Recommended) -> Recommended:
    """The i-th of n fallback items: scored below `floor` (the list so far), in order."""
    return Recommended(rec.product_id, floor * (1 - (i + 1) / (n + 2)), rec.reason)


def _from(
    ranked: Sequence[tuple[ProductId, float]], signal: Signal, sources: tuple[ProductId, ...]
) -> list[Recommended]:
    return [Recommended(pid, score, Reason(signal, sources)) for pid, score in ranked]


def _shortfall(strategy: Strategy, have: int, want: int, before: Sequence[Fallback]) -> str:
    source = before[-1].step.value.lower() if before else strategy.value
    return f"{source} gave {have} of {want} items after exclusions and filters"


def _person_history(histories: Sequence[Sequence[HistoryEntry]]) -> tuple[HistoryEntry, ...]:
    """The histories of a person's devices as one, most recent first (each event is recorded
    under one device only, so nothing counts twice)."""
    if len(histories) == 1:
        return tuple(histories[0])
    merged = sorted((h for device in histories for h in device), key=lambda h: h.at, reverse=True)
    return tuple(merged[:PERSON_HISTORY_CAP])


def _normalized(items: Sequence[Recommended]) -> tuple[Recommended, ...]:
    """Scores as a client reads them: the list's best is 1, the others in proportion (0 to 1).
    Raw blend scores mix decayed masses whose scale means nothing outside one request."""
    top = max((r.score for r in items), default=0.0)
    if top <= 0:
        return tuple(items)
    return tuple(Recommended(r.product_id, round(r.score / top, 6), r.reason) for r in items)
