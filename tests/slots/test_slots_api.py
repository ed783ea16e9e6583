"""Slots end to end: editors define and publish through /admin/graphql, storefronts ask `slot`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.kernel.visitor import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.slot_fixtures import HERO, RUNNERS, STRIP, banner, variant

KEY = "slots-admin-key-0123456789-abcdefghijklmnop"

SAVE = {
    kind: f"mutation($d: JSON!) {{ {name}(definition: $d) {{ ok definition problems {{ path message }} }} }}"
    for kind, name in (
        ("slots", "saveSlot"),
        ("variants", "saveVariant"),
        ("audiences", "saveAudience"),
        ("experiments", "saveExperiment"),
    )
}
PUBLISH = "mutation($note: String!) { publish(note: $note) { version note publishedBy rollbackOf } }"
SLOT = """query($key: String!, $ctx: SlotContext) { slot(key: $key, context: $ctx) {
  __typename
  ... on Banner { title link decision {
    id variantId reason detail matchedConditions release experiment { key arm holdout } } }
  ... on ProductCarousel { title strategy products { id } decision { reason variantId } }
} }"""
TRACK = "mutation($events: [EventInput!]!) { track(events: $events) { accepted rejected results { reason } } }"


@pytest.fixture
async def gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gateway:
        yield gateway


async def save(gw: Gateway, kind: str, definition: dict[str, Any]) -> dict[str, Any]:
    body = await gw.admin(SAVE[kind], {"d": definition}, key=KEY)
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


async def publish(gw: Gateway, note: str = "") -> int:
    body = await gw.admin(PUBLISH, {"note": note}, key=KEY)
    version: int = body["data"]["publish"]["version"]
    return version


async def slot(gw: Gateway, key: str = "home-hero", **ctx: Any) -> dict[str, Any]:
    body = await gw.gql(SLOT, {"key": key, "ctx": ctx or None})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["slot"]
    return result


async def setup_home(gw: Gateway) -> None:
    for kind, definition in (
        ("slots", HERO),
        ("slots", STRIP),
        ("audiences", RUNNERS),
        ("variants", variant("runners", "New running shoes", 20, audience="runners")),
        (
            "variants",
            variant(
                "pl-evening",
                "Dobry wieczór",
                10,
                conditions={"field": "session.country", "op": "equals", "value": "PL"},
            ),
        ),
    ):
        assert (await save(gw, kind, definition))["ok"]
    await publish(gw, "home page")


async def track(gw: Gateway, *events: dict[str, Any]) -> None:
    body = await gw.gql(TRACK, {"events": list(events)})
    assert body["data"]["track"]["rejected"] == 0, body


async def test_editor_defines_publishes_and_storefront_serves_with_reasons(gw: Gateway) -> None:
    assert await slot(gw) is None  # nothing published yet: no such slot
    await setup_home(gw)
    default = await slot(gw)
    assert default["title"] == "Welcome" and default["decision"]["reason"] == "DEFAULT"
    assert default["decision"]["variantId"] is None and default["decision"]["release"] == 1
    pl = await slot(gw, country="pl")
    assert pl["decision"]["variantId"] == "pl-evening"
    assert pl["decision"]["matchedConditions"] == ["session.country equals PL"]
    kiosk = await slot(gw, channel="kiosk")
    assert kiosk["decision"]["reason"] == "CHANNEL_NOT_SERVED" and kiosk["title"] == "Welcome"
    # A trait from an identify call puts the visitor in the runners audience (higher priority).
    await track(gw, {"messageId": "i1", "type": "IDENTIFY", "properties": {"traits": {"sport": "running"}}})
    runner = await slot(gw, country="PL")
    assert runner["decision"]["reason"] == "AUDIENCE_MATCH" and runner["decision"]["variantId"] == "runners"
    assert runner["decision"]["matchedConditions"] == ["profile.traits.sport equals running"]
    carousel = await slot(gw, "home-strip")
    assert carousel["__typename"] == "ProductCarousel"
    assert [p["id"] for p in carousel["products"]] == ["p-00001", "p-00002"]


async def test_behaviour_counts_in_a_window_switch_the_content(gw: Gateway) -> None:
    await setup_home(gw)
    views = [
        {"messageId": f"v{i}", "name": "Product Viewed", "properties": {"product_id": f"p-0000{i}"}} for i in (1, 2)
    ]
    await track(gw, *views)
    assert (await slot(gw))["decision"]["reason"] == "DEFAULT"
    await track(gw, {"messageId": "v3", "name": "Product Viewed", "properties": {"product_id": "p-00003"}})
    await track(gw, {"messageId": "v3", "name": "Product Viewed", "properties": {"product_id": "p-00003"}})  # retry
    hit = await slot(gw)
    assert hit["decision"]["variantId"] == "runners"
    assert hit["decision"]["matchedConditions"] == ["count(Product Viewed category=c-running in 7d) gte 3"]


async def test_frequency_cap_counts_serves_per_visitor(gw: Gateway) -> None:
    await setup_home(gw)
    capped = variant("twice", "Twice a day", 30, frequencyCap={"max": 2, "windowHours": 24})
    assert (await save(gw, "variants", capped))["ok"]
    await publish(gw)
    seen = [(await slot(gw))["decision"] for _ in range(3)]
    assert [d["variantId"] for d in seen] == ["twice", "twice", None]
    assert seen[2]["reason"] == "FREQUENCY_CAPPED"
    gw.client.cookies.clear()  # another visitor has their own count
    assert (await slot(gw))["decision"]["variantId"] == "twice"


@pytest.mark.parametrize(
    ("kind", "definition", "path", "fragment"),
    [
        (
            "variants",
            variant("x", "x", 1, conditions={"field": "cart.valeu", "op": "gt", "value": 1}),
            "variant.conditions.field",
            "did you mean 'cart.value'",
        ),
        (
            "variants",
            variant("x", "x", 1, conditions={"field": "cart.value", "op": ">", "value": 1}),
            "variant.conditions.op",
            "did you mean 'gt'",
        ),
        (
            "variants",
            {**variant("x", "x", 1), "content": {"title": "No image"}},
            "variant.content.imageUrl",
            "required for a banner",
        ),
        ("variants", variant("x", "x", 1, slot="nowhere"), "variant.slot", "create the slot first"),
        (
            "experiments",
            {
                "key": "e",
                "status": "running",
                "slot": "home-hero",
                "arms": [{"key": "a", "weight": 60}, {"key": "b", "variant": "runners", "weight": 60}],
            },
            "experiment.arms",
            "add up to 120%",
        ),
        ("slots", {**HERO, "default": {**banner("x"), "altText": ""}}, "slot.default.altText", "screen readers"),
    ],
)
async def test_validation_problems_tell_the_editor_where_and_how(
    gw: Gateway, kind: str, definition: dict[str, Any], path: str, fragment: str
) -> None:
    await setup_home(gw)
    payload = await save(gw, kind, definition)
    assert payload["ok"] is False and payload["definition"] is None
    problem = payload["problems"][0]
    assert problem["path"] == path and fragment in problem["message"], problem


async def test_every_problem_of_a_save_is_reported_at_once(gw: Gateway) -> None:
    """An editor fixes a form in one round: each independent mistake has its own problem."""
    await setup_home(gw)
    definition = {
        **variant("x", "x", 1),
        "priority": -1,
        "status": "live",
        "content": {"title": "No image", "textColour": "red"},
        "conditions": {
            "all": [
                {"field": "cart.valeu", "op": "gt", "value": 1},
                {"field": "cart.value", "op": ">", "value": 1},
                {"behaviour": {"event": "Product Viewed", "withinDays": 0}, "op": "gte", "value": 1},
            ]
        },
    }
    payload = await save(gw, "variants", definition)
    assert payload["ok"] is False
    assert [p["path"] for p in payload["problems"]] == [
        "variant.status",
        "variant.priority",
        "variant.content.imageUrl",
        "variant.content.altText",
        "variant.content.link",
        "variant.content.textColour",
        "variant.conditions.all[0].field",
        "variant.conditions.all[1].op",
        "variant.conditions.all[2].behaviour.withinDays",
    ]
    messages = {p["path"]: p["message"] for p in payload["problems"]}
    assert "did you mean 'cart.value'" in messages["variant.conditions.all[0].field"]
    assert "did you mean 'gt'" in messages["variant.conditions.all[1].op"]


async def test_deleting_what_is_used_names_every_user(gw: Gateway) -> None:
    """Deleting is checked against the whole workspace; problems elsewhere keep their own paths."""
    await setup_home(gw)
    body = await gw.admin(
        'mutation { deleteDefinition(kind: AUDIENCES, key: "runners") { ok problems { path message } } }', key=KEY
    )
    payload = body["data"]["deleteDefinition"]
    assert payload["ok"] is False
    (problem,) = payload["problems"]
    assert problem["path"].startswith("variants[") and problem["path"].endswith("].audience")
    assert "cannot delete audience 'runners'" in problem["message"]


async def test_overlapping_schedules_are_refused(gw: Gateway) -> None:
    await setup_home(gw)
    a = variant("bf-a", "A", 50, schedule={"start": "2026-11-27T00:00", "end": "2026-11-30T00:00"})
    assert (await save(gw, "variants", a))["ok"]
    b = variant("bf-b", "B", 50, schedule={"start": "2026-11-29T00:00", "end": "2026-12-02T00:00"})
    (problem,) = (await save(gw, "variants", b))["problems"]
    assert "'bf-a' and 'bf-b'" in problem["message"] and "overlap" in problem["message"]


async def test_drafts_wait_for_publish_and_releases_have_history_diff_rollback(gw: Gateway) -> None:
    await setup_home(gw)
    assert (await save(gw, "variants", {**variant("everyone", "Hello all", 99), "status": "draft"}))["ok"]
    assert (await slot(gw))["decision"]["reason"] == "DEFAULT"  # a draft is not served
    release = (await gw.admin('mutation { publishVariant(id: "everyone") { version note } }', key=KEY))["data"]
    assert release["publishVariant"] == {"version": 2, "note": "publish variant everyone"}
    assert (await slot(gw))["decision"]["variantId"] == "everyone"
    assert (await save(gw, "variants", variant("everyone", "Hello again", 99)))["ok"]
    await publish(gw, "new copy")
    assert (await slot(gw))["title"] == "Hello again"

    history = await gw.admin("{ releases { version note rollbackOf } servedRelease }", key=KEY)
    assert [r["version"] for r in history["data"]["releases"]] == [3, 2, 1]
    assert history["data"]["servedRelease"] == 3
    diff = await gw.admin("{ releaseDiff(base: 2, target: 3) { kind key change fields } }", key=KEY)
    assert diff["data"]["releaseDiff"] == [
        {"kind": "variants", "key": "everyone", "change": "changed", "fields": ["content", "name"]}
    ]
    added = await gw.admin("{ releaseDiff(base: 1, target: 2) { key change } }", key=KEY)
    assert added["data"]["releaseDiff"] == [{"key": "everyone", "change": "added"}]

    rolled = await gw.admin("mutation { rollback(version: 1) { version rollbackOf note } }", key=KEY)
    assert rolled["data"]["rollback"] == {"version": 4, "rollbackOf": 1, "note": "rollback to release 1"}
    back = await slot(gw)
    assert back["decision"]["reason"] == "DEFAULT" and back["decision"]["release"] == 4
    workspace = await gw.admin("{ workspace { variants } }", key=KEY)
    assert {v["id"] for v in workspace["data"]["workspace"]["variants"]} == {"runners", "pl-evening"}
    await gw.admin('mutation { unpublishVariant(id: "runners") { version } }', key=KEY)
    await track(gw, {"messageId": "i1", "type": "IDENTIFY", "properties": {"traits": {"sport": "running"}}})
    assert (await slot(gw))["decision"]["variantId"] is None


async def test_deleting_what_is_used_is_refused(gw: Gateway) -> None:
    await setup_home(gw)
    body = await gw.admin(
        'mutation { deleteDefinition(kind: AUDIENCES, key: "runners") { ok problems { message } } }', key=KEY
    )
    payload = body["data"]["deleteDefinition"]
    assert payload["ok"] is False and "no audience 'runners'" in payload["problems"][0]["message"]
    ok = await gw.admin('mutation { deleteDefinition(kind: VARIANTS, key: "runners") { ok } }', key=KEY)
    assert ok["data"]["deleteDefinition"]["ok"] is True
    read = await gw.admin(
        '{ a: definition(kind: AUDIENCES, key: "runners") b: definition(kind: VARIANTS, key: "runners") }', key=KEY
    )
    assert read["data"] == {"a": RUNNERS, "b": None}


PREVIEW = """query($input: PreviewInput!) { preview(input: $input) {
  contentType content decision { reason variantId matchedConditions experiment { arm } } } }"""


async def test_preview_as_a_hypothetical_visitor_or_a_forced_variant_records_nothing(gw: Gateway) -> None:
    await setup_home(gw)
    capped = {**variant("draft-cap", "Draft", 99, frequencyCap={"max": 1, "windowHours": 24}), "status": "draft"}
    assert (await save(gw, "variants", capped))["ok"]
    runner = await gw.admin(
        PREVIEW, {"input": {"slotKey": "home-hero", "traits": {"sport": "running"}, "channel": "web"}}, key=KEY
    )
    decision = runner["data"]["preview"]["decision"]
    assert decision["variantId"] == "runners" and runner["data"]["preview"]["contentType"] == "banner"
    behaviour = {"event": "Product Viewed", "withinDays": 7, "category": "c-running", "count": 3}
    by_counts = await gw.admin(
        PREVIEW, {"input": {"slotKey": "home-hero", "channel": "web", "behaviour": [behaviour]}}, key=KEY
    )
    assert by_counts["data"]["preview"]["decision"]["variantId"] == "runners"
    for _ in range(3):  # forcing a capped draft again and again: still shown, nothing counted
        forced = await gw.admin(PREVIEW, {"input": {"slotKey": "home-hero", "variantId": "draft-cap"}}, key=KEY)
        preview = forced["data"]["preview"]
        assert preview["decision"]["reason"] == "FORCED" and preview["content"]["title"] == "Draft"
    store = gw.runtime.stores.slots.impressions
    assert await store.counts(VisitorId("v_preview"), [("draft-cap", datetime.now(UTC) - timedelta(days=1))]) == [0]


async def test_permissions_on_slot_admin(gw: Gateway) -> None:
    created = await gw.admin('mutation { createApiKey(name: "viewer", role: VIEWER) { secret } }', key=KEY)
    viewer = created["data"]["createApiKey"]["secret"]
    denied = await gw.admin(SAVE["slots"], {"d": HERO}, key=viewer, status=403)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN" and "editor" in denied["errors"][0]["message"]
    await gw.admin("{ workspace { slots } }", key=viewer)  # reading is fine
    await gw.admin("{ workspace { slots } }", key=None, status=401)


async def test_slot_inputs_are_bounded(gw: Gateway) -> None:
    await setup_home(gw)
    body = await gw.gql(SLOT, {"key": "home-hero", "ctx": {"referrer": "x" * 600}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "context.referrer: at most 512 characters" in body["errors"][0]["message"]
    many = await gw.gql("query($k: [String!]!) { slots(keys: $k) { __typename } }", {"k": [f"s{i}" for i in range(21)]})
    assert "at most 20 slots" in many["errors"][0]["message"]


async def test_compiled_execution_answers_slots_like_the_standard_one(gw: Gateway) -> None:
    await setup_home(gw)
    query = SLOT.replace("query($key", "query Slot($key")
    answers = []
    for compile_it in (False, True):
        response = await gw.client.post(
            "/graphql",
            json={
                "query": query,
                "variables": {"key": "home-strip"},
                "extensions": {"vitrine": {"compile": compile_it}},
            },
        )
        answers.append(response.json())
    standard, compiled = answers
    assert standard["extensions"]["vitrine"]["execution"] == "standard"
    assert compiled["extensions"]["vitrine"]["execution"] == "compiled"
    assert standard["data"] == compiled["data"] and standard["data"]["slot"]["__typename"] == "ProductCarousel"


async def test_a_strategy_carousel_is_filled_by_the_recommendation_service(gw: Gateway) -> None:
    strip = {
        "key": "recent-strip",
        "contentType": "productCarousel",
        "default": {"title": "Seen recently", "strategy": "RECENTLY_VIEWED"},
    }
    assert (await save(gw, "slots", strip))["ok"]
    await publish(gw, "strategy strip")
    viewed = [
        {"messageId": f"rv{n}", "name": "Product Viewed", "properties": {"product_id": f"p-0000{n}"}} for n in (3, 7)
    ]
    await track(gw, *viewed)
    carousel = await slot(gw, "recent-strip")
    assert carousel["strategy"] == "RECENTLY_VIEWED"
    # The visitor's own views, most recent first: not the catalogue's default order (p-00001, ...).
    assert [p["id"] for p in carousel["products"]][:2] == ["p-00007", "p-00003"]


async def test_releases_name_who_published_them(gw: Gateway) -> None:
    created = await gw.admin(
        'mutation { createApiKey(name: "Ada (editor)", role: EDITOR) { apiKey { id } secret } }', key=KEY
    )
    ada = created["data"]["createApiKey"]
    await setup_home(gw)
    await publish(gw, "by the bootstrap key")
    answered = await gw.admin('mutation { publish(note: "by Ada") { publishedBy publishedByName } }', key=ada["secret"])
    assert answered["data"]["publish"] == {"publishedBy": ada["apiKey"]["id"], "publishedByName": "Ada (editor)"}
    await gw.admin(f'mutation {{ revokeApiKey(id: "{ada["apiKey"]["id"]}") }}', key=KEY)
    body = await gw.admin(
        "{ releases { note publishedByName } release(version: 3) { release { publishedByName } } }", key=KEY
    )
    assert body["data"]["releases"][:2] == [
        {"note": "by Ada", "publishedByName": "Ada (editor)"},  # a revoked key keeps its name in history
        {"note": "by the bootstrap key", "publishedByName": "bootstrap (VITRINE_ADMIN_API_KEY)"},
    ]
    assert body["data"]["release"]["release"]["publishedByName"] == "Ada (editor)"


REAL_PREVIEW = """query($input: PreviewInput!) { preview(input: $input) {
  decision { reason variantId matchedConditions }
  visitor { visitorId profileId known personalized segments facts
            behaviour { event withinDays category count given } }
  products { id name price currency imageUrl inStock } } }"""


async def test_preview_as_a_real_visitor_loads_their_profile_session_and_counts(gw: Gateway) -> None:
    """Issue 18: a visitor who matches live previews as AUDIENCE_MATCH, not DEFAULT."""
    await setup_home(gw)
    views = [
        {"messageId": f"v{i}", "name": "Product Viewed", "properties": {"product_id": f"p-0000{i}"}} for i in (1, 2, 3)
    ]
    await track(gw, *views)
    live = await slot(gw, channel="web")
    assert live["decision"]["reason"] == "AUDIENCE_MATCH" and live["decision"]["variantId"] == "runners"
    visitor_id = (await gw.gql("{ viewer { visitorId } }"))["data"]["viewer"]["visitorId"]

    body = await gw.admin(
        REAL_PREVIEW, {"input": {"slotKey": "home-hero", "visitorId": visitor_id, "channel": "web"}}, key=KEY
    )
    preview = body["data"]["preview"]
    assert preview["decision"] == {k: live["decision"][k] for k in ("reason", "variantId", "matchedConditions")}
    seen = preview["visitor"]
    assert seen["known"] is True and seen["personalized"] is True and seen["profileId"] == visitor_id
    assert seen["behaviour"] == [
        {"event": "Product Viewed", "withinDays": 7.0, "category": "c-running", "count": 3, "given": False}
    ]
    assert seen["facts"]["session.recentlyViewed"] == ["p-00003", "p-00002", "p-00001"]
    assert seen["facts"]["session.channel"] == "web"

    # Another id is a new visitor: nothing stored, the default content.
    stranger = await gw.admin(
        REAL_PREVIEW, {"input": {"slotKey": "home-hero", "visitorId": "v_nobody", "channel": "web"}}, key=KEY
    )
    assert stranger["data"]["preview"]["decision"]["reason"] == "DEFAULT"
    assert stranger["data"]["preview"]["visitor"]["known"] is False
    # Editors can still change the real visitor for one preview: given counts replace what was read.
    given = {"event": "Product Viewed", "withinDays": 7, "category": "c-running", "count": 0}
    changed = await gw.admin(
        REAL_PREVIEW,
        {"input": {"slotKey": "home-hero", "visitorId": visitor_id, "channel": "web", "behaviour": [given]}},
        key=KEY,
    )
    assert changed["data"]["preview"]["decision"]["reason"] == "DEFAULT"
    assert changed["data"]["preview"]["visitor"]["behaviour"][0]["given"] is True
    # Previews wrote nothing: the visitor's counts and live decision are as before.
    assert (await slot(gw, channel="web"))["decision"]["variantId"] == "runners"
    # A visitor who withdraws consent to personalization previews as `slot` serves them.
    consent = """mutation { setConsent(purposes: [{purpose: PERSONALIZATION, granted: false}], source: "banner") {
      viewer { reason } } }"""
    assert (await gw.gql(consent))["data"]["setConsent"]["viewer"]["reason"] == "NO_CONSENT"
    withdrawn = await gw.admin(
        REAL_PREVIEW, {"input": {"slotKey": "home-hero", "visitorId": visitor_id, "channel": "web"}}, key=KEY
    )
    assert withdrawn["data"]["preview"]["decision"]["reason"] == "NO_CONSENT"
    assert withdrawn["data"]["preview"]["visitor"]["personalized"] is False


async def test_a_previewed_carousel_lists_its_products_like_a_storefront(gw: Gateway) -> None:
    await setup_home(gw)
    body = await gw.admin(REAL_PREVIEW, {"input": {"slotKey": "home-strip", "visitorId": "v_someone"}}, key=KEY)
    products = body["data"]["preview"]["products"]
    assert [p["id"] for p in products] == ["p-00001", "p-00002"]  # the strip's fixed list
    assert products[0] == {
        "id": "p-00001",
        "name": "Trail runner 1",
        "price": "51.00",
        "currency": "PLN",
        "imageUrl": "https://img.vitrine.example/p-00001/1.jpg",
        "inStock": True,
    }
    polish = await gw.admin(
        "query($i: PreviewInput!) { preview(input: $i) { products { name } } }",
        {"i": {"slotKey": "home-strip", "locale": "pl"}},
        key=KEY,
    )
    assert polish["data"]["preview"]["products"][0]["name"] == "But biegowy 1"
    banner = await gw.admin(REAL_PREVIEW, {"input": {"slotKey": "home-hero"}}, key=KEY)
    assert banner["data"]["preview"]["products"] == []
