"""Identity stitching through the real app: identify, alias, merges under concurrency, limits."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from gateway.identity.values import email_hash
from gateway.kernel.visitor import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import counters, new_device

ALIAS = """mutation($t: String!) { alias(visitorToken: $t) { profileId merged } }"""
BOOTSTRAP = "bootstrap-admin-key-0123456789-abcdefghijkl"
CREATE_INGEST = 'mutation { createApiKey(name: "shop backend", role: INGEST) { secret } }'


async def test_identify_merges_devices_and_records_it(gateway: Gateway) -> None:
    phone, laptop = await new_device(gateway, "app"), await new_device(gateway)
    await phone.view("p-00001", "p-00002")
    await laptop.view("p-00003")
    first = await phone.identify("cust-1", e="Anna.K@Example.com ", t={"tier": "silver"})
    second = await laptop.identify("cust-1", t={"tier": "gold"})
    assert first["accepted"] and second["accepted"]
    assert first["profileId"] == phone.visitor_id  # alone so far
    assert second["profileId"] == min(phone.visitor_id, laptop.visitor_id)  # the survivor is the smaller id
    for device in (phone, laptop):
        viewer = await device.profile()
        assert counters(viewer) == {"Product Viewed": 3, "identify": 2}
        assert viewer["profile"]["traits"]["tier"] == "gold"  # the latest explicit value
        assert viewer["profile"]["traits"]["emailHash"] == email_hash("anna.k@example.com")
    identity = gateway.runtime.services.directory
    profile_id = VisitorId(second["profileId"])
    idents = await identity.identifiers_of(profile_id)
    assert f"email:{email_hash('anna.k@example.com')}" in idents and "customer:cust-1" in idents
    assert {f"visitor:{phone.visitor_id}", f"visitor:{laptop.visitor_id}"} <= set(idents)
    (merge,) = await identity.merges_of(profile_id)
    assert merge.reason == "identify via web" and len(merge.sources) == 1
    # The address itself is stored nowhere: not in the event log, not in the profile.
    stored = await gateway.runtime.stores.visitors.events.history([VisitorId(phone.visitor_id)], [], None, 50)
    assert "anna.k@example.com" not in repr(stored).lower()
    (profile,) = await gateway.runtime.stores.visitors.profiles.get_many([profile_id])
    assert "example.com" not in repr(profile).lower()
    # Identifying again is a no-op merge-wise.
    again = await laptop.identify("cust-1")
    assert again["profileId"] == second["profileId"]
    assert len(await identity.merges_of(profile_id)) == 1


async def test_alias_links_two_devices_without_login(gateway: Gateway) -> None:
    app, web = await new_device(gateway, "app"), await new_device(gateway)
    await app.view("p-00001")
    await web.view("p-00002", "p-00003")
    data = await web.gql(ALIAS, {"t": app.token})
    assert data["alias"]["merged"] == 1
    assert counters(await app.profile()) == {"Product Viewed": 3}
    bad = await gateway.gql(ALIAS, {"t": app.visitor_id + ".forged"}, headers={"x-vitrine-visitor": web.token})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_kiosk_visitors_and_blocked_ids_never_merge(backend_settings: Settings) -> None:
    settings = replace(backend_settings, identity_blocklist=frozenset({"customer:guest"}))
    async with running_gateway(settings) as gw:
        kiosk, alice, bob = await new_device(gw, "kiosk"), await new_device(gw), await new_device(gw)
        await kiosk.view("p-00004")
        await alice.identify("alice")
        await kiosk.identify("alice")  # Alice logs in at the shared kiosk
        await kiosk.identify("bob")  # ... then Bob does
        await bob.identify("bob")
        assert counters(await alice.profile()) == {"identify": 1}
        assert counters(await bob.profile()) == {"identify": 1}
        assert counters(await kiosk.profile()) == {"Product Viewed": 1, "identify": 2}
        # A placeholder customer id on the block list links nobody.
        await alice.identify("guest")
        await bob.identify("guest")
        ids = gw.runtime.services.directory
        assert await ids.root(VisitorId(alice.visitor_id)) != await ids.root(VisitorId(bob.visitor_id))


async def test_identifier_cap_refuses_a_merge(backend_settings: Settings) -> None:
    async with running_gateway(replace(backend_settings, identity_max_identifiers=3)) as gw:
        devices = [await new_device(gw) for _ in range(3)]
        await devices[0].identify("c-cap")
        await devices[1].identify("c-cap")  # visitor, visitor, customer: 3 identifiers
        await devices[2].identify("c-cap")  # a 4th would exceed the cap
        ids = gw.runtime.services.directory
        roots = [await ids.root(VisitorId(d.visitor_id)) for d in devices]
        assert roots[0] == roots[1] and roots[2] != roots[0]
        assert len(await ids.identifiers_of(roots[0])) == 3


async def test_identify_from_the_events_endpoint_links_too(backend_settings: Settings) -> None:
    """A server sends the identify with its ingest key; a browser sends the identity token."""
    async with running_gateway(replace(backend_settings, admin_api_key=BOOTSTRAP)) as gateway:
        body = await gateway.admin(CREATE_INGEST, key=BOOTSTRAP)
        ingest = body["data"]["createApiKey"]["secret"]
        one, two = await new_device(gateway), await new_device(gateway)
        await one.view("p-00001")
        sent = [
            (one, {"customerId": "c-http"}, {"authorization": f"Bearer {ingest}"}),
            (two, {"identityToken": two.token_for("c-http")}, {}),
        ]
        for device, properties, headers in sent:
            gateway.client.cookies.clear()
            response = await gateway.client.post(
                "/v1/events",
                json={"events": [{"messageId": "id-1", "type": "identify", "properties": properties}]},
                headers={"x-vitrine-visitor": device.token, **headers},
            )
            assert response.json()["accepted"] == 1, response.json()
        assert counters(await two.profile()) == {"Product Viewed": 1, "identify": 2}


async def test_two_devices_identify_at_once_on_two_instances(backend: str, backend_settings: Settings) -> None:
    """Two gateway instances sharing MongoDB and Redis; devices of one customer identify concurrently."""
    if backend == "memory":
        return  # two instances only share state through the real servers
    async with running_gateway(backend_settings) as gw1, running_gateway(backend_settings) as gw2:
        for round_ in range(4):
            customer = f"c-race-{round_}"
            devices = [await new_device(gw1), await new_device(gw2), await new_device(gw1), await new_device(gw2)]
            for i, device in enumerate(devices):
                await device.view(f"p-0000{i + 1}")
            results = await asyncio.gather(*(d.identify(customer, e=f"{customer}@example.com") for d in devices))
            assert all(r["accepted"] for r in results)
            ids = gw1.runtime.services.directory
            roots = {await ids.root(VisitorId(d.visitor_id)) for d in devices}
            assert len(roots) == 1, roots
            (root,) = roots
            assert (await gw1.runtime.stores.identities.owners([f"customer:{customer}"])) == [root]
            assert len(await ids.identifiers_of(root)) == 6  # 4 devices, the customer, the email
            for device in devices:
                assert counters(await device.profile()) == {"Product Viewed": 4, "identify": 4}
            merged = [s for m in await ids.merges_of(root) for s in m.sources]
            assert sorted(merged) == sorted(VisitorId(d.visitor_id) for d in devices if d.visitor_id != root)


async def test_identify_accepted_during_an_outage_links_on_replay() -> None:
    from gateway.testing.servers import free_port, start_redis
    from tests.support.settings import make_settings

    port = free_port()  # Redis (sessions and merge leases) is down at first
    async with running_gateway(make_settings(redis_url=f"redis://127.0.0.1:{port}/0", store_timeout_ms=300)) as gw:
        phone, laptop = await new_device(gw), await new_device(gw)
        for device in (phone, laptop):
            assert (await device.identify("c-outage"))["accepted"]  # stored durably, not yet applied
        ids = gw.runtime.services.directory
        assert await ids.root(VisitorId(phone.visitor_id)) != await ids.root(VisitorId(laptop.visitor_id))
        redis = start_redis(port)
        try:
            assert await gw.runtime.services.events.replay_unapplied(older_than_seconds=0) == 2
            assert await ids.root(VisitorId(phone.visitor_id)) == await ids.root(VisitorId(laptop.visitor_id))
            assert counters(await laptop.profile()) == {"identify": 2}
        finally:
            redis.stop()
