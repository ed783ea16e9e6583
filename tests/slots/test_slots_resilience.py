"""Slots fail open, survive bad releases, and a publish reaches every instance within a second."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.platform.releases import Release, ReleaseInfo
from gateway.testing.servers import free_port, start_mongo
from tests.slots.test_slots_api import KEY, SLOT, publish, save
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings
from tests.support.slot_fixtures import HERO, variant


async def hero(gw: Gateway) -> dict[str, Any]:
    body = await gw.gql(SLOT, {"key": "home-hero"})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["slot"]
    return result


async def define(gw: Gateway, title: str = "For everyone") -> int:
    assert (await save(gw, "slots", HERO))["ok"]
    assert (await save(gw, "variants", variant("everyone", title, 5)))["ok"]
    return await publish(gw, title)


async def test_redis_down_serves_default_content_with_the_reason(mongodb_url: str, unique: str) -> None:
    settings = make_settings(
        # MongoDB is up: its timeout bounds every operation, which a loaded test machine must not reach.
        mongodb_url,
        f"redis://127.0.0.1:{free_port()}/0",
        mongodb_database=f"t_{unique}",
        store_timeout_ms=1000,
    )
    async with running_gateway(replace(settings, admin_api_key=KEY)) as gw:
        await define(gw)  # definitions live in MongoDB: editors can still publish
        slot = await hero(gw)
        assert slot["title"] == "Welcome"
        assert slot["decision"]["reason"] == "PERSONALIZATION_UNAVAILABLE"
        assert "sessions" in slot["decision"]["detail"]


async def test_a_release_this_instance_cannot_read_keeps_the_previous_one(mongodb_url: str, unique: str) -> None:
    settings = make_settings(mongodb_url, mongodb_database=f"t_{unique}")
    async with running_gateway(replace(settings, admin_api_key=KEY)) as gw:
        await define(gw)
        broken = {"slots": [], "variants": [variant("everyone", "x", 5)], "audiences": [], "experiments": []}
        info = ReleaseInfo(2, datetime.now(UTC), "someone", "broken")
        assert await gw.runtime.stores.slots.releases.append(Release(info, broken))
        assert await gw.runtime.services.slot_definitions.load_latest() is False
        slot = await hero(gw)
        assert slot["title"] == "For everyone" and slot["decision"]["release"] == 1


async def test_a_definition_failing_at_evaluation_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running_gateway(replace(make_settings(), admin_api_key=KEY)) as gw:
        await define(gw)

        def explode(*args: object, **kwargs: object) -> object:
            raise RuntimeError("unexpected")

        monkeypatch.setattr("gateway.slots.service.decide", explode)
        body = await gw.gql(
            "{ products(first: 1) { totalCount } "
            + SLOT.split("{", 1)[1].replace("$key", '"home-hero"').replace("$ctx", "null")
        )
        assert body["data"]["products"]["totalCount"] == 40
        assert body["data"]["slot"]["decision"]["reason"] == "PERSONALIZATION_UNAVAILABLE"


async def test_publish_reaches_another_instance_within_a_second(mongodb_url: str, redis_url: str, unique: str) -> None:
    settings = replace(
        make_settings(mongodb_url, redis_url, mongodb_database=f"t_{unique}", redis_prefix=f"t{unique}:"),
        admin_api_key=KEY,
    )
    async with running_gateway(settings) as a, running_gateway(settings, products=()) as b:
        await asyncio.sleep(0.2)  # both subscribed
        assert await hero(b) is None
        titles = {1: "First", 2: "Second", 3: "Third"}
        observed: list[tuple[int, str]] = []
        for version, title in titles.items():
            started = time.perf_counter()
            assert await define(a, title) == version
            while True:
                slot = await hero(b)
                if slot is not None:
                    observed.append((slot["decision"]["release"], slot["title"]))
                    if slot["decision"]["release"] == version:
                        break
                assert time.perf_counter() - started < 1.0, "instance b did not see the release within 1 s"
                await asyncio.sleep(0.005)
        # Never half-applied: every answer's content belongs to the release it names.
        assert all(titles[release] == title for release, title in observed)
        assert b.runtime.services.slot_definitions.snapshot.version == 3


async def test_mongodb_down_keeps_the_served_release_and_falls_back_per_visitor() -> None:
    mongo = start_mongo()
    try:
        settings = replace(make_settings(mongodb_url=mongo.url, store_timeout_ms=1000), admin_api_key=KEY)
        async with running_gateway(settings) as gw:
            await define(gw)
            assert (await hero(gw))["title"] == "For everyone"
            mongo.stop()
            gw.client.cookies.clear()  # a visitor whose profile is not cached: MongoDB is needed
            slot = await hero(gw)
            assert slot["title"] == "Welcome" and slot["decision"]["reason"] == "PERSONALIZATION_UNAVAILABLE"
            assert slot["decision"]["release"] == 1  # the release in memory keeps serving
            await gw.runtime.services.slot_definitions.poll()  # the safety-net poll fails quietly
    finally:
        mongo.stop()


async def test_concurrent_publishes_on_two_instances_get_distinct_versions(
    mongodb_url: str, redis_url: str, unique: str
) -> None:
    settings = replace(
        make_settings(mongodb_url, redis_url, mongodb_database=f"t_{unique}", redis_prefix=f"t{unique}:"),
        admin_api_key=KEY,
    )
    async with running_gateway(settings) as a, running_gateway(settings, products=()) as b:
        assert (await save(a, "slots", HERO))["ok"]
        versions = await asyncio.gather(*(publish(gw, f"from {i}") for i in range(3) for gw in (a, b)))
        assert sorted(versions) == [1, 2, 3, 4, 5, 6]
        history = await b.admin("{ releases { version } }", key=KEY)
        assert [r["version"] for r in history["data"]["releases"]] == [6, 5, 4, 3, 2, 1]
