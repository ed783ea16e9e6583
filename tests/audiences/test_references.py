"""Definitions are checked against what exists: event names, categories, brands and products.

A condition naming `"Product Viewd"` or category `"c-runing"` used to save with `ok: true` and
never match anyone. Every admin save (slots, variants, audiences, experiments, segments) now
refuses it with the JSON path of the field and a did-you-mean, on both backends; the pure part
(which names a definition holds, where) and the service (what exists, the vocabulary as an input)
are tested on their own below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from gateway.audiences import Reference, ReferenceCheck, RefKind, built_in_events, condition_references
from gateway.catalogue import CatalogService, MemoryCatalogStore
from gateway.demo.catalog_generator import build_categories
from gateway.settings import Settings
from gateway.slots.values.references import definition_references
from tests.support.appclient import Gateway, running_gateway
from tests.support.factories import BRANDS, product
from tests.support.slot_fixtures import HERO, STRIP, banner

KEY = "references-admin-key-0123456789-abcdefghijk"
SAVE = {
    kind: f"mutation($d: JSON!) {{ {name}(definition: $d) {{ ok definition problems {{ path message }} }} }}"
    for kind, name in (
        ("slots", "saveSlot"),
        ("variants", "saveVariant"),
        ("audiences", "saveAudience"),
        ("experiments", "saveExperiment"),
    )
}
SAVE_SEGMENT = """mutation($k: String!, $d: JSON!) { saveSegment(key: $k, name: "S", definition: $d) {
  ok segment { key } problems { path message } } }"""
WORKSPACE = "{ workspace { audiences variants } }"
# The demo's category tree (c-footwear > c-running-shoes > c-trail-running-shoes, ...).
PRODUCTS = [
    product(i, category="c-trail-running-shoes", brand="b-kasztan" if i == 5 else "b-nordvik") for i in range(1, 6)
]


def viewed(event: str = "Product Viewed", **scope: str) -> dict[str, Any]:
    return {"behaviour": {"event": event, "withinDays": 7, **scope}, "op": "gte", "value": 1}


@pytest.fixture
async def gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    settings = replace(backend_settings, admin_api_key=KEY)
    async with running_gateway(settings, PRODUCTS, BRANDS, build_categories()) as gateway:
        yield gateway


async def save(gw: Gateway, kind: str, definition: dict[str, Any]) -> dict[str, Any]:
    body = await gw.admin(SAVE[kind], {"d": definition}, key=KEY)
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


async def test_an_audience_naming_a_misspelt_event_or_category_is_refused(gw: Gateway) -> None:
    audience = {
        "key": "runners",
        "conditions": {"any": [viewed("Product Viewd"), viewed(category="c-runing")]},
    }
    answer = await save(gw, "audiences", audience)
    assert answer["ok"] is False and answer["definition"] is None
    assert answer["problems"] == [
        {
            "path": "audience.conditions.any[0].behaviour.event",
            "message": "unknown event 'Product Viewd'; did you mean 'Product Viewed'?",
        },
        {
            "path": "audience.conditions.any[1].behaviour.category",
            "message": "unknown category 'c-runing'; did you mean 'c-running-shoes'?",
        },
    ]
    assert (await gw.admin(WORKSPACE, key=KEY))["data"]["workspace"]["audiences"] == []  # nothing stored
    fixed = {"key": "runners", "conditions": {"any": [viewed(), viewed(category="c-running-shoes")]}}
    assert (await save(gw, "audiences", fixed))["ok"] is True


async def test_variants_slots_and_experiments_are_checked_too(gw: Gateway) -> None:
    assert (await save(gw, "slots", HERO))["ok"]
    strip = {**STRIP, "default": {"title": "Best", "productIds": ["p-00001", "p-0002"]}}
    answer = await save(gw, "slots", strip)
    assert answer["problems"] == [
        {"path": "slot.default.productIds[1]", "message": "unknown product 'p-0002'; did you mean 'p-00002'?"}
    ]
    variant = {
        "id": "cart-runners",
        "slot": "home-hero",
        "status": "draft",
        "content": banner("Shoes in your cart"),
        "conditions": {
            "all": [
                {"field": "cart.items", "op": "contains", "value": "p-0005"},
                {"field": "profile.interests.brands", "op": "in", "value": ["b-nordvik", "Kasztan"]},
                {"field": "session.viewedCategories", "op": "contains", "value": "running-shoes"},
                {"field": "profile.counters.pos:Order Complete", "op": "gte", "value": 1},
            ]
        },
    }
    answer = await save(gw, "variants", variant)
    assert answer["ok"] is False
    assert answer["problems"] == [
        {"path": "variant.conditions.all[0].value", "message": "unknown product 'p-0005'; did you mean 'p-00005'?"},
        {
            "path": "variant.conditions.all[1].value[1]",
            "message": "'Kasztan' names a brand; conditions use its id: did you mean 'b-kasztan'?",
        },
        {
            "path": "variant.conditions.all[2].value",
            "message": "'running-shoes' is a category slug; conditions use its id: did you mean 'c-running-shoes'?",
        },
        {
            "path": "variant.conditions.all[3].field",
            "message": "unknown event 'Order Complete'; did you mean 'Order Completed'?",
        },
    ]
    assert (await save(gw, "variants", {**variant, "conditions": None}))["ok"]
    experiment = {
        "key": "hero-test",
        "type": "ab",
        "status": "draft",
        "slot": "home-hero",
        "arms": [{"key": "control", "variant": None}, {"key": "runners", "variant": "cart-runners"}],
        "conditions": viewed("Checkout Startd"),
    }
    answer = await save(gw, "experiments", experiment)
    assert answer["problems"] == [
        {
            "path": "experiment.conditions.behaviour.event",
            "message": "unknown event 'Checkout Startd'; did you mean 'Checkout Started'?",
        }
    ]


async def test_segments_are_checked_with_every_problem_at_its_path(gw: Gateway) -> None:
    definition = {
        "all": [
            viewed(brand="b-nordvk"),
            {"field": "profile.counters.wishlist:p-0003", "op": "gte", "value": 1},
            viewed("Totally Custom Thing"),
        ]
    }
    body = await gw.admin(SAVE_SEGMENT, {"k": "fans", "d": definition}, key=KEY)
    payload = body["data"]["saveSegment"]
    assert payload["ok"] is False and payload["segment"] is None
    assert payload["problems"] == [
        {"path": "conditions.all[0].behaviour.brand", "message": "unknown brand 'b-nordvk'; did you mean 'b-nordvik'?"},
        {"path": "conditions.all[1].field", "message": "unknown product 'p-0003'; did you mean 'p-00003'?"},
        {
            "path": "conditions.all[2].behaviour.event",
            "message": "unknown event 'Totally Custom Thing': no event of that name is sent or declared; use an "
            "event name such as 'Product Viewed' or 'Order Completed', or 'page' or 'screen'",
        },
    ]
    # What exists saves: call types, segment events, channel-scoped and wishlist counters.
    fine = {
        "all": [
            viewed("page"),
            viewed("Segment Entered"),
            viewed(product="p-00003"),
            {"field": "profile.counters.kiosk:Product Viewed", "op": "gte", "value": 1},
            {"field": "profile.counters.wishlist:p-00003", "op": "gte", "value": 1},
            {"field": "profile.interests.categories", "op": "contains", "value": "c-footwear"},
        ]
    }
    body = await gw.admin(SAVE_SEGMENT, {"k": "fans", "d": fine}, key=KEY)
    assert body["data"]["saveSegment"] == {"ok": True, "segment": {"key": "fans"}, "problems": []}


def test_references_are_listed_with_the_path_of_their_field() -> None:
    condition = {
        "not": {
            "any": [
                viewed("Product Added", category="c-a", brand="b-b", product="p-c"),
                {"field": "cart.items", "op": "in", "value": ["p-1", "p-2"]},
                {"field": "cart.items", "op": "regex", "value": "p-.*"},  # a pattern names nothing
                {"field": "profile.counters.Order Completed", "op": "gte", "value": 1},
                {"field": "profile.traits.sport", "op": "equals", "value": "running"},
            ]
        }
    }
    assert condition_references(condition) == [
        Reference(RefKind.EVENT, "Product Added", "conditions.not.any[0].behaviour.event"),
        Reference(RefKind.CATEGORY, "c-a", "conditions.not.any[0].behaviour.category"),
        Reference(RefKind.BRAND, "b-b", "conditions.not.any[0].behaviour.brand"),
        Reference(RefKind.PRODUCT, "p-c", "conditions.not.any[0].behaviour.product"),
        Reference(RefKind.PRODUCT, "p-1", "conditions.not.any[1].value[0]"),
        Reference(RefKind.PRODUCT, "p-2", "conditions.not.any[1].value[1]"),
        Reference(RefKind.EVENT, "Order Completed", "conditions.not.any[3].field"),
    ]
    variant = {"conditions": viewed(), "content": {"title": "t", "productIds": ["p-1"]}}
    assert [r.path for r in definition_references("variants", variant)] == [
        "variant.conditions.behaviour.event",
        "variant.content.productIds[0]",
    ]


async def test_the_event_vocabulary_is_an_input_and_big_catalogues_are_still_checked() -> None:
    store = MemoryCatalogStore()
    await store.upsert(PRODUCTS, BRANDS, build_categories())
    declared = ReferenceCheck(await _loaded(CatalogService(store)), events=lambda: built_in_events() | {"Email Opened"})
    email = [Reference(RefKind.EVENT, "Email Opened", "e"), Reference(RefKind.EVENT, "Email Opend", "f")]
    assert await declared.problems(email) == [("f", "unknown event 'Email Opend'; did you mean 'Email Opened'?")]
    # Too big to mirror: existence is still checked (a store read), without suggestions.
    unmirrored = ReferenceCheck(await _loaded(CatalogService(store, preload_max=0)))
    refs = [Reference(RefKind.PRODUCT, "p-00001", "a"), Reference(RefKind.PRODUCT, "p-0001", "b")]
    refs += [Reference(RefKind.BRAND, "b-nordvk", "c")]
    assert await unmirrored.problems(refs) == [
        ("b", "unknown product 'p-0001'"),
        ("c", "unknown brand 'b-nordvk'"),
    ]
    # Product suggestions stop above suggest_max products (difflib over more takes seconds).
    capped = ReferenceCheck(await _loaded(CatalogService(store)), suggest_max=3)
    assert await capped.problems(refs[1:2]) == [("b", "unknown product 'p-0001'")]


async def _loaded(catalog: CatalogService) -> CatalogService:
    await catalog.refresh()
    return catalog
