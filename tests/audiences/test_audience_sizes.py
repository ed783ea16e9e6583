"""How many profiles an audience holds now: exact, sampled, a range, or unknown, and why."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from gateway.audiences import AudienceSizes, SizeStatus, parse_condition
from gateway.audiences.values.condition_evaluation import evaluate_known
from gateway.audiences.values.sizes import size_estimate
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway

ADMIN = "sizes-admin-key-0123456789-abcdefghijklmn"
SIZE = """query($k: String, $c: JSON) { audienceSize(key: $k, conditions: $c) {
  status matching upTo scanned complete pageViewFields note } }"""
TRACK = "mutation($events: [EventInput!]!) { track(events: $events) { accepted rejected } }"
GOLD = {"field": "profile.traits.tier", "op": "equals", "value": "gold"}
POLISH = {"field": "session.country", "op": "equals", "value": "PL"}


@pytest.fixture
async def gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(replace(backend_settings, admin_api_key=ADMIN)) as gateway:
        # Five shoppers: three gold, two silver; the first gold one viewed three running shoes.
        for n, tier in enumerate(["gold", "gold", "gold", "silver", "silver"]):
            gateway.client.cookies.clear()
            events: list[dict[str, Any]] = [
                {"messageId": f"i{n}", "type": "IDENTIFY", "properties": {"traits": {"tier": tier}}}
            ]
            if n == 0:
                events += [
                    {"messageId": f"v{i}", "name": "Product Viewed", "properties": {"product_id": f"p-0000{i}"}}
                    for i in (1, 2, 3)
                ]
            body = await gateway.gql(TRACK, {"events": events})
            assert body["data"]["track"]["rejected"] == 0, body
        yield gateway


async def size(gw: Gateway, **variables: Any) -> dict[str, Any]:
    body = await gw.admin(SIZE, variables, key=ADMIN)
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["audienceSize"]
    return answer


async def test_a_profile_condition_is_counted_exactly(gw: Gateway) -> None:
    got = await size(gw, c=GOLD)
    assert got == {
        "status": "EXACT",
        "matching": 3,
        "upTo": 3,
        "scanned": 5,
        "complete": True,
        "pageViewFields": [],
        "note": "3 of 5 profiles match now (60.0%).",
    }
    viewed = {"behaviour": {"event": "Product Viewed", "category": "c-shoes", "withinDays": 7}, "op": "gte", "value": 3}
    assert (await size(gw, c=viewed))["matching"] == 1  # behaviour counted over each person's events


async def test_a_workspace_audience_by_key_and_page_view_fields(gw: Gateway) -> None:
    save = "mutation($d: JSON!) { saveAudience(definition: $d) { ok } }"
    both = {"key": "polish-gold", "conditions": {"all": [GOLD, POLISH]}}
    assert (await gw.admin(save, {"d": both}, key=ADMIN))["data"]["saveAudience"]["ok"]
    got = await size(gw, k="polish-gold")
    assert (got["status"], got["matching"], got["upTo"], got["pageViewFields"]) == ("RANGE", 0, 3, ["session.country"])
    assert got["note"].startswith("Between 0 and 3 of 5 profiles: it also depends on what a page view tells")
    only = await size(gw, c=POLISH)
    assert only["status"] == "UNKNOWN" and "no stored profile says" in only["note"]
    silver_or_polish = await size(gw, c={"any": [{**GOLD, "value": "silver"}, POLISH]})
    assert (silver_or_polish["matching"], silver_or_polish["upTo"]) == (2, 5)


async def test_the_scan_is_bounded_and_says_so(gw: Gateway) -> None:
    runtime = gw.runtime
    sample = AudienceSizes(
        runtime.services.segments,
        runtime.stores.visitors.profile_index,
        runtime.stores.audiences.memberships,
        consent_required=False,
        scan_limit=2,
    )
    got = await sample.estimate(GOLD)
    assert (got.status, got.scanned, got.complete) == (SizeStatus.ESTIMATE, 2, False)
    assert "of the first 2 profiles read (more exist)" in got.note


async def test_mistakes_and_unknown_keys_answer_clearly(gw: Gateway) -> None:
    bad = await gw.admin(SIZE, {"c": {"field": "profile.trait.tier", "op": "equals", "value": 1}}, key=ADMIN)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "unknown field" in bad["errors"][0]["message"]
    missing = await gw.admin(SIZE, {"k": "nobody"}, key=ADMIN)
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    both = await gw.admin(SIZE, {"k": "x", "c": GOLD}, key=ADMIN)
    assert "either key" in both["errors"][0]["message"]


def test_kleene_evaluation_decides_what_the_known_facts_decide() -> None:
    def run(tree: dict[str, Any], facts: dict[str, Any]) -> bool | None:
        return evaluate_known(parse_condition(tree), facts, lambda q: 0, lambda f: f.startswith("session."))

    gold = {"profile.traits.tier": "gold"}
    assert run({"all": [GOLD, POLISH]}, gold) is None
    assert run({"all": [GOLD, POLISH]}, {"profile.traits.tier": "silver"}) is False
    assert run({"any": [GOLD, POLISH]}, gold) is True
    assert run({"not": POLISH}, gold) is None
    assert run({"not": GOLD}, gold) is False


def test_an_empty_store_is_exactly_empty() -> None:
    got = size_estimate(0, 0, 0, True, ())
    assert got.status is SizeStatus.EXACT and got.note == "0 of 0 profiles match now."
