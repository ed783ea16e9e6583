"""Visitor identity, events, idempotency and read-your-writes through the real app."""

from __future__ import annotations

from typing import Any

from gateway.visitors.tokens import COOKIE_NAME
from tests.support.appclient import Gateway

VIEWER = """{ viewer { visitorId personalized
  session { recentlyViewed { id } recentSearches
    cart { itemCount total { amount currency } lines { product { id } quantity lineTotal { amount } } } }
  profile { counters { name count } interests(first: 3) { kind key score } traits } } }"""

TRACK = """mutation($events: [EventInput!]!) { track(events: $events) {
  accepted duplicates rejected results { index messageId status code reason }
  viewer { session { recentlyViewed { id } cart { itemCount } } profile { counters { name count } } } } }"""


def viewed(message_id: str, product_id: str) -> dict[str, Any]:
    return {"messageId": message_id, "name": "Product Viewed", "properties": {"product_id": product_id}}


async def test_new_visitor_gets_signed_cookie_and_keeps_identity(gateway: Gateway) -> None:
    first = await gateway.client.post("/graphql", json={"query": "{ viewer { visitorId } }"})
    visitor_id = first.json()["data"]["viewer"]["visitorId"]
    token = first.cookies[COOKIE_NAME]
    assert token.startswith(visitor_id + ".") and first.headers["x-vitrine-visitor"] == token
    again = await gateway.gql("{ viewer { visitorId } }")  # the client sends the cookie back
    assert again["data"]["viewer"]["visitorId"] == visitor_id


async def test_forged_or_tampered_ids_are_never_trusted(gateway: Gateway) -> None:
    first = await gateway.client.post("/graphql", json={"query": "{ viewer { visitorId } }"})
    victim = first.json()["data"]["viewer"]["visitorId"]
    token = first.cookies[COOKIE_NAME]
    await gateway.gql(TRACK, {"events": [viewed("m1", "p-00001")]})
    gateway.client.cookies.clear()
    forged_sig = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    unsigned = victim
    other_id = "v_" + "x" * 22
    for bad in (forged_sig, unsigned, other_id + "." + token.split(".")[1], "garbage"):
        response = await gateway.client.post("/graphql", json={"query": VIEWER}, headers={"x-vitrine-visitor": bad})
        viewer = response.json()["data"]["viewer"]
        assert viewer["visitorId"] != victim
        assert viewer["session"]["recentlyViewed"] == [] and viewer["profile"]["counters"] == []
        gateway.client.cookies.clear()
    # the genuine token, sent by a native app as a header, still works
    ok = await gateway.client.post("/graphql", json={"query": VIEWER}, headers={"x-vitrine-visitor": token})
    assert ok.json()["data"]["viewer"]["visitorId"] == victim
    assert ok.json()["data"]["viewer"]["session"]["recentlyViewed"] == [{"id": "p-00001"}]


async def test_visitors_never_see_each_others_state(gateway: Gateway) -> None:
    await gateway.gql(TRACK, {"events": [viewed("m1", "p-00001")]})
    alice = gateway.client.cookies[COOKIE_NAME]
    gateway.client.cookies.clear()
    await gateway.gql(TRACK, {"events": [viewed("m1", "p-00002")]})  # same messageId, other visitor
    bob = gateway.client.cookies[COOKIE_NAME]
    assert alice != bob
    for token, expected in ((alice, "p-00001"), (bob, "p-00002")):
        gateway.client.cookies.clear()
        body = (
            await gateway.client.post("/graphql", json={"query": VIEWER}, headers={"x-vitrine-visitor": token})
        ).json()
        assert body["data"]["viewer"]["session"]["recentlyViewed"] == [{"id": expected}]


async def test_read_your_writes_in_the_payload_and_the_next_query(gateway: Gateway) -> None:
    events = [
        viewed("m1", "p-00001"),
        viewed("m2", "p-00002"),
        {"messageId": "m3", "name": "Product Added", "properties": {"product_id": "p-00002", "quantity": 2}},
    ]
    payload = (await gateway.gql(TRACK, {"events": events}))["data"]["track"]
    assert payload["accepted"] == 3
    assert payload["viewer"]["session"]["recentlyViewed"] == [{"id": "p-00002"}, {"id": "p-00001"}]
    assert payload["viewer"]["session"]["cart"]["itemCount"] == 2
    viewer = (await gateway.gql(VIEWER))["data"]["viewer"]
    assert viewer["personalized"] is True
    assert viewer["session"]["cart"]["total"] == {"amount": "104.00", "currency": "PLN"}
    assert viewer["session"]["cart"]["lines"] == [
        {"product": {"id": "p-00002"}, "quantity": 2, "lineTotal": {"amount": "104.00"}}
    ]
    counters = {c["name"]: c["count"] for c in viewer["profile"]["counters"]}
    assert counters == {"Product Viewed": 2, "Product Added": 1}
    # 2 views (weight 1) + 1 add to cart (weight 3) of running shoes by Nordvik, just now:
    # brand and leaf category weigh 5, the parent category half of that. Clients see the
    # weights scaled so the strongest interest is 1.
    scores = {(i["kind"], i["key"]): i["score"] for i in viewer["profile"]["interests"]}
    assert scores.keys() == {("brand", "b-nordvik"), ("category", "c-running"), ("category", "c-shoes")}
    assert abs(scores[("brand", "b-nordvik")] - 1.0) < 0.01
    assert abs(scores[("category", "c-running")] - 1.0) < 0.01
    assert abs(scores[("category", "c-shoes")] - 0.5) < 0.01


async def test_retries_are_idempotent(gateway: Gateway) -> None:
    add = {"messageId": "add-1", "name": "Product Added", "properties": {"product_id": "p-00005", "quantity": 1}}
    first = (await gateway.gql(TRACK, {"events": [add]}))["data"]["track"]
    retry = (await gateway.gql(TRACK, {"events": [add, add]}))["data"]["track"]
    assert first["accepted"] == 1 and retry["accepted"] == 0 and retry["duplicates"] == 2
    assert [r["status"] for r in retry["results"]] == ["DUPLICATE", "DUPLICATE"]
    assert retry["viewer"]["session"]["cart"]["itemCount"] == 1
    assert retry["viewer"]["profile"]["counters"] == [{"name": "Product Added", "count": 1}]


async def test_invalid_events_rejected_individually_valid_ones_accepted(gateway: Gateway) -> None:
    events = [
        viewed("ok-1", "p-00001"),
        {"messageId": "bad-1", "name": "Product Viewd", "properties": {"product_id": "p-00001"}},
        {"messageId": "bad-2", "name": "Product Viewed", "properties": {}},
        {"messageId": "bad-3", "name": "Product Viewed", "properties": {"product_id": "p-99999"}},
        {"messageId": "bad-4", "name": "Product Added", "properties": {"product_id": "p-00001", "quantity": 0}},
        {"messageId": "bad-5", "name": "Cart Viewed", "timestamp": "2020-01-01T00:00:00Z"},
        {"messageId": "bad-6", "name": "Cart Viewed", "properties": {"$where": 1}},
        viewed("ok-2", "p-00002"),
    ]
    payload = (await gateway.gql(TRACK, {"events": events}))["data"]["track"]
    assert (payload["accepted"], payload["rejected"]) == (2, 6)
    by_id = {r["messageId"]: r for r in payload["results"]}
    assert by_id["bad-1"]["code"] == "UNKNOWN_EVENT" and "did you mean 'Product Viewed'" in by_id["bad-1"]["reason"]
    assert by_id["bad-2"]["code"] == "MISSING_PROPERTY" and "product_id is required" in by_id["bad-2"]["reason"]
    assert by_id["bad-3"]["code"] == "UNKNOWN_PRODUCT"
    assert by_id["bad-4"]["code"] == "INVALID_PROPERTY" and "1 to 999" in by_id["bad-4"]["reason"]
    assert by_id["bad-5"]["code"] == "INVALID_TIMESTAMP" and "older than 30 days" in by_id["bad-5"]["reason"]
    assert by_id["bad-6"]["code"] == "INVALID_PROPERTY"
    assert payload["viewer"]["session"]["recentlyViewed"] == [{"id": "p-00002"}, {"id": "p-00001"}]


async def test_events_endpoint_batch_and_errors(gateway: Gateway) -> None:
    ok = await gateway.client.post("/v1/events", json={"events": [viewed("h1", "p-00003"), {"messageId": "h2"}]})
    assert ok.status_code == 200
    body = ok.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["results"][1]["code"] == "INVALID_FORMAT"
    token = ok.cookies[COOKIE_NAME]
    viewer = await gateway.gql("{ viewer { session { recentlyViewed { id } } } }", headers={"x-vitrine-visitor": token})
    assert viewer["data"]["viewer"]["session"]["recentlyViewed"] == [{"id": "p-00003"}]
    assert (
        await gateway.client.post("/v1/events", content=b"{not json", headers={"content-type": "application/json"})
    ).status_code == 400
    assert (
        await gateway.client.post("/v1/events", content=b"[]", headers={"content-type": "text/plain"})
    ).status_code == 415
    too_many = [viewed(f"x{i}", "p-00001") for i in range(101)]
    response = await gateway.client.post("/v1/events", json={"events": too_many})
    assert response.status_code == 400 and "at most 100 events" in response.json()["error"]["message"]
    huge = b'{"events": [' + b" " * (600 * 1024) + b"]}"
    response = await gateway.client.post("/v1/events", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_listeners_see_each_new_event_once_in_time_order(gateway: Gateway) -> None:
    from collections.abc import Mapping, Sequence

    from gateway.catalogue.values import Product, ProductId
    from gateway.visitors.values.events import Event

    seen: list[tuple[str, str, list[str]]] = []

    class Recorder:
        async def on_events(self, events: Sequence[Event], products: Mapping[ProductId, Product]) -> None:
            seen.extend((e.message_id, e.name, sorted(products)) for e in events)

    from gateway.visitors import EventService

    stores = gateway.runtime.stores
    events_service = EventService(
        stores.visitors.events,
        stores.visitors.profiles,
        stores.visitors.sessions,
        gateway.runtime.services.catalog,
        max_batch=100,
        half_life_days=14.0,
        listeners=[Recorder()],
    )
    events = [
        {**viewed("late", "p-00002"), "timestamp": "2026-01-01T10:00:00Z"},
        {**viewed("early", "p-00001"), "timestamp": "2026-01-01T09:00:00Z"},
    ]
    from datetime import UTC, datetime

    from gateway.kernel.visitor import Visitor, VisitorId

    visitor = Visitor(VisitorId("v_listenerxxxxxxxxxxxxxx"), is_new=False)
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    await events_service.track(visitor, events, now=now)
    await events_service.track(visitor, events, now=now)  # a retry: listeners are not called again
    assert seen == [
        ("early", "Product Viewed", ["p-00001", "p-00002"]),
        ("late", "Product Viewed", ["p-00001", "p-00002"]),
    ]


async def test_warm_session_needs_no_mongodb_round_trip(gateway: Gateway) -> None:
    await gateway.gql(TRACK, {"events": [viewed("w1", "p-00001")]})  # caches the profile beside the session
    profiles, sessions = gateway.runtime.stores.visitors.profiles, gateway.runtime.stores.visitors.sessions
    calls = {"profiles": 0, "sessions": 0}
    real_profiles, real_sessions = profiles.get_many, sessions.get_many

    async def count_profiles(ids: Any) -> Any:
        calls["profiles"] += 1
        return await real_profiles(ids)

    async def count_sessions(ids: Any) -> Any:
        calls["sessions"] += 1
        return await real_sessions(ids)

    profiles.get_many = count_profiles  # type: ignore[method-assign]
    sessions.get_many = count_sessions  # type: ignore[method-assign]
    for _ in range(3):
        body = await gateway.gql(VIEWER)
        assert body["data"]["viewer"]["profile"]["counters"] == [{"name": "Product Viewed", "count": 1}]
    assert calls == {"profiles": 0, "sessions": 3}  # one session read (one round trip) per request


async def test_metrics_count_requests_and_events(gateway: Gateway) -> None:
    await gateway.gql(TRACK, {"events": [viewed("q1", "p-00001"), {"messageId": "q2", "name": "Nope"}]})
    text = (await gateway.client.get("/metrics")).text
    assert 'vitrine_http_requests_total{path="/graphql",status="200"} 1.0' in text
    assert 'vitrine_events_total{status="ACCEPTED"} 1.0' in text
    assert 'vitrine_events_total{status="REJECTED"} 1.0' in text


async def test_bad_enum_inside_a_variable_is_a_clear_input_error(gateway: Gateway) -> None:
    query = "mutation($e: [EventInput!]!) { track(events: $e) { accepted } }"
    body = await gateway.gql(query, {"e": [{"messageId": "e1", "name": "Cart Viewed", "channel": "pos"}]})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'pos' does not exist in 'Channel' enum" in error["message"] and "'POS'" in error["message"]
