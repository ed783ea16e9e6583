"""Failing open: with Redis or MongoDB down, product queries answer and personalization falls back.

These tests start and stop their own real servers so they can take them away mid-test.
"""

from __future__ import annotations

from gateway.testing.servers import free_port, start_mongo, start_redis
from gateway.visitors.tokens import COOKIE_NAME
from tests.support.appclient import running_gateway
from tests.support.settings import make_settings

PAGE = """{ products(first: 3) { totalCount edges { node { id name brand { name } } } }
  viewer { visitorId personalized degraded session { recentlyViewed { id } } profile { counters { name count } } } }"""

TRACK = """mutation { track(events: [{messageId: "m1", name: "Product Viewed", properties: {product_id: "p-00001"}}]) {
  accepted results { status } } }"""


async def test_redis_down_products_answer_events_kept_and_replayed_when_it_returns() -> None:
    port = free_port()  # nothing listens here yet
    settings = make_settings(redis_url=f"redis://127.0.0.1:{port}/0", store_timeout_ms=300)
    async with running_gateway(settings) as gw:
        body = await gw.gql(PAGE)
        assert body["data"]["products"]["totalCount"] == 40
        assert body["data"]["products"]["edges"][0]["node"]["brand"] == {"name": "Nordvik"}
        viewer = body["data"]["viewer"]
        assert viewer["personalized"] is False and viewer["degraded"] == ["sessions"]
        # The process still serves: it stays ready, and names what is down.
        ready = await gw.client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        assert ready.json()["down"] == ["redis"]
        assert (await gw.client.get("/healthz")).status_code == 200

        # The event is stored durably (MongoDB side is up) even though the session cannot be updated.
        tracked = await gw.gql(TRACK)
        assert tracked["data"]["track"]["accepted"] == 1
        token = gw.client.cookies[COOKIE_NAME]

        redis = start_redis(port)
        try:
            replayed = await gw.runtime.services.events.replay_unapplied(older_than_seconds=0)
            assert replayed == 1
            body = await gw.gql(PAGE, headers={"x-vitrine-visitor": token})
            viewer = body["data"]["viewer"]
            assert viewer["personalized"] is True
            assert viewer["session"]["recentlyViewed"] == [{"id": "p-00001"}]
            assert viewer["profile"]["counters"] == [{"name": "Product Viewed", "count": 1}]
            assert await gw.runtime.services.events.replay_unapplied(older_than_seconds=0) == 0
            assert (await gw.client.get("/readyz")).json() == {
                "status": "ok",
                "checks": {"redis": "ok", "catalog": "ok"},
                "down": [],
            }
        finally:
            redis.stop()


async def test_mongodb_down_products_answer_from_mirror_and_events_are_refused_not_lost() -> None:
    mongo = start_mongo()
    try:
        # The timeout bounds every operation while MongoDB is up too: leave a loaded machine room.
        settings = make_settings(mongodb_url=mongo.url, store_timeout_ms=1000)
        async with running_gateway(settings) as gw:
            assert gw.runtime.services.catalog.mirrored
            mongo.stop()
            body = await gw.gql(PAGE)
            assert body["data"]["products"]["totalCount"] == 40
            viewer = body["data"]["viewer"]
            assert viewer["personalized"] is False and viewer["degraded"] == ["profiles"]
            # The event log is down: nothing is accepted, and the client is told to retry.
            tracked = await gw.gql(TRACK)
            assert tracked["data"] is None
            assert tracked["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
            response = await gw.client.post("/v1/events", json={"events": [{"messageId": "m2", "name": "Cart Viewed"}]})
            assert response.status_code == 503 and response.headers["retry-after"] == "5"
            ready = await gw.client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"]["mongodb"] == "down"
    finally:
        mongo.stop()


async def test_unexpected_errors_are_masked(monkeypatch: object) -> None:
    async with running_gateway(make_settings()) as gw:

        async def boom(*args: object, **kwargs: object) -> object:
            raise RuntimeError("secret internal detail")

        gw.runtime.services.catalog.find = boom  # type: ignore[method-assign]
        body = await gw.gql("{ products { totalCount } }")
        (error,) = body["errors"]
        assert error["message"] == "Unexpected error."
        assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
        assert "secret" not in str(body)
