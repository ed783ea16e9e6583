"""The embedded demo as an editor finds it: a personalized home page, a running A/B test whose
results mean something, SIMILAR lists from shipped embeddings, and visitors to preview."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.demo import vectors as demo_vectors
from gateway.demo.catalog_generator import generate_catalog
from gateway.demo.vectors import dequantize, quantize
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

KEY = "demo-test-admin-key-0123456789-abcdefghij"
RESULTS = """{ experimentResults(key: "promo-copy") { status published totalExposures srmDetected
  arms { arm exposures clicks conversions conversionRate uplift { low } probabilityBest } } }"""


@pytest.fixture
async def demo(caplog: pytest.LogCaptureFixture) -> AsyncIterator[tuple[Gateway, list[str]]]:
    with caplog.at_level(logging.INFO, logger="gateway.demo"):
        async with running_gateway(make_settings(demo_data=True, admin_api_key=KEY), products=[]) as gw:
            yield gw, [r.getMessage() for r in caplog.records]


async def admin(gw: Gateway, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = await gw.admin(query, variables, key=KEY)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_the_demo_home_page_is_personalized_and_published(demo: tuple[Gateway, list[str]]) -> None:
    gw, _ = demo
    ws = (await admin(gw, "{ workspace { slots variants audiences experiments } }"))["workspace"]
    assert {s["key"] for s in ws["slots"]} == {"home-hero", "home-promo", "home-for-you"}
    hero = [v for v in ws["variants"] if v["slot"] == "home-hero"]
    assert {v["audience"] for v in hero} == {"runners", "home-cooks"}  # two banners, two audiences
    assert all(v["content"]["imageUrl"].startswith("/console/img/") for v in ws["variants"])  # offline images
    carousel = next(s for s in ws["slots"] if s["key"] == "home-for-you")
    assert carousel["default"]["strategy"] == "FOR_YOU"
    assert [e["key"] for e in ws["experiments"]] == ["promo-copy"]
    releases = await admin(gw, "{ releases { version } servedRelease releaseDiff(base: 2) { key } }")
    assert releases["servedRelease"] == 2 and releases["releaseDiff"] == []  # everything is published
    segments = (await admin(gw, "{ segments { key size } }"))["segments"]
    assert segments[0]["key"] == "customers" and segments[0]["size"] > 100
    # The storefront's home page answers from that release.
    page = await gw.gql("""{ slots(keys: ["home-hero", "home-promo", "home-for-you"]) {
      ... on Banner { title } ... on ProductCarousel { title products { id } } } }""")
    hero_banner, promo, for_you = page["data"]["slots"]
    assert hero_banner["title"] == "Welcome to Vitrine" and promo["title"] and len(for_you["products"]) == 12


async def test_the_running_ab_test_has_results_that_mean_something(demo: tuple[Gateway, list[str]]) -> None:
    gw, _ = demo
    results = (await admin(gw, RESULTS))["experimentResults"]
    assert results["status"] == "running" and results["published"] is True
    assert results["totalExposures"] == 4000 and results["srmDetected"] is False
    arms = {a["arm"]: a for a in results["arms"]}
    assert set(arms) == {"control", "returns", "holdout"}
    assert all(a["clicks"] > 10 and a["conversions"] > 10 for a in arms.values())
    # Free returns wins clearly: its uplift interval is above zero and P(best) is high.
    assert arms["returns"]["uplift"]["low"] > 0 and arms["returns"]["probabilityBest"] > 0.95


async def test_the_traffic_is_the_same_on_every_start(demo: tuple[Gateway, list[str]]) -> None:
    gw, _ = demo
    first = (await admin(gw, RESULTS))["experimentResults"]["arms"]
    async with running_gateway(make_settings(demo_data=True, admin_api_key=KEY), products=[]) as again:
        second = (await admin(again, RESULTS))["experimentResults"]["arms"]
    assert first == second


async def test_similar_lists_come_from_the_shipped_embeddings(demo: tuple[Gateway, list[str]]) -> None:
    gw, _ = demo
    body = await gw.gql("""{ recommendations(strategy: SIMILAR, productId: "p-00001", first: 5) {
      items { reason { signal } } fallbacks { step } } }""")
    listed = body["data"]["recommendations"]
    assert len(listed["items"]) == 5 and listed["fallbacks"] == []
    assert {i["reason"]["signal"] for i in listed["items"]} == {"SIMILAR"}


def test_the_shipped_embeddings_cover_the_generated_catalogue() -> None:
    """Fails when the demo catalogue changed: run scripts/generate_demo_vectors.py."""
    catalog = generate_catalog()
    vectors, missing = demo_vectors.load(catalog)
    assert missing == 0 and len(vectors) == len(catalog.products)
    assert demo_vectors.FILE.stat().st_size < 1_200_000  # int8: about 0.9 MB


def test_int8_vectors_keep_cosine_similarity() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(50, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1)[:, None]
    back = dequantize(*quantize(matrix))
    assert float(np.min(np.sum(matrix * back, axis=1))) > 0.999


async def test_the_demo_names_visitors_to_preview_and_they_match(demo: tuple[Gateway, list[str]]) -> None:
    gw, messages = demo
    found = dict(
        m.groups() for line in messages if (m := re.search(r"preview (\S+) as a real visitor with id (v_\w+)", line))
    )
    assert set(found) == {"runners", "home-cooks"}
    expected = {"runners": "hero-runners", "home-cooks": "hero-home-cooks"}
    for audience, visitor_id in found.items():
        preview = await admin(
            gw,
            """query($v: String!) { preview(input: {slotKey: "home-hero", visitorId: $v, channel: "web"}) {
              decision { reason variantId } visitor { known } } }""",
            {"v": visitor_id},
        )
        decision = preview["preview"]["decision"]
        assert preview["preview"]["visitor"]["known"] is True
        # A home cook who also likes running sees the higher-priority runners banner.
        assert decision["reason"] == "AUDIENCE_MATCH" and decision["variantId"] in (expected[audience], "hero-runners")
    ready = [m for m in messages if m.startswith("demo ready in")]
    assert ready and "the console is at /console/" in ready[0]


def test_the_embeddings_ship_in_the_package() -> None:
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert demo_vectors.FILE.name in config["tool"]["setuptools"]["package-data"]["gateway.demo"]
