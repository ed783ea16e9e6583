"""Pure ranking and signal rules: seeds, blending, business rules, diversity, event-to-signal updates."""

from __future__ import annotations

from datetime import timedelta

from gateway.catalogue.values import BrandId, CategoryId, ProductFilter, ProductId
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
    Reason,
    Recommended,
    Signal,
    Strategy,
    new_recommendation_id,
    strategy_of,
)
from gateway.recommendations.values.signals import HistoryEntry, SignalConfig, updates_for
from tests.support.factories import CATEGORIES, NOW, event, product

P = [ProductId(f"p-{n:05d}") for n in range(20)]


def rec(n: int, score: float) -> Recommended:
    return Recommended(P[n], score, Reason(Signal.CO_VIEWED, ()))


def test_seeds_decay_with_recency_and_carts_count_more() -> None:
    seeds = seeds_from([(P[1], "view"), (P[2], "cart"), (P[1], "view"), (P[3], "view")], BlendWeights(seed_decay=0.5))
    assert seeds == [Seed(P[1], 1.0), Seed(P[2], 0.75), Seed(P[3], 0.25)]


def test_blend_normalises_each_seed_and_names_the_strongest_signal_and_sources() -> None:
    w = BlendWeights(co_viewed=1.0, bought_together=1.0, similar=0.0, popular=0.0)
    out = blend(
        [Seed(P[1], 1.0), Seed(P[2], 0.5)],
        {P[1]: [(P[5], 100.0), (P[6], 50.0)], P[2]: [(P[6], 2.0)]},
        {P[2]: [(P[7], 1.0)]},
        {},
        {},
        w,
    )
    by_id = {r.product_id: r for r in out}
    assert by_id[P[5]].score == 1.0 and by_id[P[6]].score == 1.0  # 0.5 from each seed
    assert by_id[P[6]].reason == Reason(Signal.CO_VIEWED, (P[1], P[2]))
    assert by_id[P[7]].reason == Reason(Signal.BOUGHT_TOGETHER, (P[2],))


def test_rerank_applies_exclusions_stock_filter_boosts_and_category_cap() -> None:
    products = {
        P[n]: product(n, category="c-running" if n < 6 else "c-home", stock=0 if n == 3 else 5) for n in range(1, 9)
    }
    products[P[8]] = product(8, category="c-home", brand="b-kasztan")
    candidates = [rec(n, 10.0 - n) for n in range(1, 9)]
    rules = Rules(category_cap_share=0.5, boosts={"brand:b-kasztan": 10.0})
    out = rerank(candidates, products, {P[2]}, ProductFilter(), rules, 4, tie_breaker(0))
    assert [r.product_id for r in out] == [P[8], P[1], P[4], P[6]]  # kasztan boosted; 3 out of stock; cap 2
    only_home = ProductFilter(category_ids=frozenset({CategoryId("c-home")}))
    assert {r.product_id for r in rerank(candidates, products, set(), only_home, rules, 9, tie_breaker(0))} == {
        P[6],
        P[7],
        P[8],
    }
    buried = Rules(boosts={"brand:b-nordvik": 0.0}, category_cap_share=0)
    assert [r.product_id for r in rerank(candidates, products, set(), ProductFilter(), buried, 9, tie_breaker(0))] == [
        P[8]
    ]
    assert BrandId("b-kasztan") == products[P[8]].brand_id


def test_capped_items_fill_the_list_when_nothing_else_is_left() -> None:
    products = {P[n]: product(n) for n in range(1, 5)}
    out = rerank([rec(n, 5.0 - n) for n in range(1, 5)], products, set(), ProductFilter(), Rules(), 4, tie_breaker(0))
    assert [r.product_id for r in out] == [P[1], P[2], P[3], P[4]]


def test_views_pair_with_recent_predecessors_forwards_and_backwards() -> None:
    cfg = SignalConfig(view_window=2, backward_weight=0.5)
    history = [HistoryEntry(P[2], (NOW - timedelta(minutes=1)).timestamp(), "view")]
    history.append(HistoryEntry(P[1], (NOW - timedelta(minutes=2)).timestamp(), "view"))
    (update,) = updates_for([event("Product Viewed", "m1", product_id=P[3])], history, {}, {}, cfg)
    pairs = {(k, m): a for k, m, a in update.increments if k.startswith("view:")}
    assert pairs == {("view:p-00002", P[3]): 1.0, ("view:p-00003", P[2]): 0.5,
                     ("view:p-00001", P[3]): 0.5, ("view:p-00003", P[1]): 0.25}  # fmt: skip
    assert update.history == (HistoryEntry(P[3], NOW.timestamp(), "view"),)


def test_old_views_are_not_paired_and_orders_pair_every_line() -> None:
    cfg = SignalConfig()
    stale = [HistoryEntry(P[1], (NOW - timedelta(days=30)).timestamp(), "view")]
    (view,) = updates_for([event("Product Viewed", "m1", product_id=P[3])], stale, {}, {}, cfg)
    assert not [k for k, _, _ in view.increments if k.startswith("view:")]
    order = event("Order Completed", "o1", order_id="o", products=[{"product_id": P[1]}, {"product_id": P[2]}])
    (bought,) = updates_for([order], [], {P[1]: product(1), P[2]: product(2)}, {c.id: c for c in CATEGORIES}, cfg)
    assert {(k, m) for k, m, _ in bought.increments if k.startswith("buy:")} == {
        ("buy:p-00001", P[2]),
        ("buy:p-00002", P[1]),
    }
    scopes = {k for k, _, _ in bought.increments if k.startswith("popular:")}
    assert scopes == {"popular:all", "popular:c-shoes", "popular:c-running"}  # the category and its ancestors


def test_recommendation_ids_round_trip_and_reject_forgeries() -> None:
    rid = new_recommendation_id(Strategy.ALSO_VIEWED)
    assert strategy_of(rid) is Strategy.ALSO_VIEWED
    for bad in ("rec_NOPE_0123456789abcdef", "rec_FOR_YOU_xyz", "hello", rid + "0", "rec_FOR_YOU_" + "g" * 16):
        assert strategy_of(bad) is None
    click = event("Product Clicked", "c1", product_id=P[1], recommendation_id=rid)
    (update,) = updates_for([click], [], {}, {}, SignalConfig())
    assert update.clicks == ("ALSO_VIEWED",)


def test_older_seeds_read_fewer_neighbours_down_to_a_floor() -> None:
    assert neighbour_limits(10, BlendWeights()) == [50, 38, 29, 22, 20, 20, 20, 20, 20, 20]
    assert neighbour_limits(3, BlendWeights(neighbours_per_seed=8, neighbours_min=20)) == [8, 8, 8]
    assert neighbour_limits(0, BlendWeights()) == []


def test_blend_with_a_limit_is_the_head_of_the_full_ranking_with_the_same_reasons() -> None:
    seeds = [Seed(P[0], 1.0), Seed(P[1], 0.5)]
    co_viewed = {P[0]: [(P[n], float(10 - n)) for n in range(2, 10)], P[1]: [(P[n], 1.0) for n in range(5, 15)]}
    bought = {P[1]: [(P[3], 2.0), (P[14], 1.0)]}
    similar = {P[0]: [(P[n], 0.9) for n in range(10, 18)]}
    popularity = {P[4]: 5.0, P[12]: 9.0, P[19]: 100.0}  # P[19] reached by no seed: never a candidate
    full = blend(seeds, co_viewed, bought, similar, popularity, BlendWeights(), exclude={P[2]})
    head = blend(seeds, co_viewed, bought, similar, popularity, BlendWeights(), exclude={P[2]}, limit=4)
    assert head == full[:4]
    assert P[19] not in {r.product_id for r in full} and P[2] not in {r.product_id for r in full}
    assert len(full) == 15
    (p3,) = [r for r in full if r.product_id == P[3]]
    assert p3.reason == Reason(Signal.CO_VIEWED, (P[0],))
    assert p3.score == 7 / 8 + 0.5 * 2 / 2  # co-viewed from P[0] (normalised) + bought with P[1] at half weight
