"""Recommendations through the real app: every strategy, reasons, rules, fallbacks, real time, attribution."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from gateway.recommendations.values.vectors import ProductVector
from gateway.settings import Settings
from gateway.testing.servers import free_port
from tests.support.appclient import Gateway, running_gateway
from tests.support.factories import product
from tests.support.settings import make_settings

# 12 running shoes (p-00001..12, p-00012 out of stock), 6 home goods from another brand.
PRODUCTS = [product(n, stock=0 if n == 12 else 5) for n in range(1, 13)] + [
    product(n, category="c-home", brand="b-kasztan", name=f"Cast iron pan {n}") for n in range(13, 19)
]

RECS = """query($s: RecommendationStrategy!, $p: ID, $first: Int! = 5, $f: RecommendationFilter) {
  recommendations(strategy: $s, productId: $p, first: $first, filter: $f) {
    recommendationId strategy degraded
    items { product { id inStock } score reason { signal sourceIds } }
    fallbacks { step reason added } } }"""

TRACK = """mutation($events: [EventInput!]!) { track(events: $events) { accepted duplicates rejected } }"""


@pytest.fixture
async def shop(backend_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(backend_settings, products=PRODUCTS) as gw:
        yield gw


def view(mid: str, pid: int) -> dict[str, Any]:
    return {"messageId": mid, "name": "Product Viewed", "properties": {"product_id": f"p-{pid:05d}"}}


async def as_new_visitor(gw: Gateway, events: list[dict[str, Any]]) -> None:
    gw.client.cookies.clear()
    body = await gw.gql(TRACK, {"events": events})
    assert body["data"]["track"]["accepted"] == len(events), body


async def recs(gw: Gateway, strategy: str, **variables: Any) -> dict[str, Any]:
    body = await gw.gql(RECS, {"s": strategy, **variables})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["recommendations"]
    return result


def ids(result: dict[str, Any]) -> list[str]:
    return [i["product"]["id"] for i in result["items"]]


async def co_view_history(gw: Gateway) -> None:
    """Several shoppers view 1 then 2 (and some 3): 2 is what people view after 1."""
    for n in range(3):
        await as_new_visitor(gw, [view(f"a{n}", 1), view(f"b{n}", 2)])
    await as_new_visitor(gw, [view("c", 1), view("d", 3)])


async def test_product_viewed_changes_the_next_for_you_in_the_same_session(shop: Gateway) -> None:
    await co_view_history(shop)
    shop.client.cookies.clear()
    before = await recs(shop, "FOR_YOU")
    assert before["items"], before
    assert all(i["reason"]["signal"] in {"POPULAR", "TRENDING"} for i in before["items"])

    body = await shop.gql(TRACK, {"events": [view("me1", 1)]})  # same visitor (cookie kept)
    assert body["data"]["track"]["accepted"] == 1
    after = await recs(shop, "FOR_YOU")
    assert ids(after)[0] == "p-00002"
    assert after["items"][0]["reason"] == {"signal": "CO_VIEWED", "sourceIds": ["p-00001"]}
    assert "p-00001" not in ids(after)  # just viewed: excluded by default
    assert ids(after) != ids(before)


async def test_every_strategy_answers_with_scores_reasons_and_an_id(shop: Gateway) -> None:
    await co_view_history(shop)
    await as_new_visitor(
        shop,
        [
            view("v1", 1),
            {
                "messageId": "o1",
                "name": "Order Completed",
                "properties": {
                    "order_id": "o-1",
                    "products": [{"product_id": "p-00004", "quantity": 1}, {"product_id": "p-00005"}],
                },
            },
        ],
    )
    vectors = [
        ProductVector(p.id, "all-MiniLM-L6-v2", "h", np.array([np.cos(0.1 * n), np.sin(0.1 * n)], dtype=np.float32))
        for n, p in enumerate(PRODUCTS)
    ]
    await shop.runtime.stores.recommendations.vectors.put(vectors)
    await shop.runtime.stores.recommendations.vectors.commit("all-MiniLM-L6-v2", "d", len(vectors))
    assert shop.runtime.services.vectors is not None and await shop.runtime.services.vectors.refresh()
    for strategy, anchor in [
        ("FOR_YOU", None),
        ("SIMILAR", "p-00003"),
        ("ALSO_VIEWED", "p-00001"),
        ("BOUGHT_TOGETHER", "p-00004"),
        ("TRENDING", None),
        ("RECENTLY_VIEWED", None),
    ]:
        result = await recs(shop, strategy, p=anchor)
        assert result["strategy"] == strategy
        assert result["recommendationId"].startswith(f"rec_{strategy}_")
        assert result["items"], strategy
        scores = [i["score"] for i in result["items"]]
        assert scores == sorted(scores, reverse=True), strategy
        assert anchor not in ids(result)
    also = await recs(shop, "ALSO_VIEWED", p="p-00001")
    assert ids(also)[:2] == ["p-00002", "p-00003"]
    assert also["items"][0]["reason"] == {"signal": "CO_VIEWED", "sourceIds": ["p-00001"]}
    bought = await recs(shop, "BOUGHT_TOGETHER", p="p-00004")
    assert bought["items"][0]["product"]["id"] == "p-00005"
    assert bought["items"][0]["reason"] == {"signal": "BOUGHT_TOGETHER", "sourceIds": ["p-00004"]}
    similar = await recs(shop, "SIMILAR", p="p-00003")
    assert set(ids(similar)[:2]) == {"p-00002", "p-00004"}  # the nearest vectors on either side
    assert similar["items"][0]["reason"]["signal"] == "SIMILAR"
    recent = await recs(shop, "RECENTLY_VIEWED")
    assert ids(recent) == ["p-00001"] and recent["fallbacks"][0]["step"] == "CATALOGUE"
    product_level = await shop.gql(
        '{ product(id: "p-00001") { recommendations(strategy: ALSO_VIEWED, first: 2) { items { product { id } } }'
        " similar(first: 1) { strategy items { reason { signal sourceIds } } } } }"
    )
    found = product_level["data"]["product"]
    assert [i["product"]["id"] for i in found["recommendations"]["items"]] == ["p-00002", "p-00003"]
    assert found["similar"]["items"] == [{"reason": {"signal": "SIMILAR", "sourceIds": ["p-00001"]}}]


async def test_rules_exclude_cart_out_of_stock_and_honour_filters(shop: Gateway) -> None:
    await as_new_visitor(shop, [view(f"x{i}", n) for i, n in enumerate((1, 12, 2, 12, 3))] + [view("y", 13)])
    await as_new_visitor(shop, [view("p1", 1), view("p12", 12), view("p2", 2)])
    shop.client.cookies.clear()
    body = await shop.gql(
        TRACK,
        {
            "events": [
                view("m1", 1),
                {"messageId": "c1", "name": "Product Added", "properties": {"product_id": "p-00002"}},
            ]
        },
    )
    assert body["data"]["track"]["accepted"] == 2
    result = await recs(shop, "FOR_YOU", first=10)
    got = ids(result)
    assert "p-00002" not in got and "p-00001" not in got  # in the cart / just viewed
    assert "p-00012" not in got and all(i["product"]["inStock"] for i in result["items"])
    home = await recs(shop, "FOR_YOU", first=10, f={"category": "home"})
    assert home["items"] and all(13 <= int(pid[2:]) <= 18 for pid in ids(home))
    cheap = await recs(shop, "TRENDING", first=10, f={"brand": "b-kasztan", "priceRange": {"max": "99"}})
    assert cheap["items"] == []  # every kasztan product costs 100
    assert cheap["fallbacks"] and cheap["fallbacks"][-1]["step"] == "CATALOGUE"


async def test_cold_start_fallback_chain_fills_the_list_and_says_why(shop: Gateway) -> None:
    result = await recs(shop, "FOR_YOU", first=5)
    assert len(result["items"]) == 5
    steps = [f["step"] for f in result["fallbacks"]]
    assert steps == ["CATALOGUE"]
    assert "FOR_YOU gave 0 of 5" in result["fallbacks"][0]["reason"]
    await as_new_visitor(shop, [view("t1", 7)])
    shop.client.cookies.clear()
    warm = await recs(shop, "FOR_YOU", first=5)
    assert [f["step"] for f in warm["fallbacks"]][:2] == ["TRENDING", "CATALOGUE"]
    assert ids(warm)[0] == "p-00007" and warm["items"][0]["reason"]["signal"] == "TRENDING"


async def test_clicks_with_a_recommendation_id_are_attributed_once(shop: Gateway) -> None:
    await co_view_history(shop)
    listed = await recs(shop, "ALSO_VIEWED", p="p-00001")
    click = {
        "messageId": "click-1",
        "name": "Product Clicked",
        "properties": {"product_id": ids(listed)[0], "recommendation_id": listed["recommendationId"]},
    }
    first = await shop.gql(TRACK, {"events": [click]})
    again = await shop.gql(TRACK, {"events": [click]})
    assert first["data"]["track"]["accepted"] == 1 and again["data"]["track"]["duplicates"] == 1
    assert await shop.runtime.stores.recommendations.signals.clicks() == {"ALSO_VIEWED": 1}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"s": "SIMILAR"}, "productId: SIMILAR needs productId"),
        ({"s": "FOR_YOU", "first": 0}, "first: must be between 1 and 50"),
        ({"s": "FOR_YOU", "f": {"category": "nope"}}, "unknown category 'nope'"),
        ({"s": "ALSO_VIEWED", "p": "p-99999"}, "productId: unknown product 'p-99999'"),
    ],
)
async def test_bad_arguments_get_actionable_errors(shop: Gateway, variables: dict[str, Any], message: str) -> None:
    body = await shop.gql(RECS, variables)
    assert body["data"] is None
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_redis_down_lists_still_answer_from_the_catalogue() -> None:
    settings = make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", store_timeout_ms=300)
    async with running_gateway(settings, products=PRODUCTS) as gw:
        result = await recs(gw, "FOR_YOU", first=4)
        assert len(result["items"]) == 4 and "signals" in result["degraded"]
        assert result["fallbacks"][-1]["step"] == "CATALOGUE"


async def test_just_viewed_products_may_be_shown_when_configured(backend_settings: Settings) -> None:
    from dataclasses import replace

    async with running_gateway(replace(backend_settings, recs_exclude_viewed=False), products=PRODUCTS) as gw:
        await co_view_history(gw)
        gw.client.cookies.clear()
        await gw.gql(TRACK, {"events": [view("me1", 2), view("me2", 1)]})
        result = await recs(gw, "FOR_YOU", first=5)
        assert "p-00002" in ids(result)  # viewed before p-00001, and co-viewed with it


async def test_configured_boosts_and_buries_apply_to_lists(backend_settings: Settings) -> None:
    from dataclasses import replace

    boosted = replace(backend_settings, recs_boosts=(("brand:b-kasztan", 100.0), ("category:c-running", 0.0)))
    async with running_gateway(boosted, products=PRODUCTS) as gw:
        await as_new_visitor(gw, [view("a", 1), view("b", 13), view("c", 2), view("d", 14)])
        gw.client.cookies.clear()  # a newcomer: nothing excluded as just viewed
        result = await recs(gw, "TRENDING", first=10)
        assert ids(result)[:2] == ["p-00014", "p-00013"]  # boosted past the more recent running shoe
        assert len(result["items"]) == 6 and all(13 <= int(pid[2:]) <= 18 for pid in ids(result))  # running buried


async def test_gateway_serves_similar_from_the_graph_that_index_published(
    backend_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gateway.recommendations.vectors.service as service_module
    from gateway.recommendations.vectors.graph import publish_vectors

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the instance built a graph although one was published")

    settings = replace(backend_settings, recs_exact_max=5)  # 18 products: HNSW, so a graph is published
    async with running_gateway(settings, products=PRODUCTS) as shop:
        stores = shop.runtime.stores
        vectors = [
            ProductVector(p.id, "all-MiniLM-L6-v2", "h", np.array([np.cos(0.1 * n), np.sin(0.1 * n)], dtype=np.float32))
            for n, p in enumerate(PRODUCTS)
        ]
        await stores.recommendations.vectors.put(vectors)
        report = await publish_vectors(
            stores.recommendations.vectors, stores.recommendations.graphs, "all-MiniLM-L6-v2", exact_max=5, threads=1
        )
        assert report.graph and report.built and report.committed
        monkeypatch.setattr(service_module, "build_index", no_build)
        assert shop.runtime.services.vectors is not None and await shop.runtime.services.vectors.refresh()
        assert shop.runtime.services.vectors.index_source == "published"
        similar = await recs(shop, "SIMILAR", p="p-00003")
        assert set(ids(similar)[:2]) == {"p-00002", "p-00004"}  # the nearest vectors on either side
