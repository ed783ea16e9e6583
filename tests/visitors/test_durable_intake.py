"""The durable intake: events accepted into the Redis journal, applied at once or by the appliers.

Runs on a real Redis server and a real MongoDB-protocol server (the journal exists only with Redis).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from redis.asyncio import Redis

from gateway.platform.redis_keys import owned
from gateway.settings import Settings
from gateway.testing.servers import free_port
from gateway.visitors.tokens import COOKIE_NAME
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

on_real_servers = pytest.mark.parametrize("backend", ["real"])

VIEWER = """{ viewer { visitorId personalized session { recentlyViewed { id } cart { itemCount } }
  profile { counters { name count } interests(first: 2) { key } } } }"""
TRACK = """mutation($events: [EventInput!]!) { track(events: $events) { accepted duplicates
  viewer { session { recentlyViewed { id } cart { itemCount } } profile { counters { name count } } } } }"""


def viewed(message_id: str, product_id: str) -> dict[str, Any]:
    return {"messageId": message_id, "name": "Product Viewed", "properties": {"product_id": product_id}}


def added(message_id: str, product_id: str, quantity: int = 1) -> dict[str, Any]:
    props = {"product_id": product_id, "quantity": quantity}
    return {"messageId": message_id, "name": "Product Added", "properties": props}


def counters(viewer: dict[str, Any]) -> dict[str, int]:
    return {c["name"]: c["count"] for c in viewer["profile"]["counters"]}


async def stored_profile_counters(gw: Gateway, visitor_id: str) -> dict[str, int] | None:
    (profile,) = await gw.runtime.stores.visitors.profiles.get_many([visitor_id])  # type: ignore[list-item]
    # Per-channel counters ("web:Product Viewed") are internal: the API shows the plain ones.
    return {k: n for k, n in profile.counters.items() if ":" not in k} if profile is not None else None


@on_real_servers
async def test_inline_applies_in_the_request_and_empties_the_journal(gateway: Gateway) -> None:
    payload = (await gateway.gql(TRACK, {"events": [viewed("m1", "p-00001"), added("m2", "p-00002", 2)]}))["data"]
    assert payload["track"]["accepted"] == 2
    assert payload["track"]["viewer"]["session"]["cart"]["itemCount"] == 2
    visitor = (await gateway.gql(VIEWER))["data"]["viewer"]
    assert counters(visitor) == {"Product Viewed": 1, "Product Added": 1}
    journal = gateway.runtime.stores.visitors.journal
    assert journal is not None and (await journal.backlog()).events == 0
    assert await stored_profile_counters(gateway, visitor["visitorId"]) == {"Product Viewed": 1, "Product Added": 1}


@pytest.fixture
def deferred(backend_settings: Settings) -> Settings:
    return replace(backend_settings, intake_apply="deferred")


@on_real_servers
async def test_deferred_shows_events_to_their_visitor_before_the_appliers_apply_them(deferred: Settings) -> None:
    async with running_gateway(deferred) as gw:
        events = [viewed("m1", "p-00001"), viewed("m2", "p-00002"), added("m3", "p-00002", 2)]
        track = (await gw.gql(TRACK, {"events": events}))["data"]["track"]
        assert track["accepted"] == 3
        # Read-your-writes: the payload and the next query show the events ...
        assert track["viewer"]["session"]["recentlyViewed"] == [{"id": "p-00002"}, {"id": "p-00001"}]
        assert counters(track["viewer"]) == {"Product Viewed": 2, "Product Added": 1}
        before = (await gw.gql(VIEWER))["data"]["viewer"]
        assert before["session"]["cart"]["itemCount"] == 2 and counters(before) == counters(track["viewer"])
        assert [i["key"] for i in before["profile"]["interests"]] == ["b-nordvik", "c-running"]
        # ... which the stores do not hold yet: they wait in the journal.
        journal, applier = gw.runtime.stores.visitors.journal, gw.runtime.services.journal_applier
        assert journal is not None and applier is not None
        assert (await journal.backlog()).events == 3
        assert await stored_profile_counters(gw, before["visitorId"]) is None

        assert await applier.drain() == 3
        assert (await journal.backlog()).events == 0
        assert await stored_profile_counters(gw, before["visitorId"]) == {"Product Viewed": 2, "Product Added": 1}
        after = (await gw.gql(VIEWER))["data"]["viewer"]
        assert after == before  # applied and unstaged: the same answer, now from the stores
        (session,) = await gw.runtime.stores.visitors.sessions.get_many([before["visitorId"]])
        assert session is not None and session.pending == ()

        # A retry is a duplicate; so is one sent after the journal forgot the message id: the
        # event log still knows it and it is not applied twice.
        again = (await gw.gql(TRACK, {"events": [viewed("m1", "p-00001")]}))["data"]["track"]
        assert (again["accepted"], again["duplicates"]) == (0, 1)
        partition = journal.partition_of(before["visitorId"])
        raw = Redis.from_url(deferred.redis_url)
        try:
            await raw.delete(owned(deferred.redis_prefix, "ij", f"p{partition}", "d", before["visitorId"]))
        finally:
            await raw.aclose()
        late = (await gw.gql(TRACK, {"events": [viewed("m1", "p-00001")]}))["data"]["track"]
        assert late["accepted"] == 1  # the journal took it again ...
        assert await applier.drain() == 1
        final = (await gw.gql(VIEWER))["data"]["viewer"]
        assert counters(final) == {"Product Viewed": 2, "Product Added": 1}  # ... and nothing counted twice


async def test_with_both_stores_down_the_intake_answers_503_quickly_and_says_why() -> None:
    dead_redis, dead_mongo = free_port(), free_port()
    settings = make_settings(
        f"mongodb://127.0.0.1:{dead_mongo}/?directConnection=true",
        f"redis://127.0.0.1:{dead_redis}/0",
        store_timeout_ms=300,
    )
    async with running_gateway(settings, products=[]) as gw:
        took = []
        for n in range(3):
            start = time.monotonic()
            response = await gw.client.post(
                "/v1/events", json={"events": [{"messageId": f"m{n}", "name": "Cart Viewed"}]}
            )
            took.append(time.monotonic() - start)
            assert response.status_code == 503 and response.headers["retry-after"] == "5"
            message = response.json()["error"]["message"]
            assert "the intake journal (Redis) and the event log (MongoDB) are both unavailable" in message
            assert "nothing was accepted" in message
        # Bounded by the store timeouts; once the log was seen down, without waiting for it again.
        assert max(took) < 3.0 and max(took[1:]) < 1.0, took


@on_real_servers
async def test_a_redis_outage_sends_events_straight_to_the_log(backend_settings: Settings) -> None:
    settings = replace(backend_settings, redis_url=f"redis://127.0.0.1:{free_port()}/0", store_timeout_ms=300)
    async with running_gateway(settings) as gw:
        tracked = (await gw.gql(TRACK, {"events": [viewed("m1", "p-00001")]}))["data"]["track"]
        assert tracked["accepted"] == 1
        token = gw.client.cookies[COOKIE_NAME]
        (stored,) = await gw.runtime.stores.visitors.events.history([token.split(".")[0]], [], None, 10)  # type: ignore[list-item]
        assert stored.event.message_id == "m1"
