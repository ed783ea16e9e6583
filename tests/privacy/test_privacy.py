"""Export and erasure: everything about a person comes out, then nothing is left in any store."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from gateway.identity.values import email_hash
from gateway.kernel.visitor import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, new_device

ADMIN = "bootstrap-admin-key-0123456789-abcdefghijkl"
EXPORT = "query($v: ID!) { exportVisitorData(visitorId: $v) }"
FORGET = "mutation($v: ID!) { forgetVisitor(visitorId: $v) { profiles identifiers events deliveries } }"
SAVE = 'mutation($d: JSON!) { saveSegment(key: "buyers", name: "Buyers", definition: $d) { ok } }'


async def everything_stored(gw: Gateway, settings: Settings) -> str:
    """Every document of every MongoDB collection and every Redis key and value, as one text."""
    backends = gw.runtime.backends
    dump: list[Any] = []
    if backends.mongo_client is not None:
        db = backends.mongo_client[settings.mongodb_database]
        for name in await db.list_collection_names():
            dump += [d async for d in db[name].find({})]
    if backends.redis is not None:
        async for key in backends.redis.scan_iter(match=f"{settings.redis_prefix}*"):
            dump.append(key)
            if await backends.redis.type(key) == b"string":
                dump.append(await backends.redis.get(key))
    return repr(dump)


async def test_export_then_forget_leaves_nothing_behind(
    backend_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gateway")
    caplog.set_level(logging.DEBUG, logger="vitrine")
    settings = replace(
        backend_settings,
        admin_api_key=ADMIN,
        webhook_url="http://127.0.0.1:9/none",  # no receiver: deliveries stay in the outbox
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_holdout_percent=0.0,
    )
    async with running_gateway(settings) as gw:
        await gw.admin(SAVE, {"d": {"field": "profile.purchases", "op": "gte", "value": 1}}, key=ADMIN)
        phone, laptop, bystander = await new_device(gw, "app"), await new_device(gw), await new_device(gw)
        await phone.view("p-00001")
        await laptop.identify("cust-erase", e="erase.me@example.com", l="CARD-ERASE")
        await phone.identify("cust-erase")
        till = {
            "messageId": "pos-1",
            "name": "Order Completed",
            "channel": "pos",
            "properties": {
                "order_id": "pos-1",
                "products": [{"product_id": "p-00002", "quantity": 1}],
                "loyalty_card_id": "CARD-ERASE",
            },
        }
        gw.client.cookies.clear()
        server = {"authorization": f"Bearer {ADMIN}"}  # the till's backend vouches for the card
        assert (await gw.client.post("/v1/events", json=[till], headers=server)).json()["accepted"] == 1
        cart = {"messageId": "c1", "name": "Product Added", "properties": {"product_id": "p-00003"}}
        await laptop.gql(TRACK, {"events": [cart]})
        await bystander.gql(
            TRACK,
            {
                "events": [
                    {
                        **till,
                        "messageId": "b1",
                        "channel": "WEB",
                        "properties": {"order_id": "b1", "products": [{"product_id": "p-00002", "quantity": 1}]},
                    }
                ]
            },
        )
        await gw.runtime.services.triggers.fire_due(datetime.now(UTC) + timedelta(minutes=61))

        exported = (await gw.admin(EXPORT, {"v": phone.visitor_id}, key=ADMIN))["data"]["exportVisitorData"]
        person = exported["profileId"]
        assert set(exported["identifiers"]) >= {
            f"visitor:{phone.visitor_id}",
            f"visitor:{laptop.visitor_id}",
            "customer:cust-erase",
            f"email:{email_hash('erase.me@example.com')}",
            "loyalty:CARD-ERASE",
        }
        names = {e["name"] for e in exported["events"]}
        assert {"Product Viewed", "identify", "Order Completed", "Product Added", "Segment Entered"} <= names
        assert exported["profile"]["counters"]["pos:Order Completed"] == 1
        assert exported["segments"] == ["buyers"] and len(exported["merges"]) >= 1
        assert [d["type"] for d in exported["decisions"]] == ["abandoned_cart"]
        assert any(s["cart"] == [["p-00003", 1]] for s in exported["sessions"])
        history = {(h["visitorId"], h["productId"], h["kind"]) for h in exported["recommendationHistory"]}
        assert {(phone.visitor_id, "p-00001", "view"), (laptop.visitor_id, "p-00003", "cart")} <= history
        counted = {
            (t["visitorId"], field) for t in exported["slotTraces"] for day in t["behaviour"].values() for field in day
        }
        assert {
            (phone.visitor_id, "Product Viewed|p:p-00001"),
            (laptop.visitor_id, "Product Added|p:p-00003"),
        } <= counted

        # The person asks through a signed request (their own visitor token), from the laptop.
        body = await laptop.gql("mutation { forgetMe }")
        assert body["forgetMe"] is True

        secrets_of_person = [
            phone.visitor_id,
            laptop.visitor_id,
            person,
            "cust-erase",
            "CARD-ERASE",
            email_hash("erase.me@example.com"),
        ]
        stores = gw.runtime.stores
        ids = [VisitorId(phone.visitor_id), VisitorId(laptop.visitor_id), VisitorId(person)]
        assert await stores.visitors.profiles.get_many(ids) == [None, None, None]
        assert await stores.identities.owners(["customer:cust-erase", "loyalty:CARD-ERASE"]) == [None, None]
        assert await stores.visitors.events.history(ids, ["CARD-ERASE"], None, 100) == []
        assert await stores.visitors.sessions.get_many(ids) == [None, None, None]
        assert await stores.audiences.memberships.memberships(ids) == [frozenset()] * 3
        assert [d for d in await stores.triggers.outbox.find() if d.profile_id in ids] == []
        assert [
            t
            for t in await stores.triggers.timers.claim_due(datetime.now(UTC) + timedelta(days=400), "x", 1, 100)
            if t.profile_id in ids
        ] == []
        stored = await everything_stored(gw, settings)
        for secret in secrets_of_person:
            assert secret not in stored, secret
            assert secret not in caplog.text, f"personal data in the logs: {secret}"
        assert "example.com" not in caplog.text and caplog.records  # (the gateway did log, just nothing personal)
        if gw.runtime.backends.mongo_client is not None:  # the dump does see live data: the bystander is in it
            assert bystander.visitor_id in stored
        # Aggregates only: the segment still counts the bystander, and the bystander is intact.
        sizes = (await gw.admin("{ segments { key size } }", key=ADMIN))["data"]["segments"]
        assert sizes == [{"key": "buyers", "size": 1}]
        mine = await bystander.gql("{ myData }")
        assert mine["myData"]["profile"]["counters"]["Order Completed"] == 1

        # Operators can erase through the admin API too (admin role only).
        report = (await gw.admin(FORGET, {"v": bystander.visitor_id}, key=ADMIN))["data"]["forgetVisitor"]
        assert report["events"] >= 1
        assert (
            bystander.visitor_id not in await everything_stored(gw, settings)
            or gw.runtime.backends.mongo_client is None
        )
        gone = await gw.admin(EXPORT, {"v": bystander.visitor_id}, key=ADMIN)
        assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert orjson.dumps(exported)  # the export is plain JSON


async def test_data_requests_need_a_signed_visitor(gateway: Gateway) -> None:
    body = await gateway.gql("{ myData }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    kiosk = await new_device(gateway, "kiosk")
    gateway.client.cookies.clear()
    shared = await gateway.gql(
        "mutation { forgetMe }", headers={"x-vitrine-visitor": kiosk.token, "x-vitrine-channel": "kiosk"}
    )
    assert "shared kiosk" in shared["errors"][0]["message"]


async def test_a_person_reads_their_export_and_is_found_by_identifier(backend_settings: Settings) -> None:
    """Interests as scores from 0 to 1 with rank and latest signal, engagement as a tier; no
    internal masses. Operators find the person by an email (hashed as stored) or a customer id."""
    async with running_gateway(replace(backend_settings, admin_api_key=ADMIN)) as gw:
        phone, laptop = await new_device(gw), await new_device(gw)
        await phone.view("p-00001", "p-00002", "p-00003")
        await laptop.identify("cust-read", e="Read.Me@Example.com")
        await phone.identify("cust-read")
        mine = (await phone.gql("{ myData }"))["myData"]
        profile = mine["profile"]
        assert "engagementMass" not in profile and "interestMass" not in repr(profile)
        interests = profile["interests"]
        assert interests and [i["rank"] for i in interests] == list(range(1, len(interests) + 1))
        assert interests[0]["score"] == 1.0 and all(0 < i["score"] <= 1 for i in interests)
        assert all(datetime.fromisoformat(i["lastSignalAt"]) <= datetime.now(UTC) for i in interests)
        assert set(profile["engagement"]) == {"score", "tier"} and profile["engagement"]["tier"] in {
            "active",
            "lapsing",
            "inactive",
        }
        by_email = "query($i: String!) { exportVisitorData(identifier: $i) }"
        for identifier in ("email:read.me@example.com", " email:READ.ME@example.com", "customer:cust-read"):
            found = (await gw.admin(by_email, {"i": identifier.strip()}, key=ADMIN))["data"]["exportVisitorData"]
            assert found["profileId"] == mine["profileId"]
        unknown = await gw.admin(by_email, {"i": "email:nobody@example.com"}, key=ADMIN)
        assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        malformed = await gw.admin(by_email, {"i": "phone:123"}, key=ADMIN)
        assert "kind:value" in malformed["errors"][0]["message"]
        forget = "mutation($i: String!) { forgetVisitor(identifier: $i) { profiles } }"
        erased = await gw.admin(forget, {"i": "customer:cust-read"}, key=ADMIN)
        assert erased["data"]["forgetVisitor"]["profiles"] >= 2
        assert await gw.runtime.services.directory.owner_of("customer:cust-read") is None
