"""A recorded withdrawal restricts its purpose in every mode, on both backends.

VITRINE_CONSENT_REQUIRED is off here (the default): undecided purposes count as granted, so
every restriction seen below comes from the recorded withdrawal alone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.kernel import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, Device, counters, new_device
from tests.support.slot_fixtures import HERO, RUNNERS, variant

KEY = "consent-admin-key-0123456789-abcdefghijkl"
CONSENT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p, source: "banner") {
  viewer { personalized reason } } }"""
SAVE = {
    kind: f"mutation($d: JSON!) {{ {name}(definition: $d) {{ ok problems {{ path message }} }} }}"
    for kind, name in (("slots", "saveSlot"), ("variants", "saveVariant"), ("audiences", "saveAudience"))
}
HOME = """{ viewer { personalized reason profile { interests { key } } }
  slot(key: "home-hero") { ... on Banner { title decision { reason experiment { arm } } } }
  recommendations(strategy: FOR_YOU, first: 5) { items { product { id } reason { signal sourceIds } } } }"""


def viewed(n: int, product: str = "p-00001") -> dict[str, Any]:
    return {"messageId": f"v{n}", "name": "Product Viewed", "properties": {"product_id": product}}


async def publish_runner_banner(gw: Gateway) -> None:
    for kind, definition in (
        ("slots", HERO),
        ("audiences", RUNNERS),
        ("variants", variant("runners-hero", "For runners", audience="runners")),
    ):
        body = await gw.admin(SAVE[kind], {"d": definition}, key=KEY)
        assert next(iter(body["data"].values()))["ok"], body
    await gw.admin('mutation { publish(note: "consent") { version } }', key=KEY)


async def withdraw(device: Device, *purposes: str) -> dict[str, Any]:
    data = await device.gql(CONSENT, {"p": [{"purpose": p, "granted": False} for p in purposes]})
    viewer: dict[str, Any] = data["setConsent"]["viewer"]
    return viewer


async def test_withdrawn_analytics_stores_only_allowed_events(backend_settings: Settings) -> None:
    async with running_gateway(backend_settings) as gw:
        device = await new_device(gw)
        await device.view("p-00001")
        await withdraw(device, "ANALYTICS")
        order = {
            "messageId": "o1",
            "name": "Order Completed",
            "properties": {"order_id": "o1", "products": [{"product_id": "p-00002", "quantity": 1}]},
        }
        data = (await device.gql(TRACK, {"events": [viewed(2), order]}))["track"]
        assert data["accepted"] == 1 and data["results"][0]["code"] == "NO_CONSENT"
        stored = await gw.runtime.stores.visitors.events.history([VisitorId(device.visitor_id)], [], None, 10)
        assert sorted(s.event.name for s in stored) == ["Order Completed", "Product Viewed"]  # v2 never stored


async def test_withdrawn_personalization_means_a_strangers_answers(backend_settings: Settings) -> None:
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gw:
        await publish_runner_banner(gw)
        device = await new_device(gw)
        for n in range(3):  # enough to match the runners' audience
            await device.gql(TRACK, {"events": [viewed(n, f"p-0000{n + 1}")]})
        before = await device.gql(HOME)
        assert before["slot"]["title"] == "For runners" and before["viewer"]["personalized"] is True
        assert before["viewer"]["profile"]["interests"]
        viewer = await withdraw(device, "PERSONALIZATION")
        assert viewer == {"personalized": False, "reason": "NO_CONSENT"}
        profile_id = VisitorId(device.visitor_id)
        (profile_before,) = await gw.runtime.stores.visitors.profiles.get_many([profile_id])
        history_before = await gw.runtime.stores.recommendations.signals.histories([profile_id])
        # Events are still accepted (analytics stays granted) but change nothing personal.
        data = (await device.gql(TRACK, {"events": [viewed(10, "p-00004"), viewed(11, "p-00005")]}))["track"]
        assert data["accepted"] == 2
        (profile_after,) = await gw.runtime.stores.visitors.profiles.get_many([profile_id])
        assert profile_before is not None and profile_after is not None
        assert profile_after.counters == profile_before.counters
        assert profile_after.interest_mass == profile_before.interest_mass
        assert await gw.runtime.stores.recommendations.signals.histories([profile_id]) == history_before
        after = await device.gql(HOME)
        assert after["viewer"]["personalized"] is False and after["viewer"]["profile"]["interests"] == []
        assert after["slot"] == {"title": "Welcome", "decision": {"reason": "NO_CONSENT", "experiment": None}}
        recommended = after["recommendations"]["items"]
        assert recommended and all(not i["reason"]["sourceIds"] for i in recommended)  # nothing seeded by them
        # No impression or exposure was recorded for the stranger's answer.
        exposures = await gw.runtime.stores.slots.experiments.export_visitor(profile_id)
        assert exposures == {}


async def test_withdrawn_marketing_queues_no_message(backend_settings: Settings) -> None:
    settings = replace(
        backend_settings,
        webhook_url="http://127.0.0.1:9/none",  # no receiver: deliveries would wait in the outbox
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_abandoned_cart_minutes=1.0,
        trigger_holdout_percent=0.0,
    )
    async with running_gateway(settings) as gw:
        device = await new_device(gw)
        await withdraw(device, "MARKETING")
        cart = {"messageId": "c1", "name": "Product Added", "properties": {"product_id": "p-00003"}}
        assert (await device.gql(TRACK, {"events": [cart]}))["track"]["accepted"] == 1
        await gw.runtime.services.triggers.fire_due(datetime.now(UTC) + timedelta(hours=2))
        outbox = await gw.runtime.stores.triggers.outbox.find(profile_id=VisitorId(device.visitor_id))
        assert outbox == []
        assert counters(await device.profile())["Product Added"] == 1  # personalization still granted
