"""Values both backends accept: random JSON through the intake, the same outcome from each store.

Every example posts one batch to two gateways, one on the memory stores and one on the real
MongoDB-protocol and Redis servers: a valid event, one event carrying random properties, a
timestamp and a name drawn from the edges of what JSON can say, and another valid event. Both
must answer the same per-event outcome, store both valid events (a bad event is rejected alone),
and give back the same stored properties and traits. Before the value rules, an integer of
2^63 or more was accepted by the memory store and failed the whole batch in MongoDB (500).
"""

from __future__ import annotations

import asyncio
import json
import os
from contextlib import AsyncExitStack
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.appclient import Gateway, running_gateway
from tests.support.compiled_support import close_loop, explore
from tests.support.settings import make_settings

EXAMPLES = int(os.environ.get("VITRINE_HYPOTHESIS_EXAMPLES", "60"))

# Text from the whole of Unicode but surrogates (JSON cannot carry a lone one: the body is refused
# whole, on both backends alike), NUL included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
KEYS = st.one_of(TEXT, st.sampled_from(["a.b", "$set", "", "x\x00y", "k" * 129, "_id", "traits"]))
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=-(2**63) - 2, max_value=-(2**63) + 2),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, st.just("s" * 5000))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
PROPERTIES = st.dictionaries(KEYS, JSON_VALUES, max_size=5)
TIMESTAMPS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+23:59",
            "2026-13-01T00:00:00Z",
            "now",
            "9" * 100,
        ]
    ),
    TEXT,
)
EVENTS = st.fixed_dictionaries(
    {
        "messageId": st.just("random"),
        "type": st.sampled_from(["track", "page", "identify"]),
        "timestamp": TIMESTAMPS,
        "properties": PROPERTIES,
    },
    optional={"name": st.one_of(st.just("Cart Viewed"), TEXT)},
)
GOOD_FIRST = {"messageId": "first", "name": "Cart Viewed"}
GOOD_LAST = {"messageId": "last", "type": "page", "properties": {"path": "/"}}
MY_DATA = "{ myData }"


def body(events: list[dict[str, Any]]) -> bytes:
    # The standard library writes any integer as digits, which is what a client would send.
    return json.dumps({"events": events}).encode()


async def outcome(gw: Gateway, events: list[dict[str, Any]]) -> tuple[int, list[Any], Any]:
    gw.client.cookies.clear()  # a new visitor for every example
    response = await gw.client.post("/v1/events", content=body(events), headers={"content-type": "application/json"})
    if response.status_code != 200:
        return response.status_code, [], None
    results = [(r["index"], r["status"], r.get("code")) for r in response.json()["results"]]
    token = response.headers["x-vitrine-visitor"]
    data = await gw.gql(MY_DATA, headers={"x-vitrine-visitor": token})
    stored = data["data"]["myData"]
    events_kept = sorted((e["messageId"], e["type"], e["name"], e["properties"]) for e in stored["events"])
    traits = (stored["profile"] or {}).get("traits")
    return 200, results, (events_kept, traits)


def test_random_json_gets_the_same_outcome_from_memory_and_real_stores(
    mongodb_url: str, redis_url: str, unique: str
) -> None:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        memory = loop.run_until_complete(stack.enter_async_context(running_gateway(make_settings())))
        real_settings = make_settings(
            mongodb_url, redis_url, mongodb_database=f"t_{unique}", redis_prefix=f"t{unique}:"
        )
        real = loop.run_until_complete(stack.enter_async_context(running_gateway(real_settings)))
        rejected = 0

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=not explore(),
        )
        @given(event=EVENTS)
        def check(event: dict[str, Any]) -> None:
            nonlocal rejected
            batch = [GOOD_FIRST, event, GOOD_LAST]
            from_memory = loop.run_until_complete(outcome(memory, batch))
            from_real = loop.run_until_complete(outcome(real, batch))
            assert from_memory == from_real, batch
            status, results, _ = from_real
            assert status == 200, batch
            assert results[0][1] == results[2][1] == "ACCEPTED", (batch, results)  # the rest of the batch is stored
            rejected += results[1][1] == "REJECTED"

        check()
        assert rejected >= EXAMPLES // 4, "too few random events broke a rule to mean anything"
    finally:
        loop.run_until_complete(stack.aclose())
        close_loop(loop)
