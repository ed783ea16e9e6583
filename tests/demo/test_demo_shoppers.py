"""Synthetic demo shoppers: deterministic, consistent tastes, and useful lists on a fresh demo."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.demo.catalog_generator import generate_catalog
from gateway.demo.shoppers import synthetic_shoppers
from tests.support.appclient import running_gateway
from tests.support.settings import make_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_shoppers_are_deterministic_and_stick_to_their_tastes() -> None:
    products = generate_catalog().products
    a, b = synthetic_shoppers(products, NOW, count=50), synthetic_shoppers(products, NOW, count=50)
    assert a == b and len(a) == 50
    by_id = {p.id: p for p in products}
    for shopper in a:
        viewed = [by_id[e["properties"]["product_id"]] for e in shopper.events if e["name"] == "Product Viewed"]
        assert len(viewed) >= 3
        leaves = {p.category_ids[0] for p in viewed}
        assert len(leaves) <= 3  # one or two liked leaves, at most one detour
        assert all(p.in_stock for p in viewed)


async def test_a_fresh_demo_answers_with_collaborative_lists_right_away() -> None:
    products = generate_catalog().products
    first_view = synthetic_shoppers(products, NOW)[0].events[0]["properties"]["product_id"]
    async with running_gateway(make_settings(demo_data=True), products=[]) as gw:
        query = """query($p: ID!) {
          also: recommendations(strategy: ALSO_VIEWED, productId: $p, first: 3) { items { reason { signal } } }
          trending: recommendations(strategy: TRENDING, first: 3) {
            items { reason { signal } } fallbacks { step } } }"""
        body = await gw.gql(query, {"p": first_view})
        also = body["data"]["also"]["items"]
        assert also and all(i["reason"]["signal"] == "CO_VIEWED" for i in also)
        assert len(body["data"]["trending"]["items"]) == 3 and body["data"]["trending"]["fallbacks"] == []
        track = """mutation($p: String!) { track(events: [{messageId: "n1", name: "Product Viewed",
          properties: {product_id: $p}}]) { accepted } }"""
        assert (await gw.gql(track, {"p": first_view}))["data"]["track"]["accepted"] == 1
        mine = await gw.gql(
            "{ recommendations(strategy: FOR_YOU, first: 3) { items { reason { signal sourceIds } } } }"
        )
        assert mine["data"]["recommendations"]["items"][0]["reason"] == {
            "signal": "CO_VIEWED",
            "sourceIds": [first_view],
        }
