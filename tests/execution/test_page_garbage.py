"""A page leaves no cyclic garbage behind: what it allocates is freed by reference counting.

Objects caught in a reference cycle are freed only by the cyclic garbage collector, and every
collection pauses the event loop; a full one over the caches a warm gateway holds took 20-70 ms
on the development VM, which was the personalized page's p99 (docs/performance.md, "The tail").
A recursive closure is the usual culprit: `def walk(node): ... walk(child)` inside a function is a
cycle (function -> cell -> function) created on every call, and everything it refers to waits
for the collector with it. The audience conditions of every slot were evaluated through one.

Measured here: the collector is stopped, the page is asked N times, then one collection finds
what only it could free: nothing, on both backends, computed or answered from the visitor cache.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest

from gateway.audiences.values.condition_evaluation import evaluate, evaluate_known, fields_of
from gateway.audiences.values.conditions import parse_condition
from gateway.settings import Settings
from gateway.testing.asgi import post_in_process
from tests.execution.test_home_page_store_calls import DEFINITIONS, FULL, KEY, PAGE, PUBLISH, SAVE, adds, track, views
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import Device, new_device

PAGES = 20  # before the fix, 12 (warm) to 22 (computed) objects in cycles per page


@contextmanager
def collector_stopped() -> Iterator[dict[str, int]]:
    """Collects, stops the collector for the block, then fills the yielded dict with what one
    collection finds that only it could free, by type (DEBUG_SAVEALL keeps it in gc.garbage)."""
    found: dict[str, int] = {}
    gc.collect()
    gc.disable()
    try:
        yield found
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found.update(Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage).most_common(12))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_evaluating_conditions_creates_no_reference_cycles() -> None:
    condition = parse_condition(
        {
            "all": [
                {"field": "profile.country", "op": "equals", "value": "PL"},
                {
                    "any": [
                        {"field": "profile.engagementTier", "op": "equals", "value": "gold"},
                        {"not": {"field": "profile.city", "op": "exists"}},
                    ]
                },
            ]
        }
    )
    facts = {"profile.country": "PL", "profile.engagementTier": "silver"}

    with collector_stopped() as cycles:
        for _ in range(100):
            assert evaluate(condition, facts, lambda query: 0).matched
            assert (
                evaluate_known(condition, facts, lambda query: 0, lambda field: field == "profile.engagementTier")
                is True
            )
            assert fields_of(condition) == ["profile.country", "profile.engagementTier", "profile.city"]

    assert cycles == {}


@pytest.fixture(params=[0, 1000], ids=["computed page", "warm page"])
async def shop(request: pytest.FixtureRequest, backend_settings: Settings) -> AsyncIterator[tuple[Gateway, Device]]:
    """The home page of tests/execution/test_home_page_store_calls.py: published slots with audience
    conditions, a FOR_YOU carousel and list, a returning shopper. Computed on every request
    (visitor cache off, as after each event) or answered from the visitor cache."""
    settings = replace(backend_settings, admin_api_key=KEY, visitor_cache_size=request.param)
    async with running_gateway(settings) as gw:
        for kind, definition in DEFINITIONS:
            assert (await gw.admin(SAVE[kind], {"d": definition}, key=KEY))["data"]["r"]["ok"]
        assert "errors" not in await gw.admin(PUBLISH, key=KEY)
        await track(await new_device(gw), views("o-", 1, 2, 3))
        shopper = await new_device(gw)
        await track(shopper, views("v", 1, 4, 5, 6) + adds("a", 7, 8))
        yield gw, shopper


async def page_of(gw: Gateway, shopper: Device, *, with_text: bool = False) -> dict[str, Any]:
    """The page as a storefront asks for it (an APQ hash, so the compiled path runs), sent straight
    to the ASGI app as a server would call it: the HTTP test client's own objects stay out."""
    digest = hashlib.sha256(PAGE.encode()).hexdigest()
    body = {"variables": FULL, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if with_text:
        body["query"] = PAGE
    raw = json.dumps(body).encode()
    headers = [(b"x-vitrine-visitor", shopper.token.encode()), (b"x-vitrine-channel", shopper.channel.encode())]
    assert gw.served is not None
    status, sent = await post_in_process(gw.served, "/graphql", raw, headers)
    answer: dict[str, Any] = json.loads(sent)
    assert status == 200 and "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


async def test_a_page_leaves_no_cyclic_garbage(shop: tuple[Gateway, Device]) -> None:
    gw, shopper = shop
    first = await page_of(gw, shopper, with_text=True)  # registers the document (APQ)
    assert first["slots"][0]["decision"] == {"reason": "AUDIENCE_MATCH", "variantId": "runners"}  # conditions ran
    await page_of(gw, shopper)  # pools, plans and caches warm

    with collector_stopped() as cycles:
        for _ in range(PAGES):
            assert (await page_of(gw, shopper))["slots"][0]["decision"]["variantId"] == "runners"
    assert cycles == {}, f"reference cycles left by {PAGES} pages: {cycles}"
