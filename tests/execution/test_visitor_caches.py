"""What is kept per visitor state answers exactly what a fresh computation answers, is never
stale, and never skips counting (both backends).

The lists and slot inputs a page derives from a visitor's stored state are kept for that state
(gateway/recommendations/list_cache.py, SlotService's inputs cache). Differential: for many
visitors with different histories, the page served from what was kept equals the page computed
afresh at the same moment. Counting: impressions of capped variants and experiment exposures
are recorded on every serve, also when requests race.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.kernel import VisitorId
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, Device, new_device
from tests.support.slot_fixtures import HERO, RUNNERS, STRIP, banner, variant

KEY = "caches-admin-key-0123456789-abcdefghijkl"
SAVE = {
    kind: f"mutation($d: JSON!) {{ r: {name}(definition: $d) {{ ok problems {{ path message }} }} }}"
    for kind, name in (
        ("slots", "saveSlot"),
        ("variants", "saveVariant"),
        ("audiences", "saveAudience"),
        ("experiments", "saveExperiment"),
    )
}
CAROUSEL = {"key": "for-you", "contentType": "productCarousel", "default": {"title": "For you", "strategy": "FOR_YOU"}}
EXPERIMENT = {
    "key": "strip-test",
    "name": "Strip test",
    "status": "running",
    "slot": "home-strip",
    "arms": [{"key": "control", "weight": 50}, {"key": "other", "variant": "strip-b", "weight": 50}],
    "attributionDays": 7,
}
PAGE = """{ viewer { session { recentlyViewed { id } cart { itemCount } } }
  slots(keys: ["home-hero", "home-strip", "for-you"]) {
    ... on Banner { title decision { reason variantId matchedConditions experiment { arm } } }
    ... on ProductCarousel { title decision { reason experiment { arm } } products(first: 8) { id } } }
  recommendations(strategy: FOR_YOU, first: 10) { items { score product { id } reason { signal sourceIds } }
    fallbacks { step added } } }"""


async def publish(gw: Gateway, *definitions: tuple[str, dict[str, Any]]) -> None:
    for kind, definition in definitions:
        body = await gw.admin(SAVE[kind], {"d": definition}, key=KEY)
        assert body["data"]["r"]["ok"], body
    assert "errors" not in await gw.admin('mutation { publish(note: "t") { version } }', key=KEY)


def fresh(gw: Gateway) -> Any:
    """Switch the kept lists and slot inputs off (and back on) for a computation from scratch."""
    services = gw.runtime.services

    class Off:
        def __enter__(self) -> None:
            self.saved = (services.recommendations._cache, services.slots._inputs)
            services.recommendations._cache, services.slots._inputs = None, None

        def __exit__(self, *exc: object) -> None:
            services.recommendations._cache, services.slots._inputs = self.saved

    return Off()


async def test_kept_answers_equal_fresh_ones_for_many_visitors(backend_settings: Settings) -> None:
    rng = random.Random(11)
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gw:
        await publish(
            gw,
            ("slots", HERO),
            ("slots", {**STRIP, "contentType": "banner", "default": banner("Strip")}),
            ("slots", CAROUSEL),
            ("audiences", RUNNERS),
            ("variants", variant("runners", "For runners", audience="runners")),
            ("variants", variant("strip-b", "Strip B", slot="home-strip")),
            ("experiments", EXPERIMENT),
        )
        devices: list[Device] = []
        with_state = 0  # visitors with a stored state (the others have nothing to keep)
        for n in range(24):
            device = await new_device(gw)
            products = rng.sample(range(1, 40), rng.randint(0, 9))
            events = [
                {"messageId": f"e{n}-{i}", "name": "Product Viewed", "properties": {"product_id": f"p-{p:05d}"}}
                for i, p in enumerate(products)
            ]
            if products and rng.random() < 0.5:
                events.append(
                    {
                        "messageId": f"a{n}",
                        "name": "Product Added",
                        "properties": {"product_id": f"p-{products[0]:05d}"},
                    }
                )
            if events:
                assert (await device.gql(TRACK, {"events": events}))["track"]["accepted"] == len(events)
                with_state += 1
            devices.append(device)
        for device in devices:
            await device.gql(PAGE)  # computed, and kept
            served = await device.gql(PAGE)  # from what was kept
            with fresh(gw):
                computed = await device.gql(PAGE)
            assert served == computed
        hits = gw.runtime.services.recommendations._cache
        # Both FOR_YOU lists of every second page with a stored state were served kept.
        assert hits is not None and hits.hits >= 2 * with_state > 0


async def test_nothing_kept_outlives_what_it_depends_on(backend_settings: Settings) -> None:
    """The visitor's next event, a new release, a new catalogue snapshot, moving signals."""
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gw:
        await publish(gw, ("slots", HERO), ("slots", CAROUSEL))
        device = await new_device(gw)
        await device.view("p-00001", "p-00002", "p-00003")
        first = await device.gql(PAGE)
        assert first["slots"][0]["title"] == "Welcome"
        # A new release: the next page decides with it.
        await publish(gw, ("audiences", RUNNERS), ("variants", variant("runners", "For runners", audience="runners")))
        assert (await device.gql(PAGE))["slots"][0]["title"] == "For runners"
        # The visitor's own event: read your writes.
        await device.view("p-00009", prefix="next")
        page = await device.gql(PAGE)
        assert page["viewer"]["session"]["recentlyViewed"][0] == {"id": "p-00009"}
        assert "p-00009" not in [i["product"]["id"] for i in page["recommendations"]["items"]]
        # A new catalogue snapshot (p-00005 out of stock): never recommended from a kept list.
        from tests.support.factories import BRANDS, CATEGORIES, product

        shown = {i["product"]["id"] for i in page["recommendations"]["items"]}
        gone = sorted(shown)[0]
        await gw.runtime.stores.catalog.upsert([product(int(gone[2:]), stock=0)], BRANDS, CATEGORIES)
        await gw.runtime.services.catalog.refresh()
        assert gone not in [i["product"]["id"] for i in (await device.gql(PAGE))["recommendations"]["items"]]
        # New vectors loaded: lists derived from the old index are not served again.
        recommendations = gw.runtime.services.recommendations
        assert recommendations._cache is not None
        await device.gql(PAGE)
        misses = recommendations._cache.misses
        gw.runtime.services.vectors._loads += 1  # what a refresh that loads a new index does
        await device.gql(PAGE)
        assert recommendations._cache.misses > misses
        # Other visitors' signals move: kept lists follow within the freshness bucket.
        recommendations._clock = lambda: datetime.now(UTC).timestamp() + 3600  # the next buckets
        misses = recommendations._cache.misses if recommendations._cache else 0
        await device.gql(PAGE)
        assert recommendations._cache is not None and recommendations._cache.misses > misses


async def test_every_serve_is_counted_also_when_requests_race(backend_settings: Settings) -> None:
    async with running_gateway(replace(backend_settings, admin_api_key=KEY)) as gw:
        capped = variant("capped", "Capped", 50, frequencyCap={"max": 1000, "windowHours": 24})
        await publish(
            gw,
            ("slots", HERO),
            ("slots", {**STRIP, "contentType": "banner", "default": banner("Strip")}),
            ("variants", capped),
            ("variants", variant("strip-b", "B", slot="home-strip")),
            ("experiments", EXPERIMENT),
        )
        device = await new_device(gw)
        await device.view("p-00001")
        query = '{ slots(keys: ["home-hero", "home-strip"]) { ... on Banner { title decision { reason } } } }'
        for _ in range(5):
            await device.gql(query)
        await asyncio.gather(*(device.gql(query) for _ in range(15)))
        since = datetime.now(UTC) - timedelta(hours=1)
        (served,) = await gw.runtime.stores.slots.impressions.counts(VisitorId(device.visitor_id), [("capped", since)])
        assert served == 20
        counts = await gw.runtime.stores.slots.experiments.counts("strip-test")
        assert sum(arm["exposures"] for arm in counts.values()) == 1  # one visitor, exposed once
