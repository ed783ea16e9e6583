"""Scores a client sees are 0 to 1, and cold-start lists stay relevant, on the demo catalogue.

With no collaborative signals yet (a new shop) ALSO_VIEWED, BOUGHT_TOGETHER and FOR_YOU used
to fall to catalogue order: a trail shoe got a frying pan. They now fill from products close
to the anchor (embedding neighbours when vectors are loaded, then the anchor's category and
its parents) before anything else.
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.demo.catalog_generator import generate_catalog
from tests.support.appclient import running_gateway
from tests.support.identity_helpers import new_device
from tests.support.settings import make_settings

LIST = """query($s: RecommendationStrategy!, $p: ID) { recommendations(strategy: $s, productId: $p, first: 10) {
  items { score product { id categories { id } } } fallbacks { step added } } }"""
TRAIL_SHOE = "p-00019"  # Selvano Pike trail runners, in c-trail-running-shoes (footwear > running shoes)


@pytest.fixture(scope="module")
def demo() -> Any:
    return generate_catalog()


@pytest.mark.parametrize("strategy", ["ALSO_VIEWED", "BOUGHT_TOGETHER"])
async def test_a_trail_shoe_never_gets_a_frying_pan(demo: Any, strategy: str) -> None:
    async with running_gateway(make_settings(), demo.products, demo.brands, demo.categories) as gw:
        body = await gw.gql(LIST, {"s": strategy, "p": TRAIL_SHOE})
        result = body["data"]["recommendations"]
        items = result["items"]
        assert len(items) == 10
        tree = {c.id: c for c in demo.categories}
        for item in items:
            paths = {c for leaf in item["product"]["categories"] for c in tree[leaf["id"]].path}
            assert "c-footwear" in paths, item  # shoes stay with shoes
        assert result["fallbacks"][0]["step"] == "CATEGORY"
        scores = [i["score"] for i in items]
        assert scores[0] == 1.0 and all(0 < s <= 1 for s in scores) and scores == sorted(scores, reverse=True)


async def test_for_you_of_a_new_visitor_follows_what_they_viewed(demo: Any) -> None:
    async with running_gateway(make_settings(), demo.products, demo.brands, demo.categories) as gw:
        device = await new_device(gw)
        await device.view(TRAIL_SHOE)
        data = await device.gql(
            "{ recommendations(strategy: FOR_YOU, first: 8) { items { score product { categories { id } } } } }"
        )
        tree = {c.id: c for c in demo.categories}
        items = data["recommendations"]["items"]
        assert len(items) == 8
        for item in items:
            assert any("c-footwear" in tree[c["id"]].path for c in item["product"]["categories"]), item
        assert max(i["score"] for i in items) == 1.0
