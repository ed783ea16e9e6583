"""Every way we can think of to claim another person, on both backends.

A victim logs in properly (an identity token from the shop's backend naming their customer id,
email and loyalty card), browses and buys. An attacker then tries to become them. For every
attempt: the refusal carries its code, the attacker's responses never contain the victim's
data, and the victim's profile, identifiers and history are exactly as before.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import orjson
import pytest

from gateway.identity import email_hash, mint_identity_token
from gateway.kernel import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import IDENTIFY, TRACK, Device, counters, new_device
from tests.support.settings import TEST_IDENTITY_SECRET

VICTIM_EMAIL = "victim@example.com"
VICTIM_NAME = "Wiktoria"
VICTIM_CARD = "CARD-VICTIM"
MY_DATA = "{ myData }"
FORGET_ME = "mutation { forgetMe }"
VIEWER = "{ viewer { profile { traits counters { name count } interests { key } } } }"


async def victim_logs_in(gw: Gateway) -> Device:
    victim = await new_device(gw)
    await victim.view("p-00001", "p-00002")
    answer = await victim.identify("cust-victim", e=VICTIM_EMAIL, l=VICTIM_CARD, t={"firstName": VICTIM_NAME})
    assert answer["accepted"] and answer["code"] is None, answer
    order = {
        "messageId": "o-1",
        "name": "Order Completed",
        "properties": {"order_id": "o-1", "products": [{"product_id": "p-00002", "quantity": 1}]},
    }
    assert (await victim.gql(TRACK, {"events": [order]}))["track"]["accepted"] == 1
    return victim


async def snapshot(gw: Gateway, victim: Device) -> tuple[Any, ...]:
    """Everything that would change if the attacker got anywhere."""
    directory = gw.runtime.services.directory
    root = await directory.root(VisitorId(victim.visitor_id))
    (profile,) = await gw.runtime.stores.visitors.profiles.get_many([root])
    assert profile is not None
    merges = [(m.target, m.sources, m.refused) for m in await directory.merges_of(root) if m.refused is None]
    return (
        root,
        dict(profile.counters),
        dict(profile.traits),
        sorted(await directory.identifiers_of(root)),
        merges,
        counters(await victim.profile()),
    )


def assert_nothing_of(victim: Device, *bodies: Any) -> None:
    text = orjson.dumps(bodies).decode()
    for secret in (VICTIM_NAME, VICTIM_EMAIL, email_hash(VICTIM_EMAIL), VICTIM_CARD, "cust-victim", victim.visitor_id):
        assert secret not in text, secret


async def body_of(device: Device, query: str) -> dict[str, Any]:
    """The whole GraphQL answer (errors included) this device gets."""
    device.gw.client.cookies.clear()
    return await device.gw.gql(query, headers={"x-vitrine-visitor": device.token})


async def identify_raw(device: Device, **variables: Any) -> dict[str, Any]:
    data = await device.gql(IDENTIFY, variables)
    result: dict[str, Any] = data["identify"]
    return result


async def post_identify(gw: Gateway, device: Device, properties: dict[str, Any], **headers: str) -> dict[str, Any]:
    gw.client.cookies.clear()
    event = {"messageId": f"hostile-{time.perf_counter_ns()}", "type": "identify", "properties": properties}
    response = await gw.client.post(
        "/v1/events", json={"events": [event]}, headers={"x-vitrine-visitor": device.token, **headers}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_no_claim_reaches_another_person(backend_settings: Settings) -> None:
    async with running_gateway(backend_settings) as gw:
        victim = await victim_logs_in(gw)
        before = await snapshot(gw, victim)
        attacker = await new_device(gw)
        await attacker.view("p-00003")
        answers: list[Any] = []

        async def refused(answer: dict[str, Any], code: str) -> None:
            answers.append(answer)
            assert answer["accepted"] is False and answer["code"] == code, answer

        # 1. Bare claims from a browser, any identifier: never linked.
        await refused(await attacker.identify("cust-attacker", proven=False, e=VICTIM_EMAIL), "IDENTITY_UNPROVEN")
        await refused(await attacker.identify(None, proven=False, l=VICTIM_CARD), "IDENTITY_UNPROVEN")
        await refused(await attacker.identify("cust-victim", proven=False), "IDENTITY_UNPROVEN")
        # 2. A valid token for the attacker's own customer id does not carry an unsigned email or card.
        own = attacker.token_for("cust-attacker")
        await refused(await attacker.identify("cust-attacker", k=own, e=VICTIM_EMAIL), "IDENTITY_UNPROVEN")
        await refused(
            await attacker.identify("cust-attacker", k=attacker.token_for("cust-attacker"), l=VICTIM_CARD),
            "IDENTITY_UNPROVEN",
        )
        # 3. Forged, expired, or issued for someone else.
        forged = mint_identity_token(
            "not-the-shop-key-0123456789-abcdef", attacker.visitor_id, customer_id="cust-victim"
        )
        await refused(await identify_raw(attacker, k=forged), "TOKEN_INVALID")
        expired = mint_identity_token(
            TEST_IDENTITY_SECRET, attacker.visitor_id, customer_id="cust-victim", ttl_seconds=60, now=time.time() - 600
        )
        await refused(await identify_raw(attacker, k=expired), "TOKEN_EXPIRED")
        stolen = victim.token_for("cust-victim", VICTIM_EMAIL)  # a token the shop issued to the victim
        await refused(await identify_raw(attacker, k=stolen), "TOKEN_FOREIGN")
        too_long = mint_identity_token(
            TEST_IDENTITY_SECRET, attacker.visitor_id, customer_id="cust-x", ttl_seconds=86_400
        )
        await refused(await identify_raw(attacker, k=too_long), "TOKEN_INVALID")
        other_aud = mint_identity_token(
            TEST_IDENTITY_SECRET, attacker.visitor_id, customer_id="cust-x", audience="other"
        )
        await refused(await identify_raw(attacker, k=other_aud), "TOKEN_INVALID")
        # 4. Replay: the attacker's own valid token works once; a second event using it is refused.
        once = attacker.token_for("cust-attacker")
        first = await identify_raw(attacker, k=once, m="login-1")
        assert first["accepted"], first
        await refused(await identify_raw(attacker, k=once, m="login-2"), "TOKEN_REPLAYED")
        retry = await identify_raw(attacker, k=once, m="login-1")  # the same event sent again is no reuse
        assert retry["accepted"] and retry["code"] is None
        # 5. The events API: no key, identifiers of any kind.
        for properties in (
            {"email": VICTIM_EMAIL},
            {"emailHash": email_hash(VICTIM_EMAIL)},
            {"loyaltyCardId": VICTIM_CARD},
            {"customerId": "cust-victim"},
        ):
            body = await post_identify(gw, attacker, properties)
            answers.append(body)
            assert body["accepted"] == 0 and body["results"][0]["code"] == "IDENTITY_UNPROVEN", body
        # 6. An anonymous till "selling" to the victim's loyalty card.
        forged_order = {
            "messageId": "pos-forged",
            "name": "Order Completed",
            "channel": "pos",
            "properties": {
                "order_id": "pos-forged",
                "products": [{"product_id": "p-00004", "quantity": 9}],
                "loyalty_card_id": VICTIM_CARD,
            },
        }
        gw.client.cookies.clear()
        body = (await gw.client.post("/v1/events", json=[forged_order])).json()
        answers.append(body)
        assert body["accepted"] == 0 and body["results"][0]["code"] == "IDENTITY_UNPROVEN"
        # 7. The attacker reads its own data and erases itself: nothing of the victim is seen or lost.
        answers.append(await body_of(attacker, MY_DATA))
        answers.append(await body_of(attacker, VIEWER))
        assert (await attacker.gql(FORGET_ME))["forgetMe"] is True
        assert_nothing_of(victim, answers)
        assert await snapshot(gw, victim) == before


async def test_two_known_customers_never_merge(backend_settings: Settings) -> None:
    """Even when a backend vouches for a shared email, two customer ids stay two people, and the
    refused attempt is in both profiles' merge audit."""
    async with running_gateway(backend_settings) as gw:
        victim = await victim_logs_in(gw)
        before = await snapshot(gw, victim)
        attacker = await new_device(gw)
        token = mint_identity_token(
            TEST_IDENTITY_SECRET, attacker.visitor_id, customer_id="cust-attacker", email=VICTIM_EMAIL
        )
        answer = await identify_raw(attacker, k=token)
        assert answer["accepted"] is False and answer["code"] == "IDENTITY_CONFLICT", answer
        assert_nothing_of(victim, answer, await body_of(attacker, MY_DATA))
        assert await snapshot(gw, victim) == before
        directory = gw.runtime.services.directory
        victim_audit = await directory.merges_of(await directory.root(VisitorId(victim.visitor_id)))
        attacker_audit = await directory.merges_of(await directory.root(VisitorId(attacker.visitor_id)))
        assert [m.refused for m in victim_audit if m.refused] == ["IDENTITY_CONFLICT"]
        assert [m.refused for m in attacker_audit if m.refused] == ["IDENTITY_CONFLICT"]


async def test_two_identifies_racing_for_one_email(backend_settings: Settings) -> None:
    """Two customers whose backend tokens both name the same email, at the same moment: at most
    one gets it, the other is refused; two customer ids never end up on one profile."""
    async with running_gateway(backend_settings) as gw:
        one, two = await new_device(gw), await new_device(gw)
        tokens = [
            mint_identity_token(TEST_IDENTITY_SECRET, d.visitor_id, customer_id=c, email="shared@example.com")
            for d, c in ((one, "cust-one"), (two, "cust-two"))
        ]
        answers = await asyncio.gather(identify_raw(one, k=tokens[0]), identify_raw(two, k=tokens[1]))
        directory = gw.runtime.services.directory
        roots = {await directory.root(VisitorId(d.visitor_id)) for d in (one, two)}
        assert len(roots) == 2
        for root in roots:
            customers = [i for i in await directory.identifiers_of(root) if i.startswith("customer:")]
            assert len(customers) <= 1
        refused = [a["code"] for a in answers if not a["accepted"]]
        owner = await directory.owner_of(f"email:{email_hash('shared@example.com')}")
        assert owner in roots  # exactly one person holds the email
        assert refused in ([], ["IDENTITY_CONFLICT"])  # the loser is refused, or raced to a refused link
        # However the race went, a customer id is held by its own device's profile or by nobody.
        for device, customer in ((one, "cust-one"), (two, "cust-two")):
            held_by = await directory.owner_of(f"customer:{customer}")
            assert held_by in (None, await directory.root(VisitorId(device.visitor_id)))
        # ... and whoever won the email holds their own customer id with it.
        assert owner in {await directory.owner_of("customer:cust-one"), await directory.owner_of("customer:cust-two")}


async def test_identify_attempts_are_rate_limited(backend_settings: Settings) -> None:
    async with running_gateway(replace(backend_settings, identify_attempts_per_minute=3)) as gw:
        device = await new_device(gw)
        codes = [(await device.identify(f"cust-{n}"))["code"] for n in range(5)]
        # The first link succeeds; later ones conflict (one customer id per profile) until the limit.
        assert codes[0] is None and codes[-1] == "RATE_LIMITED", codes


async def test_servers_prove_identities_with_an_ingest_key_only(backend_settings: Settings) -> None:
    key = "bootstrap-admin-key-0123456789-abcdefghijkl"
    async with running_gateway(replace(backend_settings, admin_api_key=key)) as gw:
        create = 'mutation($r: Role!) { createApiKey(name: "k", role: $r) { secret } }'
        secrets = {
            role: (await gw.admin(create, {"r": role}, key=key))["data"]["createApiKey"]["secret"]
            for role in ("INGEST", "EDITOR")
        }
        device = await new_device(gw)
        gw.client.cookies.clear()
        event = {"messageId": "s-1", "type": "identify", "properties": {"customerId": "cust-server"}}
        unknown = await gw.client.post(
            "/v1/events", json=[event], headers={"authorization": "Bearer vk_nothere_0123456789"}
        )
        assert unknown.status_code == 401
        editor = await gw.client.post(
            "/v1/events", json=[event], headers={"authorization": f"Bearer {secrets['EDITOR']}"}
        )
        assert editor.status_code == 403 and "ingest" in editor.json()["error"]["message"]
        body = await post_identify(
            gw, device, {"customerId": "cust-server"}, authorization=f"Bearer {secrets['INGEST']}"
        )
        assert body["accepted"] == 1
        owner = await gw.runtime.services.directory.owner_of("customer:cust-server")
        assert owner == await gw.runtime.services.directory.root(VisitorId(device.visitor_id))
        # An ingest key cannot read the admin API.
        denied = await gw.admin("{ me { role } apiKeys { id } }", key=secrets["INGEST"], status=403)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
async def test_tokens_signed_with_the_shops_private_key_through_jwks(algorithm: str) -> None:
    """The shop keeps its private key; the gateway reads the public keys from a JWKS URL."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from tests.support.asgiserver import serve_asgi
    from tests.support.settings import make_settings

    private: Any = (
        rsa.generate_private_key(65537, 2048) if algorithm == "RS256" else ec.generate_private_key(ec.SECP256R1())
    )
    jwk = orjson.loads(jwt.algorithms.get_default_algorithms()[algorithm].to_jwk(private.public_key()))
    jwks = {"keys": [{**jwk, "kid": "shop-1", "use": "sig", "alg": algorithm}]}

    async def keys(_: Any) -> JSONResponse:
        return JSONResponse(jwks)

    with serve_asgi(Starlette(routes=[Route("/.well-known/jwks.json", keys)])) as base:
        settings = make_settings(identity_token_secret=None, identity_jwks_url=f"{base}/.well-known/jwks.json")
        async with running_gateway(settings) as gw:
            device = await new_device(gw)
            now = int(time.time())
            claims = {"vid": device.visitor_id, "aud": "vitrine", "iat": now, "exp": now + 300, "customer_id": "c-jwks"}
            token = jwt.encode(claims, private, algorithm=algorithm, headers={"kid": "shop-1"})
            assert (await identify_raw(device, k=token))["accepted"]
            assert await gw.runtime.services.directory.owner_of("customer:c-jwks") is not None
            other = (
                rsa.generate_private_key(65537, 2048)
                if algorithm == "RS256"
                else ec.generate_private_key(ec.SECP256R1())
            )
            forged = jwt.encode({**claims, "customer_id": "c-x"}, other, algorithm=algorithm, headers={"kid": "shop-1"})
            assert (await identify_raw(device, k=forged))["code"] == "TOKEN_INVALID"
