"""Segment's Tracking API on the gateway: write keys, Segment's answers and errors, the same intake as /v1/events.

The wire formats here are those of the real clients, read from their sources: analytics.js
(text/plain bodies with `writeKey`, `/v1/t`, `/v1/p`, `/v1/i`, `/v1/b`), analytics-python and
RudderStack (gzip, HTTP Basic user). The clients themselves run in tests/external/test_segment_clients.py.
"""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.identity.values import email_hash
from gateway.kernel import StoreUnavailable, VisitorId
from gateway.visitors import IdKeys, visitor_for_anonymous, visitor_for_user
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import PROFILE, new_device
from tests.support.settings import TEST_SERVER_KEY, make_settings

CREATE_KEY = 'mutation($r: Role!) { createApiKey(name: "write key", role: $r) { secret } }'


def basic(key: str) -> dict[str, str]:
    """What Segment's and RudderStack's libraries send: the write key as HTTP Basic user, no password."""
    return {"authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


async def write_keys(gw: Gateway) -> dict[str, str]:
    """A key of each role, created by the bootstrap admin key."""
    return {
        role: (await gw.admin(CREATE_KEY, {"r": role.upper()}, key=TEST_SERVER_KEY))["data"]["createApiKey"]["secret"]
        for role in ("browser", "ingest", "viewer")
    }


def keys_of(gw: Gateway) -> IdKeys:
    settings = gw.runtime.settings
    return IdKeys(settings.secret_keys, settings.anonymous_key)


def now_iso(delta: float = 0.0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=delta)).isoformat()


async def history(gw: Gateway, visitor: VisitorId) -> dict[str, Any]:
    stored = await gw.runtime.stores.visitors.events.history([visitor], [], None, 100)
    return {s.event.message_id: s.event for s in stored}


async def profile(gw: Gateway, visitor: VisitorId) -> Any:
    root = await gw.runtime.services.directory.root(visitor)
    (found,) = await gw.runtime.stores.visitors.profiles.get_many([root])
    return found


async def test_a_batch_goes_through_the_intake_once_with_its_clock_corrected(gateway: Gateway) -> None:
    gw = gateway
    keys = await write_keys(gw)
    batch = {
        "batch": [
            {"type": "track", "event": "Product Viewed", "anonymousId": "ajs-1", "messageId": "m1",
             "properties": {"product_id": "p-00001"}, "timestamp": now_iso(-3600 - 20)},
            {"type": "track", "event": "Product Added", "anonymousId": "ajs-1", "messageId": "m2",
             "properties": {"product_id": "p-00001", "quantity": 2}},
            {"type": "track", "event": "Newsletter Signed Up", "anonymousId": "ajs-1", "messageId": "m3"},
            {"type": "page", "anonymousId": "ajs-2", "messageId": "m4", "name": "Home",
             "properties": {"path": "/"}},
            {"type": "track", "event": "Product Viewed", "anonymousId": "ajs-2", "messageId": "m5",
             "properties": {"product_id": "p-nope"}},
            {"type": "track", "anonymousId": "ajs-2", "messageId": "m6"},
        ],
        # The device's clock is an hour behind: m1 happened 20 s before the batch was sent.
        "sentAt": now_iso(-3600),
    }  # fmt: skip
    response = await gw.client.post("/v1/batch", json=batch, headers=basic(keys["ingest"]))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["success"] is True
    assert (answer["accepted"], answer["keptUnused"], answer["duplicates"], answer["rejected"]) == (4, 1, 0, 2)
    by_index = {r["index"]: r for r in answer["results"]}
    assert sorted(by_index) == [2, 4, 5]  # what was not used as sent, and why
    assert by_index[2]["keptUnused"] is True and "changes no profile" in by_index[2]["reason"]
    assert (by_index[4]["code"], by_index[5]["code"]) == ("UNKNOWN_PRODUCT", "INVALID_FORMAT")

    first = visitor_for_anonymous("ajs-1", keys_of(gw))
    stored = await history(gw, first)
    assert set(stored) == {"m1", "m2", "m3"} and stored["m3"].inert
    assert abs(stored["m1"].timestamp - (stored["m1"].received_at - timedelta(seconds=20))) < timedelta(seconds=1)
    found = await profile(gw, first)
    assert found.counters["Product Viewed"] == 1 and "Newsletter Signed Up" not in found.counters
    session = (await gw.runtime.stores.visitors.sessions.get_many([first]))[0]
    assert session is not None and [(line.product_id, line.quantity) for line in session.cart] == [("p-00001", 2)]

    # A retry of the same batch (the libraries retry on 5xx and timeouts) is stored and applied once.
    again = (await gw.client.post("/v1/batch", json=batch, headers=basic(keys["ingest"]))).json()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 4, 2)
    assert (await profile(gw, first)).counters["Product Viewed"] == 1
    metrics = (await gw.client.get("/metrics")).text
    assert "vitrine_events_kept_unused_total 1.0" in metrics


async def test_write_keys_where_clients_send_them_and_which_roles_may() -> None:
    async with running_gateway(make_settings()) as gw:
        keys = await write_keys(gw)
        message = {"type": "track", "event": "Cart Viewed", "anonymousId": "a", "messageId": "k1"}
        ok = [
            await gw.client.post("/v1/track", json=message, headers=basic(keys["browser"])),
            await gw.client.post("/v1/track", json={**message, "messageId": "k2"},
                                 headers={"authorization": f"Bearer {keys['ingest']}"}),
            await gw.client.post("/v1/t", headers={"content-type": "text/plain"},
                                 content=json.dumps({**message, "messageId": "k3", "writeKey": keys["browser"]})),
        ]  # fmt: skip
        assert [r.status_code for r in ok] == [200, 200, 200], [r.text for r in ok]
        assert ok[0].json() == {
            "success": True,
            "accepted": 1,
            "keptUnused": 0,
            "duplicates": 0,
            "rejected": 0,
            "results": [],
        }
        missing = await gw.client.post("/v1/track", json=message)
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Basic")
        assert missing.json()["success"] is False and "Basic base64(writeKey:)" in missing.json()["message"]
        unknown = await gw.client.post("/v1/track", json=message, headers=basic("vk_nothere_0123456789"))
        assert unknown.status_code == 401 and unknown.json()["code"] == "UNAUTHENTICATED"
        garbled = await gw.client.post("/v1/track", json=message, headers={"authorization": "Basic %%%"})
        assert garbled.status_code == 401
        viewer = await gw.client.post("/v1/track", json=message, headers=basic(keys["viewer"]))
        assert viewer.status_code == 403 and "browser or ingest" in viewer.json()["message"]
        # A write key reads nothing of the admin API.
        denied = await gw.admin("{ apiKeys { id } }", key=keys["browser"], status=403)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_only_a_server_write_key_proves_who_is_who(gateway: Gateway) -> None:
    gw = gateway
    keys = await write_keys(gw)
    directory = gw.runtime.services.directory
    identify = {"type": "identify", "anonymousId": "dev-1", "userId": "cust-7",
                "traits": {"email": "Anna@Example.com", "plan": "pro"}}  # fmt: skip
    browser = await gw.client.post("/v1/identify", json={**identify, "messageId": "b1"}, headers=basic(keys["browser"]))
    assert browser.status_code == 200
    (note,) = browser.json()["results"]
    assert note["status"] == "ACCEPTED" and "not linked" in note["note"]
    device = visitor_for_anonymous("dev-1", keys_of(gw))
    assert await directory.owner_of("customer:cust-7") is None  # traits kept, identity never proven
    traits = (await profile(gw, device)).traits
    assert (
        traits["plan"] == "pro" and traits["emailHash"] == email_hash("anna@example.com") and "customerId" not in traits
    )
    # A browser key cannot write into a customer's own visitor by naming its userId.
    alone = await gw.client.post("/v1/track", json={"type": "track", "event": "Cart Viewed", "userId": "cust-7"},
                                 headers=basic(keys["browser"]))  # fmt: skip
    assert alone.status_code == 400 and alone.json()["code"] == "IDENTITY_UNPROVEN"

    server = await gw.client.post("/v1/identify", json={**identify, "messageId": "s1"}, headers=basic(keys["ingest"]))
    assert server.status_code == 200 and server.json()["accepted"] == 1
    owner = await directory.owner_of("customer:cust-7")
    assert owner == await directory.root(device)
    assert await directory.owner_of(f"email:{email_hash('anna@example.com')}") == owner
    # Calls that carry only the userId (server code) land in the same profile.
    track = {"type": "track", "event": "Product Viewed", "userId": "cust-7", "properties": {"product_id": "p-00002"}}
    assert (await gw.client.post("/v1/track", json=track, headers=basic(keys["ingest"]))).status_code == 200
    assert await directory.root(visitor_for_user("cust-7", keys_of(gw))) == owner
    assert (await profile(gw, device)).counters["Product Viewed"] == 1
    # alias from a server: the previous anonymous device joins the customer.
    alias = {"type": "alias", "previousId": "dev-2", "userId": "cust-7"}
    assert (await gw.client.post("/v1/alias", json=alias, headers=basic(keys["ingest"]))).status_code == 200
    merged = await directory.owner_of("customer:cust-7")  # the survivor is the smallest profile id
    assert await directory.root(visitor_for_anonymous("dev-2", keys_of(gw))) == merged == await directory.root(device)


async def test_analytics_js_on_the_storefronts_own_visitor() -> None:
    """The storefront gives analytics.js its Vitrine visitor token as anonymousId
    (`analytics.setAnonymousId(token)`): its events reach the visitor the GraphQL requests read."""
    async with running_gateway(make_settings()) as gw:
        keys = await write_keys(gw)
        device = await new_device(gw)
        common = {"anonymousId": device.token, "writeKey": keys["browser"], "sentAt": now_iso()}
        page = {
            **common,
            "type": "page",
            "name": "Product",
            "messageId": "ajs-p1",
            "context": {"page": {"path": "/p/p-00003", "url": "https://shop.example/p/p-00003"}},
        }
        track = {**common, "type": "track", "event": "Product Viewed", "messageId": "ajs-t1",
                 "properties": {"product_id": "p-00003"}}  # fmt: skip
        for path, body in (("/v1/p", page), ("/v1/t", track)):
            response = await gw.client.post(path, content=json.dumps(body), headers={"content-type": "text/plain"})
            assert response.status_code == 200, response.text
            assert response.headers["access-control-allow-origin"] == "*"  # fetch() may read the answer
        batched = {"batch": [{**track, "messageId": "ajs-t2", "event": "Cart Viewed", "properties": {}}],
                   "writeKey": keys["browser"], "sentAt": now_iso()}  # fmt: skip
        response = await gw.client.post("/v1/b", content=json.dumps(batched), headers={"content-type": "text/plain"})
        assert response.json()["accepted"] == 1
        viewer = (await device.gql(PROFILE))["viewer"]
        counts = {c["name"]: c["count"] for c in viewer["profile"]["counters"]}
        assert counts == {"page": 1, "Product Viewed": 1, "Cart Viewed": 1}
        preflight = await gw.client.options("/v1/t", headers={"origin": "https://shop.example"})
        assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"


async def test_what_a_segment_webhook_destination_forwards() -> None:
    """One event per request with its type (or a list, when the destination batches), already
    received by Segment: its timestamp is kept as Segment corrected it."""
    async with running_gateway(make_settings()) as gw:
        keys = await write_keys(gw)
        at = now_iso(-600)
        forwarded = {"type": "track", "event": "Cart Viewed", "anonymousId": "fw-1", "messageId": "fw-m1",
                     "timestamp": at, "sentAt": now_iso(-3000), "receivedAt": now_iso(-599),
                     "originalTimestamp": now_iso(-3010)}  # fmt: skip
        one = await gw.client.post("/v1/batch", json=forwarded, headers={"authorization": f"Bearer {keys['ingest']}"})
        assert one.json()["accepted"] == 1
        many = await gw.client.post(
            "/v1/batch", json=[{**forwarded, "messageId": "fw-m2"}], headers=basic(keys["ingest"])
        )
        assert many.json()["accepted"] == 1
        stored = await history(gw, visitor_for_anonymous("fw-1", keys_of(gw)))
        sent = datetime.fromisoformat(at)  # stored at MongoDB's precision, the millisecond
        assert stored["fw-m1"].timestamp == sent.replace(microsecond=sent.microsecond // 1000 * 1000)


async def test_a_batch_shares_its_context_and_integrations() -> None:
    async with running_gateway(make_settings()) as gw:
        keys = await write_keys(gw)
        body = {"context": {"device": {"type": "android"}, "locale": "pl-PL"},
                "integrations": {"Vitrine": {"channel": "kiosk"}},
                "batch": [{"type": "screen", "name": "Home", "anonymousId": "k-1", "messageId": "c1",
                           "context": {"locale": "de-DE"}}]}  # fmt: skip
        assert (await gw.client.post("/v1/import", json=body, headers=basic(keys["ingest"]))).json()["accepted"] == 1
        event = (await history(gw, visitor_for_anonymous("k-1", keys_of(gw))))["c1"]
        assert event.channel.value == "kiosk" and event.properties["context"]["locale"] == "de-DE"
        assert event.properties["context"]["device"] == {"type": "android"}


def _gzip(payload: Any) -> bytes:
    return gzip.compress(json.dumps(payload).encode())


@pytest.mark.parametrize(
    ("path", "content", "headers", "status", "fragment"),
    [
        ("/v1/batch", b"{not json", {}, 400, "not valid JSON"),
        ("/v1/batch", b'{"events": []}', {}, 400, '{"batch"'),
        ("/v1/batch", b'{"batch": []}', {}, 400, "empty"),
        ("/v1/batch", json.dumps({"batch": [{}] * 1001}).encode(), {}, 400, "at most 1000"),
        ("/v1/track", b"[1]", {}, 400, "one track call as a JSON object"),
        ("/v1/track", b'{"event": "Cart Viewed"}', {}, 400, "anonymousId or userId"),
        ("/v1/track", json.dumps({"event": "X", "anonymousId": "a", "properties": {"b": "x" * 40_000}}).encode(),
         {}, 413, "over 32 KB"),
        ("/v1/batch", json.dumps({"batch": [{"event": "x" * 600}] * 1000}).encode(), {}, 413, "over 500 KB"),
        # Decompressed size counts: 2 MB of zeros gzip to 2 KB.
        ("/v1/batch", gzip.compress(b"[" + b" " * 2_000_000 + b"]"), {"content-encoding": "gzip"}, 413, "500 KB"),
        ("/v1/batch", b"not gzip at all", {"content-encoding": "gzip"}, 400, "not valid gzip"),
        ("/v1/batch", _gzip({"batch": [{"type": "track"}]})[:-12], {"content-encoding": "gzip"}, 400, "truncated"),
        ("/v1/batch", b"{}", {"content-encoding": "br"}, 415, "Content-Encoding"),
    ],
)  # fmt: skip
async def test_malformed_and_oversized_payloads_get_segment_errors(
    path: str, content: bytes, headers: dict[str, str], status: int, fragment: str
) -> None:
    async with running_gateway(make_settings(), products=[]) as gw:
        response = await gw.client.post(
            path, content=content, headers={"content-type": "application/json", **headers, **basic(TEST_SERVER_KEY)}
        )
    assert response.status_code == status, response.text
    body = response.json()
    # Segment's libraries read `code` and `message` from an error (analytics-python raises APIError with them).
    assert body["success"] is False and isinstance(body["code"], str) and fragment in body["message"], body


async def test_a_gzip_batch_and_one_message_too_large_in_it() -> None:
    async with running_gateway(make_settings()) as gw:
        big = {"type": "track", "event": "X", "anonymousId": "a", "messageId": "big", "properties": {"b": "x" * 33_000}}
        small = {"type": "track", "event": "Cart Viewed", "anonymousId": "a", "messageId": "small"}
        response = await gw.client.post(
            "/v1/batch",
            content=_gzip({"batch": [big, small]}),
            headers={"content-type": "application/json", "content-encoding": "gzip", **basic(TEST_SERVER_KEY)},
        )
        assert response.status_code == 200
        answer = response.json()
        assert (answer["accepted"], answer["rejected"]) == (1, 1)
        assert answer["results"][0]["code"] == "TOO_LARGE" and "32 KB" in answer["results"][0]["reason"]


async def test_a_store_outage_answers_503_with_retry_after_and_nothing_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_gateway(make_settings()) as gw:
        events = gw.runtime.stores.visitors.events
        real_append = events.append

        async def down(*args: Any) -> list[bool]:
            raise StoreUnavailable("MongoDB events", "append")

        monkeypatch.setattr(events, "append", down)
        message = {"type": "track", "event": "Cart Viewed", "anonymousId": "o-1", "messageId": "o1"}
        response = await gw.client.post("/v1/batch", json={"batch": [message]}, headers=basic(TEST_SERVER_KEY))
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert response.json()["code"] == "STORE_UNAVAILABLE"
        monkeypatch.setattr(events, "append", real_append)
        retried = await gw.client.post("/v1/batch", json={"batch": [message]}, headers=basic(TEST_SERVER_KEY))
        assert retried.json()["accepted"] == 1


async def test_the_python_clients_error_parsing_reads_our_errors() -> None:
    """analytics-python turns a non-2xx answer into APIError(status, code, message) from the body."""
    from segment.analytics.request import APIError

    async with running_gateway(make_settings(), products=[]) as gw:
        response = await gw.client.post("/v1/batch", content=b"{nope", headers=basic(TEST_SERVER_KEY))
    error = APIError(response.status_code, response.json()["code"], response.json()["message"])
    assert "[Segment] BAD_USER_INPUT: the body is not valid JSON" in str(error)


async def test_consent_rules_hold_for_segment_calls() -> None:
    async with running_gateway(make_settings(consent_required=True)) as gw:
        order = {"order_id": "o-9", "products": [{"product_id": "p-00001", "quantity": 1}]}
        batch = {"batch": [
            {"type": "track", "event": "Product Viewed", "anonymousId": "c-1", "properties": {"product_id": "p-00001"}},
            {"type": "track", "event": "Order Completed", "anonymousId": "c-1", "properties": order},
        ]}  # fmt: skip
        answer = (await gw.client.post("/v1/batch", json=batch, headers=basic(TEST_SERVER_KEY))).json()
        assert (answer["accepted"], answer["rejected"]) == (1, 1)
        assert answer["results"][0]["code"] == "NO_CONSENT"
