"""The condition vocabulary editors' pickers use: the language, and what exists to talk about."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from gateway.audiences import FIELDS, Op, parse_condition
from gateway.audiences.values.vocabulary import language
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

ADMIN = "vocabulary-admin-key-0123456789-abcdefghij"
VOCABULARY = """query($l: String!) { conditionVocabulary(locale: $l) {
  fields { name kind help pageView } openPrefixes { name kind help }
  operators { name takes ordered behaviour } events
  categories { id name depth } brands { id name } brandsListed } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Gateway]:
    async with running_gateway(replace(make_settings(), admin_api_key=ADMIN)) as gateway:
        yield gateway


def test_every_listed_field_and_operator_is_accepted_by_the_parser() -> None:
    lang = language()
    assert [f.name for f in lang.fields] == list(FIELDS)
    assert all(f.help for f in lang.fields), "every field says what it holds"
    assert {o.name for o in lang.operators} == {op.value for op in Op}
    samples = {"nothing": None, "list": ["a"], "range": [1, 2], "value": 1}
    for op in lang.operators:
        value = samples[op.takes]
        leaf = {"field": "cart.value", "op": op.name} | ({} if value is None else {"value": value})
        if op.name in ("startsWith", "endsWith", "regex"):
            leaf = {"field": "session.city", "op": op.name, "value": "War"}
        parse_condition(leaf)
        if op.behaviour:
            spec = {"event": "Product Viewed", "withinDays": 7}
            parse_condition({"behaviour": spec, "op": op.name, "value": [1, 2] if op.takes == "range" else 1})


async def test_the_admin_api_lists_fields_operators_events_categories_and_brands(gw: Gateway) -> None:
    body = await gw.admin(VOCABULARY, {"l": "pl"}, key=ADMIN)
    v = body["data"]["conditionVocabulary"]
    fields = {f["name"]: f for f in v["fields"]}
    assert fields["cart.value"] == {
        "name": "cart.value",
        "kind": "number",
        "help": "the cart's value",
        "pageView": True,
    }
    assert fields["profile.purchases"]["pageView"] is False
    assert [p["name"] for p in v["openPrefixes"]] == ["profile.traits.", "profile.counters."]
    ops = {o["name"]: o for o in v["operators"]}
    assert ops["between"] == {"name": "between", "takes": "range", "ordered": True, "behaviour": True}
    assert ops["in"]["takes"] == "list" and ops["exists"]["takes"] == "nothing"
    assert ops["contains"]["behaviour"] is False
    assert "Product Viewed" in v["events"] and "Order Completed" in v["events"] and "page" in v["events"]
    # The tree depth first, siblings by their name in the asked locale.
    assert v["categories"] == [
        {"id": "c-shoes", "name": "Buty", "depth": 0},
        {"id": "c-running", "name": "Bieganie", "depth": 1},
        {"id": "c-home", "name": "Dom", "depth": 0},
    ]
    # Brands of the catalogue's products (the test catalogue sells only Nordvik).
    assert v["brands"] == [{"id": "b-nordvik", "name": "Nordvik"}]
    assert v["brandsListed"] is True


async def test_a_viewer_may_read_the_vocabulary_and_a_stranger_may_not(gw: Gateway) -> None:
    created = await gw.admin('mutation { createApiKey(name: "Reader", role: VIEWER) { secret } }', key=ADMIN)
    viewer = created["data"]["createApiKey"]["secret"]
    assert "errors" not in await gw.admin(VOCABULARY, {"l": "en"}, key=viewer)
    await gw.admin(VOCABULARY, {"l": "en"}, key=None, status=401)


async def test_backends_agree(backend_settings: Settings) -> None:
    """On real MongoDB the catalogue is mirrored too (small): brands are listed."""
    async with running_gateway(replace(backend_settings, admin_api_key=ADMIN)) as gateway:
        v = (await gateway.admin(VOCABULARY, {"l": "en"}, key=ADMIN))["data"]["conditionVocabulary"]
        assert [c["id"] for c in v["categories"]] == ["c-home", "c-shoes", "c-running"]
        assert v["brandsListed"] is True and v["brands"] == [{"id": "b-nordvik", "name": "Nordvik"}]
