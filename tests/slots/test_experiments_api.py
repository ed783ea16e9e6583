"""Experiments end to end: sticky arms, exposures on serve, clicks and conversions, results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from gateway.settings import Settings
from gateway.slots.values.experiments import assign
from tests.slots.test_slots_api import KEY, PREVIEW, SLOT, TRACK, publish, save
from tests.support.appclient import Gateway, running_gateway
from tests.support.slot_fixtures import HERO, STRIP, variant

RESULTS = """query($key: String!) { experimentResults(key: $key) { key status published notice totalExposures
  srmPValue srmDetected
  arms { arm isControl isHoldout expectedShare exposures clicks conversions clickRate conversionRate
         clickRateInterval { estimate low high } conversionRateInterval { estimate low high }
         uplift { estimate low high } probabilityBest } } }"""

EXPERIMENT = {
    "key": "hero-test",
    "name": "Bold hero",
    "status": "running",
    "slot": "home-hero",
    "arms": [{"key": "control", "weight": 50}, {"key": "bold", "variant": "bold", "weight": 50}],
    "holdout": 20,
    "attributionDays": 7,
}


@pytest.fixture
async def gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gateway:
        for kind, definition in (
            ("slots", HERO),
            ("slots", STRIP),
            ("variants", variant("bold", "BOLD", 1)),
            ("experiments", EXPERIMENT),
        ):
            assert (await save(gateway, kind, definition))["ok"]
        await publish(gateway, "experiment")
        yield gateway


VISIT = """{ viewer { visitorId } slot(key: "home-hero") {
  ... on Banner { title decision { id reason variantId experiment { key arm holdout } } } } }"""


VISIT = """{ viewer { visitorId } slot(key: "home-hero") {
  ... on Banner { title decision { id reason variantId experiment { key arm holdout } } } } }"""


async def visit(gw: Gateway) -> tuple[str, dict[str, Any]]:
    """A new visitor asks for the hero slot; returns (visitor id, decision)."""
    gw.client.cookies.clear()
    body = await gw.gql(VISIT)
    return body["data"]["viewer"]["visitorId"], body["data"]["slot"]


async def track(gw: Gateway, *events: dict[str, Any]) -> None:
    body = await gw.gql(TRACK, {"events": list(events)})
    assert body["data"]["track"]["rejected"] == 0, body


async def test_arms_are_sticky_and_measured(gw: Gateway) -> None:
    experiment = gw.runtime.services.slot_definitions.snapshot.experiments["hero-test"]
    arms: dict[str, list[str]] = {}
    for _ in range(40):
        visitor_id, slot = await visit(gw)
        expected = assign(experiment, visitor_id)
        assert expected is not None
        decision = slot["decision"]
        assert decision["experiment"] == {"key": "hero-test", "arm": expected.arm, "holdout": expected.holdout}
        if expected.arm == "bold":
            assert slot["title"] == "BOLD" and decision["reason"] == "EXPERIMENT"
        elif expected.arm == "holdout":
            assert slot["title"] == "Welcome" and decision["reason"] == "HOLDOUT"
        else:
            assert slot["title"] == "Welcome" and decision["reason"] == "EXPERIMENT" and decision["variantId"] is None
        # The same visitor again: same arm, exposure counted once.
        again = await gw.gql(SLOT, {"key": "home-hero"})
        assert again["data"]["slot"]["decision"]["experiment"]["arm"] == expected.arm
        arms.setdefault(expected.arm, []).append(decision["id"])
        if expected.arm != "holdout" and len(arms[expected.arm]) <= 3:
            click = {"messageId": "c1", "name": "Promotion Clicked", "properties": {"decision_id": decision["id"]}}
            order = {
                "messageId": "o1",
                "name": "Order Completed",
                "properties": {"order_id": "o-1", "products": [{"product_id": "p-00001", "quantity": 1}]},
            }
            await track(gw, click, order, {**order, "messageId": "o2"})  # a second order converts no further
    assert set(arms) == {"control", "bold", "holdout"}

    body = await gw.admin(RESULTS, {"key": "hero-test"}, key=KEY)
    results = body["data"]["experimentResults"]
    rows = {a["arm"]: a for a in results["arms"]}
    assert [a["arm"] for a in results["arms"]] == ["control", "bold", "holdout"]
    assert results["totalExposures"] == 40
    for arm, ids in arms.items():
        row = rows[arm]
        assert row["exposures"] == len(ids)
        converted = 0 if arm == "holdout" else min(3, len(ids))
        assert (row["clicks"], row["conversions"]) == (converted, converted)
        assert row["conversionRate"] == pytest.approx(converted / len(ids))
    assert rows["control"]["isControl"] and rows["holdout"]["isHoldout"]
    assert rows["control"]["expectedShare"] == pytest.approx(0.4) and rows["holdout"]["expectedShare"] == pytest.approx(
        0.2
    )
    assert rows["bold"]["probabilityBest"] is not None and rows["holdout"]["probabilityBest"] is None
    # Visitors get random ids, so the split itself is random: the check must agree with its
    # p-value (p < 0.001 happens about once in a thousand runs; tests/slots/test_experiment_stats
    # checks the detection on fixed counts).
    assert results["srmPValue"] is not None and results["srmDetected"] is (results["srmPValue"] < 0.001)
    assert results["published"] is True and results["notice"] is None
    # Per-arm rates come with the server's Wilson intervals (the console draws them as error bars).
    for row in rows.values():
        interval = row["conversionRateInterval"]
        assert interval["estimate"] == pytest.approx(row["conversionRate"])
        assert 0 <= interval["low"] <= interval["estimate"] <= interval["high"] <= 1
        assert row["clickRateInterval"]["estimate"] == pytest.approx(row["clickRate"])


async def test_preview_shows_an_arm_without_exposing(gw: Gateway) -> None:
    experiment = gw.runtime.services.slot_definitions.snapshot.experiments["hero-test"]
    unit = next(f"v_{i}" for i in range(100) if (a := assign(experiment, f"v_{i}")) and a.arm == "bold")
    body = await gw.admin(PREVIEW, {"input": {"slotKey": "home-hero", "visitorId": unit, "channel": "web"}}, key=KEY)
    assert body["data"]["preview"]["decision"]["experiment"] == {"arm": "bold"}
    results = await gw.admin(RESULTS, {"key": "hero-test"}, key=KEY)
    assert results["data"]["experimentResults"]["totalExposures"] == 0


async def test_unknown_experiment_results(gw: Gateway) -> None:
    body = await gw.admin(RESULTS, {"key": "nope"}, key=KEY)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_an_unpublished_experiment_answers_clearly_not_not_found(gw: Gateway) -> None:
    draft = {**EXPERIMENT, "key": "strip-test", "slot": "home-strip", "status": "draft", "holdout": 0,
             "arms": [{"key": "control"}, {"key": "new"}]}  # fmt: skip
    assert (await save(gw, "experiments", draft))["ok"]
    body = await gw.admin(RESULTS, {"key": "strip-test"}, key=KEY)
    assert "errors" not in body, body
    results = body["data"]["experimentResults"]
    assert results["published"] is False and results["status"] == "draft"
    assert "Not published yet" in results["notice"] and "publish" in results["notice"]
    assert [(a["arm"], a["exposures"], a["conversionRateInterval"]) for a in results["arms"]] == [
        ("control", 0, None),
        ("new", 0, None),
    ]
    assert results["totalExposures"] == 0 and results["srmPValue"] is None
    await publish(gw, "the strip test as a draft")
    results = (await gw.admin(RESULTS, {"key": "strip-test"}, key=KEY))["data"]["experimentResults"]
    assert results["published"] is True and "Published as a draft" in results["notice"]


async def test_multivariate_over_two_slots(gw: Gateway) -> None:
    strip_variant = {
        **variant("strip-new", "x", 1, slot="home-strip"),
        "content": {"title": "New in", "productIds": ["p-00009"]},
    }
    assert (await save(gw, "variants", strip_variant))["ok"]
    stopped = {**EXPERIMENT, "status": "stopped"}
    assert (await save(gw, "experiments", stopped))["ok"]
    mvt = {
        "key": "home-mvt",
        "type": "multivariate",
        "status": "running",
        "factors": [
            {"slot": "home-hero", "levels": [{"key": "calm"}, {"key": "bold", "variant": "bold"}]},
            {"slot": "home-strip", "levels": [{"key": "best"}, {"key": "new", "variant": "strip-new"}]},
        ],
    }
    assert (await save(gw, "experiments", mvt))["ok"]
    await publish(gw)
    experiment = gw.runtime.services.slot_definitions.snapshot.experiments["home-mvt"]
    query = """{ viewer { visitorId } slots(keys: ["home-hero", "home-strip"]) {
      ... on Banner { title decision { experiment { arm } } }
      ... on ProductCarousel { title decision { experiment { arm } } } } }"""
    cells = set()
    for _ in range(40):
        gw.client.cookies.clear()
        body = (await gw.gql(query))["data"]
        expected = assign(experiment, body["viewer"]["visitorId"])
        assert expected is not None
        hero, strip = body["slots"]
        assert hero["decision"]["experiment"]["arm"] == strip["decision"]["experiment"]["arm"] == expected.arm
        assert hero["title"] == ("BOLD" if expected.arm.startswith("bold") else "Welcome")
        assert strip["title"] == ("New in" if expected.arm.endswith("new") else "Bestsellers")
        cells.add(expected.arm)
    assert cells == {"calm+best", "calm+new", "bold+best", "bold+new"}
    results = (await gw.admin(RESULTS, {"key": "home-mvt"}, key=KEY))["data"]["experimentResults"]
    assert results["totalExposures"] == 40  # one exposure per visitor, though two slots showed it


async def test_identified_visitors_are_assigned_by_customer_id(gw: Gateway) -> None:
    experiment = gw.runtime.services.slot_definitions.snapshot.experiments["hero-test"]
    customer = next(f"cust-{i}" for i in range(100) if (a := assign(experiment, f"cust-{i}")) and a.arm == "bold")
    for _device in range(5):  # five devices, five visitor ids, one customer
        gw.client.cookies.clear()
        await track(gw, {"messageId": "i1", "type": "IDENTIFY", "properties": {"traits": {"customerId": customer}}})
        body = await gw.gql(VISIT)
        assert body["data"]["slot"]["decision"]["experiment"]["arm"] == "bold"
        assert body["data"]["slot"]["title"] == "BOLD"
