"""In-store events feeding the online profile (ROPO), and consent gates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gateway.kernel.visitor import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, counters, new_device
from tests.support.settings import SERVER

CONSENT = """mutation($p: [ConsentInput!]!, $s: String!) { setConsent(purposes: $p, source: $s) {
  viewer { personalized reason profile { consent { purpose granted source at } } } } }"""


def order(message_id: str, card: str | None, channel: str | None = "pos") -> dict[str, Any]:
    props: dict[str, Any] = {"order_id": message_id, "products": [{"product_id": "p-00002", "quantity": 1}]}
    if card:
        props["loyalty_card_id"] = card
    event = {"messageId": message_id, "name": "Order Completed", "properties": props}
    return {**event, "channel": channel} if channel else event


async def test_viewed_online_bought_in_store_is_one_profile(gateway: Gateway) -> None:
    till = await new_device(gateway, "pos")  # a shared till: its own id must not collect people
    online = await new_device(gateway)
    await online.view("p-00002", "p-00003")
    gateway.client.cookies.clear()
    response = await gateway.client.post(
        "/v1/events",
        json={"events": [order("pos-1", "CARD-555"), order("pos-2", "CARD-777")]},
        headers={"x-vitrine-visitor": till.token, "x-vitrine-channel": "pos", **SERVER},
    )
    assert response.json()["accepted"] == 2
    assert counters(await till.profile()) == {}  # the till's own profile stays empty
    await online.identify("cust-ropo", l="CARD-555")
    viewer = await online.profile()
    assert counters(viewer) == {"Product Viewed": 2, "Order Completed": 1, "identify": 1}
    channels = {(c["channel"], c["name"]): c["count"] for c in viewer["profile"]["channels"]}
    assert channels[("pos", "Order Completed")] == 1 and channels[("web", "Product Viewed")] == 2
    # Later in-store purchases with the card land in the same profile.
    gateway.client.cookies.clear()
    await gateway.client.post(
        "/v1/events",
        json={"events": [order("pos-3", "CARD-555")]},
        headers={"x-vitrine-visitor": till.token, **SERVER},
    )
    assert counters(await online.profile())["Order Completed"] == 2
    # A store visit seen by a beacon (the shopper's app in range), also by card.
    visit = {
        "messageId": "b-1",
        "type": "page",
        "name": "Store Visit",
        "channel": "beacon",
        "properties": {"store_id": "krakow-1", "loyalty_card_id": "CARD-555"},
    }
    gateway.client.cookies.clear()
    assert (await gateway.client.post("/v1/events", json=[visit], headers=SERVER)).json()["accepted"] == 1
    channels = {(c["channel"], c["name"]): c["count"] for c in (await online.profile())["profile"]["channels"]}
    assert channels[("beacon", "page")] == 1
    # The other card is someone else's profile.
    owner = (await gateway.runtime.stores.identities.owners(["loyalty:CARD-777"]))[0]
    assert owner is not None and owner != await gateway.runtime.services.identity.root(VisitorId(online.visitor_id))


async def test_no_consent_stores_only_allowed_events_and_enriches_nothing(backend_settings: Settings) -> None:
    async with running_gateway(replace(backend_settings, consent_required=True)) as gw:
        device = await new_device(gw)
        events = [
            {"messageId": "v1", "name": "Product Viewed", "properties": {"product_id": "p-00001"}},
            order("o1", None, channel=None),
        ]
        data = await device.gql(TRACK, {"events": events})
        assert data["track"]["accepted"] == 1 and data["track"]["rejected"] == 1
        assert data["track"]["results"][0]["code"] == "NO_CONSENT"
        stored = await gw.runtime.stores.visitors.events.history([VisitorId(device.visitor_id)], [], None, 10)
        assert [s.event.name for s in stored] == ["Order Completed"]  # the allowed event, and only it
        viewer = await device.profile()
        assert viewer["personalized"] is False and viewer["reason"] == "NO_CONSENT"
        assert counters(viewer) == {}
        (profile,) = await gw.runtime.stores.visitors.profiles.get_many([VisitorId(device.visitor_id)])
        assert profile is None or profile.counters == {}  # nothing enriched the stored profile either

        granted = await device.gql(
            CONSENT,
            {
                "p": [{"purpose": "ANALYTICS", "granted": True}, {"purpose": "PERSONALIZATION", "granted": True}],
                "s": "cookie-banner",
            },
        )
        viewer = granted["setConsent"]["viewer"]
        assert viewer["personalized"] is True and viewer["reason"] is None
        assert {c["purpose"]: (c["granted"], c["source"]) for c in viewer["profile"]["consent"]} == {
            "analytics": (True, "cookie-banner"),
            "personalization": (True, "cookie-banner"),
        }
        await device.view("p-00001", prefix="after")
        assert counters(await device.profile()) == {"Product Viewed": 1}

        withdrawn = await device.gql(CONSENT, {"p": [{"purpose": "PERSONALIZATION", "granted": False}], "s": "app"})
        assert withdrawn["setConsent"]["viewer"]["reason"] == "NO_CONSENT"
        await device.view("p-00002", prefix="later")  # analytics still granted: stored, not enriched
        (profile,) = await gw.runtime.stores.visitors.profiles.get_many([VisitorId(device.visitor_id)])
        assert profile is not None and profile.counters.get("Product Viewed") == 1
