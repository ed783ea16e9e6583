"""After identify, the person is one: what the phone did counts on the laptop (both backends).

The seeds' headline case: running shoes viewed on the phone, a shoe banner on the laptop; the
laptop's recently viewed and FOR_YOU follow the phone's history, and FOR_YOU never recommends
what is already in the person's other cart.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, new_device
from tests.support.slot_fixtures import HERO, RUNNERS, variant

KEY = "person-admin-key-0123456789-abcdefghijklm"
SAVE = {
    kind: f"mutation($d: JSON!) {{ {name}(definition: $d) {{ ok problems {{ path message }} }} }}"
    for kind, name in (("slots", "saveSlot"), ("variants", "saveVariant"), ("audiences", "saveAudience"))
}
PAGE = """{ viewer { session { recentlyViewed { id } } }
  slot(key: "home-hero") { ... on Banner { title decision { reason matchedConditions } } }
  recommendations(strategy: FOR_YOU, first: 10) { items { product { id } reason { signal sourceIds } } } }"""


async def publish(gw: Gateway) -> None:
    for kind, definition in (
        ("slots", HERO),
        ("audiences", RUNNERS),  # 3 running products viewed within 7 days
        ("variants", variant("runners-hero", "Trail shoes for you", audience="runners")),
    ):
        body = await gw.admin(SAVE[kind], {"d": definition}, key=KEY)
        assert next(iter(body["data"].values()))["ok"], body
    await gw.admin('mutation { publish(note: "person") { version } }', key=KEY)


async def test_the_phone_s_running_shoes_reach_the_laptop(backend_settings: Settings) -> None:
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gw:
        await publish(gw)
        crowd = await new_device(gw)
        await crowd.view("p-00001", "p-00011")  # someone else: p-00011 is co-viewed with p-00001
        phone, laptop = await new_device(gw, "app"), await new_device(gw)
        await laptop.identify("cust-runner")
        laptop_page: dict[str, Any] = await laptop.gql(PAGE)
        assert laptop_page["slot"]["decision"]["reason"] == "DEFAULT"  # nothing known yet
        await phone.view("p-00001", "p-00002", "p-00003")  # running shoes, on the phone
        cart = {"messageId": "c1", "name": "Product Added", "properties": {"product_id": "p-00004"}}
        assert (await phone.gql(TRACK, {"events": [cart]}))["track"]["accepted"] == 1
        await phone.identify("cust-runner")  # the same customer logs in on the phone
        laptop_page = await laptop.gql(PAGE)
        banner = laptop_page["slot"]
        assert banner["title"] == "Trail shoes for you" and banner["decision"]["reason"] == "AUDIENCE_MATCH"
        viewed = [p["id"] for p in laptop_page["viewer"]["session"]["recentlyViewed"]]
        assert viewed[:3] == ["p-00003", "p-00002", "p-00001"]
        items = laptop_page["recommendations"]["items"]
        (co_viewed,) = [i for i in items if i["product"]["id"] == "p-00011"]
        assert co_viewed["reason"] == {"signal": "CO_VIEWED", "sourceIds": ["p-00001"]}  # the phone's history
        shown = {i["product"]["id"] for i in items}
        assert not shown & {"p-00001", "p-00002", "p-00003"}  # seen on the phone: not recommended again
        assert "p-00004" not in shown  # already in the phone's cart
        # The counts are the person's, never doubled: the phone asks the same question.
        assert (await phone.gql(PAGE))["slot"]["decision"]["reason"] == "AUDIENCE_MATCH"


async def test_a_person_s_other_carts_are_visible_to_conditions(backend_settings: Settings) -> None:
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gw:
        audience = {
            "key": "cart-elsewhere",
            "name": "Has something in a cart on any device",
            "conditions": {"field": "person.cart.itemCount", "op": "gte", "value": 1},
        }
        for kind, definition in (
            ("slots", HERO),
            ("audiences", audience),
            ("variants", variant("finish", "Finish your order", audience="cart-elsewhere")),
        ):
            body = await gw.admin(SAVE[kind], {"d": definition}, key=KEY)
            assert next(iter(body["data"].values()))["ok"], body
        await gw.admin('mutation { publish(note: "carts") { version } }', key=KEY)
        phone, laptop = await new_device(gw, "app"), await new_device(gw)
        add = {"messageId": "a1", "name": "Product Added", "properties": {"product_id": "p-00005"}}
        await phone.gql(TRACK, {"events": [add]})
        await phone.identify("cust-carts")
        await laptop.identify("cust-carts")
        slot = (await laptop.gql('{ slot(key: "home-hero") { ... on Banner { title } } }'))["slot"]
        assert slot["title"] == "Finish your order"
        cart = (await laptop.gql("{ viewer { session { cart { itemCount } } } }"))["viewer"]["session"]["cart"]
        assert cart["itemCount"] == 0  # the laptop's own cart stays its own
