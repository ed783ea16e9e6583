"""Contracts of the slot stores, run against memory and the real MongoDB / Redis."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.kernel.visitor import VisitorId
from gateway.platform.releases import Release, ReleaseInfo
from gateway.slots.values.exposures import Exposure
from gateway.wiring import Stores
from tests.conftest import REDIS_BACKENDS
from tests.support.factories import NOW

pytestmark = REDIS_BACKENDS

V1, V2 = VisitorId("v_slots1aaaaaaaaaaaaaaaaa"), VisitorId("v_slots2aaaaaaaaaaaaaaaaa")

# JSON content may hold keys MongoDB would refuse as field names.
ODD = {"key": "s1", "contentType": "json", "default": {"data": {"$weird": 1, "a.b": [1, {"c": None}]}}}


async def test_drafts_put_delete_replace(stores: Stores) -> None:
    drafts = stores.slots.drafts
    assert await drafts.all() == {"slots": [], "variants": [], "audiences": [], "experiments": []}
    await drafts.put("slots", "s1", ODD, "editor-1")
    await drafts.put("audiences", "a", {"key": "a", "conditions": {"field": "segments", "op": "exists"}}, "e")
    await drafts.put("slots", "s1", {**ODD, "description": "v2"}, "editor-1")
    everything = await drafts.all()
    assert everything["slots"] == [{**ODD, "description": "v2"}] and len(everything["audiences"]) == 1
    assert await drafts.delete("audiences", "a") is True
    assert await drafts.delete("audiences", "a") is False
    await drafts.replace_all({"variants": [{"id": "v1", "slot": "s1"}]}, "admin")
    assert await drafts.all() == {
        "slots": [],
        "variants": [{"id": "v1", "slot": "s1"}],
        "audiences": [],
        "experiments": [],
    }


def release(version: int, note: str = "", rollback_of: int | None = None) -> Release:
    info = ReleaseInfo(version, NOW + timedelta(minutes=version), "editor-1", note, rollback_of)
    return Release(info, {"slots": [ODD], "variants": [], "audiences": [], "experiments": []})


async def test_releases_are_numbered_once_and_come_back_exactly(stores: Stores) -> None:
    releases = stores.slots.releases
    assert await releases.latest() is None
    assert await releases.append(release(1, "first")) is True
    assert await releases.append(release(1, "racing")) is False  # a concurrent publish loses
    assert await releases.append(release(2, "second", rollback_of=1)) is True
    latest = await releases.latest()
    assert latest is not None and latest.version == 2 and latest.definitions["slots"] == [ODD]
    assert latest.info == release(2, "second", rollback_of=1).info
    first = await releases.get(1)
    assert first is not None and first.info.note == "first"
    assert await releases.get(9) is None
    assert [i.version for i in await releases.history(10)] == [2, 1]
    assert [i.version for i in await releases.history(1)] == [2]


async def test_behaviour_counts_are_idempotent_per_event_and_per_day(stores: Stores) -> None:
    store = stores.slots.behaviour
    assert await store.record(V1, "e1", "20261122", ["Product Viewed|", "Product Viewed|c:c-running"]) is True
    assert await store.record(V1, "e1", "20261122", ["Product Viewed|"]) is False  # a replay
    await store.record(V1, "e2", "20261122", ["Product Viewed|"])
    await store.record(V1, "e3", "20261121", ["Product Viewed|"])
    await store.record(V2, "e1", "20261122", ["Product Viewed|"])
    wanted = [
        ("20261122", "Product Viewed|"),
        ("20261122", "Product Viewed|c:c-running"),
        ("20261121", "Product Viewed|"),
    ]
    assert await store.counts([V1], wanted) == [2, 1, 1]
    assert await store.counts([V2], wanted) == [1, 0, 0]
    assert await store.counts([V1, V2], wanted) == [3, 1, 1]  # a person's devices add up
    assert await store.counts([V1], []) == []


async def test_behaviour_counts_survive_concurrent_writers(stores: Stores) -> None:
    store = stores.slots.behaviour
    await asyncio.gather(*(store.record(V1, f"c{i}", "20261122", ["Cart Viewed|"]) for i in range(30)))
    assert await store.counts([V1], [("20261122", "Cart Viewed|")]) == [30]


async def test_impressions_count_within_a_window(stores: Stores) -> None:
    store = stores.slots.impressions
    await store.record(V1, ["hero-a", "strip-b"], NOW - timedelta(hours=30))
    await store.record(V1, ["hero-a"], NOW - timedelta(hours=2))
    await store.record(V1, ["hero-a"], NOW - timedelta(hours=2))  # two serves at the same instant both count
    await store.record(V2, ["hero-a"], NOW)
    since = NOW - timedelta(hours=24)
    assert await store.counts(V1, [("hero-a", since), ("strip-b", since), ("nope", since)]) == [2, 0, 0]
    assert await store.counts(V1, [("hero-a", NOW - timedelta(hours=48))]) == [3]


async def test_experiment_tallies_count_unique_visitors(stores: Stores) -> None:
    store = stores.slots.experiments
    assert await store.expose("x1", "control", V1, NOW) is True
    assert await store.expose("x1", "bold", V1, NOW + timedelta(hours=1)) is False  # first exposure sticks
    await store.expose("x1", "bold", V2, NOW)
    assert await store.exposures_of(V1, ["x1", "x2"]) == [Exposure("control", NOW), None]
    assert await store.mark("x1", "conversions", "control", V1) is True
    assert await store.mark("x1", "conversions", "control", V1) is False
    await store.mark("x1", "clicks", "bold", V2)
    assert await store.counts("x1") == {
        "control": {"exposures": 1, "clicks": 0, "conversions": 1},
        "bold": {"exposures": 1, "clicks": 1, "conversions": 0},
    }
    assert await store.counts("x2") == {}
    await store.reset("x1")
    assert await store.counts("x1") == {} and await store.exposures_of(V1, ["x1"]) == [None]


async def test_concurrent_exposures_count_once(stores: Stores) -> None:
    store = stores.slots.experiments
    await asyncio.gather(*(store.expose("x1", "control", V1, NOW) for _ in range(10)))
    assert await store.counts("x1") == {"control": {"exposures": 1, "clicks": 0, "conversions": 0}}


async def test_broadcast_reaches_a_listener(stores: Stores) -> None:
    listener = stores.slots.broadcaster.listen()
    assert await asyncio.wait_for(anext(listener), 5) == ""  # subscribed
    await stores.slots.broadcaster.publish("release:7")
    assert await asyncio.wait_for(anext(listener), 5) == "release:7"
    await listener.aclose()  # type: ignore[attr-defined]


async def test_erasing_a_visitor_keeps_aggregates_only(stores: Stores) -> None:
    slots = stores.slots
    await slots.behaviour.record(V1, "e1", "20261122", ["Product Viewed|"])
    await slots.behaviour.record(V2, "e1", "20261122", ["Product Viewed|"])
    await slots.impressions.record(V1, ["hero-a"], NOW)
    await slots.experiments.expose("x1", "control", V1, NOW)
    await slots.experiments.mark("x1", "clicks", "control", V1)
    for store in (slots.behaviour, slots.impressions, slots.experiments):
        await store.erase_visitor(V1)
    assert await slots.behaviour.counts([V1], [("20261122", "Product Viewed|")]) == [0]
    assert await slots.behaviour.counts([V2], [("20261122", "Product Viewed|")]) == [1]  # others untouched
    assert await slots.impressions.counts(V1, [("hero-a", NOW - timedelta(days=1))]) == [0]
    assert await slots.experiments.exposures_of(V1, ["x1"]) == [None]
    # The per-arm tallies are aggregates: they stay.
    assert await slots.experiments.counts("x1") == {"control": {"exposures": 1, "clicks": 1, "conversions": 0}}


async def test_a_visitor_s_traces_can_be_exported_and_are_gone_after_erasure(stores: Stores) -> None:
    slots = stores.slots
    await slots.behaviour.record(V1, "e1", "20261121", ["Product Viewed|", "Product Viewed|c-shoes"])
    await slots.behaviour.record(V1, "e2", "20261122", ["Product Viewed|"])
    await slots.behaviour.record(V2, "e3", "20261122", ["Order Completed|"])
    later = NOW + timedelta(minutes=5)
    await slots.impressions.record(V1, ["hero-a", "hero-b"], NOW)
    await slots.impressions.record(V1, ["hero-a"], later)
    await slots.impressions.record(V2, ["hero-c"], NOW)
    await slots.experiments.expose("x:1", "control", V1, NOW)  # a colon in the name, as keys use
    await slots.experiments.mark("x:1", "conversions", "control", V1)
    await slots.experiments.mark("x:1", "clicks", "control", V1)
    await slots.experiments.mark("x2", "clicks", "b", V1)  # counted without an exposure on record
    await slots.experiments.expose("x3", "a", V2, NOW)

    assert await slots.behaviour.export_visitor(V1) == {
        "20261121": {"Product Viewed|": 1, "Product Viewed|c-shoes": 1},
        "20261122": {"Product Viewed|": 1},
    }
    assert await slots.impressions.export_visitor(V1) == {"hero-a": [NOW, later], "hero-b": [NOW]}
    assert await slots.experiments.export_visitor(V1) == {
        "x2": (None, ["clicks"]),
        "x:1": (Exposure("control", NOW), ["clicks", "conversions"]),
    }
    for store in (slots.behaviour, slots.impressions, slots.experiments):
        await store.erase_visitor(V1)
    assert await slots.behaviour.export_visitor(V1) == {}
    assert await slots.impressions.export_visitor(V1) == {}
    assert await slots.experiments.export_visitor(V1) == {}
    assert await slots.experiments.export_visitor(V2) == {"x3": (Exposure("a", NOW), [])}
