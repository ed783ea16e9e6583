"""Every identify says what it did; shared devices (kiosks, tills) keep nothing and can be reset.

Before: an identify on a kiosk answered `accepted: true` and nothing else, and its proven
customer id and traits landed on the kiosk's own profile, so the next shopper there carried the
last one's `customerId`. Now the answer says the shared device was not linked, the kiosk's
profile keeps nothing, and `resetVisitor` gives the kiosk a new visitor id between shoppers.
"""

from __future__ import annotations

from dataclasses import replace

from gateway.kernel.visitor import VisitorId
from gateway.settings import Settings
from gateway.visitors import COOKIE_NAME, verify
from tests.support.appclient import running_gateway
from tests.support.identity_helpers import Device, counters, new_device
from tests.support.settings import SERVER

IDENTIFY = """mutation($c: String, $t: JSON, $k: String) {
  identify(customerId: $c, traits: $t, identityToken: $k) { accepted code linked notice profileId } }"""
RESET = "mutation { resetVisitor { visitorId viewer { visitorId session { recentlyViewed { id } } } } }"
SESSION = "{ viewer { visitorId session { recentlyViewed { id } } profile { traits } } }"


async def identify(device: Device, customer: str | None, **traits: str) -> dict[str, object]:
    token = device.token_for(customer) if customer else None
    data = await device.gql(IDENTIFY, {"c": customer, "t": traits or None, "k": token})
    result: dict[str, object] = data["identify"]
    return result


async def test_a_kiosk_identify_says_so_keeps_nothing_and_the_kiosk_resets(backend_settings: Settings) -> None:
    async with running_gateway(backend_settings) as gw:
        kiosk, phone = await new_device(gw, "kiosk"), await new_device(gw, "app")
        await kiosk.view("p-00004")
        answer = await identify(kiosk, "alice", firstName="Alice")
        assert answer["accepted"] is True and answer["linked"] is False
        assert answer["profileId"] == kiosk.visitor_id
        notice = str(answer["notice"])
        assert "shared device" in notice and "not" in notice and "resetVisitor" in notice
        kiosk_view = (await kiosk.gql(SESSION))["viewer"]
        assert kiosk_view["profile"]["traits"] == {}  # no customerId, no firstName
        assert counters(await kiosk.profile()) == {"Product Viewed": 1}
        # Alice's identifiers were linked to her own profile: her phone joins it when she logs in.
        directory = gw.runtime.services.directory
        alice = await directory.owner_of("customer:alice")
        assert alice is not None and alice != kiosk.visitor_id
        phone_answer = await identify(phone, "alice")
        assert phone_answer["linked"] is True and phone_answer["notice"] is None
        assert await directory.root(VisitorId(phone.visitor_id)) == await directory.root(alice)
        assert await directory.root(VisitorId(kiosk.visitor_id)) == kiosk.visitor_id  # the kiosk stays apart

        # Between shoppers the kiosk resets: a new signed id, in the header and the cookie.
        gw.client.cookies.clear()
        response = await gw.client.post(
            "/graphql",
            json={"query": RESET},
            headers={"x-vitrine-visitor": kiosk.token, "x-vitrine-channel": "kiosk"},
        )
        reset = response.json()["data"]["resetVisitor"]
        token = response.headers["x-vitrine-visitor"]
        new_id = verify(token, backend_settings.secret_keys)
        assert new_id is not None and new_id != kiosk.visitor_id
        assert reset["visitorId"] == reset["viewer"]["visitorId"] == new_id
        assert reset["viewer"]["session"]["recentlyViewed"] == []
        assert response.cookies[COOKIE_NAME] == token
        # The last shopper's session is gone even for someone who kept the old token.
        assert (await kiosk.gql(SESSION))["viewer"]["session"]["recentlyViewed"] == []
        # The next shopper starts clean and is not fused with Alice.
        bob_at_kiosk = Device(gw, token, "kiosk")
        assert (await identify(bob_at_kiosk, "bob"))["linked"] is False
        assert (await bob_at_kiosk.gql(SESSION))["viewer"]["profile"]["traits"] == {}
        bob = await directory.owner_of("customer:bob")
        assert bob is not None and await directory.root(bob) != await directory.root(alice)


async def test_a_till_identify_from_its_server_keeps_nothing_on_the_till(backend_settings: Settings) -> None:
    async with running_gateway(backend_settings) as gw:
        till = await new_device(gw, "pos")
        event = {"messageId": "i-1", "type": "identify", "channel": "pos", "properties": {"customerId": "carol"}}
        response = await gw.client.post(
            "/v1/events", json={"events": [event]}, headers={**SERVER, "x-vitrine-visitor": till.token}
        )
        assert response.json()["accepted"] == 1
        assert (await till.gql(SESSION))["viewer"]["profile"]["traits"] == {}
        carol = await gw.runtime.services.directory.owner_of("customer:carol")
        assert carol is not None and carol != till.visitor_id


async def test_every_identify_answer_says_whether_the_device_was_linked(backend_settings: Settings) -> None:
    settings = replace(backend_settings, identity_blocklist=frozenset({"customer:guest"}), identity_max_identifiers=3)
    async with running_gateway(settings) as gw:
        web = await new_device(gw)
        traits_only = await identify(web, None, tier="gold")
        assert (traits_only["accepted"], traits_only["linked"]) == (True, False)
        assert "no identifiers" in str(traits_only["notice"])
        blocked = await identify(web, "guest")
        assert (blocked["accepted"], blocked["linked"]) == (True, False)
        assert "nothing was linked" in str(blocked["notice"])
        assert await identify(web, "dora") == {
            "accepted": True,
            "code": None,
            "linked": True,
            "notice": None,
            "profileId": web.visitor_id,
        }
        # Past the identifier cap: refused before anything is stored, and the answer says so.
        second, third = await new_device(gw), await new_device(gw)
        assert (await identify(second, "dora"))["linked"] is True  # visitor, visitor, customer: 3
        capped = await identify(third, "dora")
        assert (capped["accepted"], capped["code"], capped["linked"]) == (False, "IDENTIFIER_LIMIT", False)
