"""Slot decisions: the pure decision and a whole `slots` request, side by side with a baseline.

    python -m bench.slots [--variants 60] [--requests 1000] [--real]

Prints microseconds per pure decision for a slot with N targeted variants, then the mean and
p95 latency of an in-process (ASGI) GraphQL request for three slots next to the same request
for `viewer { visitorId }` alone, and their ratio. Memory stores by default; `--real` starts a
local Redis and MongoDB-protocol server (the test servers) so the Redis round trips count.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from gateway.app import create_app
from gateway.runtime import Runtime
from gateway.settings import Settings
from gateway.slots.values.decision import Visit, decide
from gateway.slots.values.definitions import build_snapshot
from gateway.testing.asgi import with_state

BANNER = {"title": "t", "imageUrl": "https://cdn.example/x.jpg", "altText": "a", "link": "/x"}


def definitions(n: int) -> dict[str, list[dict[str, Any]]]:
    slots = [
        {"key": key, "contentType": "banner", "timeZone": "Europe/Warsaw", "default": BANNER}
        for key in ("hero", "strip", "footer")
    ]
    variants = []
    for i in range(n):
        conditions = {
            "all": [
                {"field": "profile.traits.tier", "op": "in", "value": [f"tier-{i}", "platinum"]},
                {"field": "cart.value", "op": "gte", "value": 100 + i},
                {
                    "behaviour": {"event": "Product Viewed", "category": f"c-{i % 5}", "withinDays": 7},
                    "op": "gte",
                    "value": 3,
                },
            ]
        }
        slot = ("hero", "strip", "footer")[i % 3]
        variants.append(
            {
                "id": f"v{i}",
                "slot": slot,
                "status": "published",
                "priority": i,
                "conditions": conditions,
                "content": BANNER,
            }
        )
    return {"slots": slots, "variants": variants, "audiences": [], "experiments": []}


def bench_pure(n: int, rounds: int) -> float:
    snapshot = build_snapshot(1, definitions(n))
    slot = snapshot.slots["hero"]
    visit = Visit("v_bench", {"profile.traits.tier": "gold", "cart.value": 50.0}, datetime.now(UTC), "web")
    started = time.perf_counter()
    for _ in range(rounds):
        decide(snapshot, slot, visit)  # nothing matches: the worst case walks every variant
    return (time.perf_counter() - started) / rounds * 1e6


async def bench_requests(n: int, requests: int, mongodb_url: str, redis_url: str) -> dict[str, list[float]]:
    settings = Settings(
        mongodb_url=mongodb_url,
        redis_url=redis_url,
        demo_data=False,
        secret_keys=("bench-secret-key-0123456789-abcdefghijkl",),
        secret_is_ephemeral=False,
    )
    app = create_app(settings, background=False, freeze_gc=False)
    timings: dict[str, list[float]] = {"viewer only": [], "viewer + 3 slots": []}
    queries = {
        "viewer only": "{ viewer { visitorId } }",
        "viewer + 3 slots": '{ viewer { visitorId } slots(keys: ["hero", "strip", "footer"]) '
        "{ ... on Banner { title decision { reason variantId } } } }",
    }
    async with app.router.lifespan_context(app) as state:
        runtime: Runtime = app.state.runtime
        for kind, items in definitions(n).items():
            for item in items:
                await runtime.services.slot_definitions.put(kind, item, "bench")
        await runtime.services.slot_definitions.publish("bench", "bench")
        transport = httpx.ASGITransport(app=with_state(app, state))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(50):  # warm up
                for query in queries.values():
                    await client.post("/graphql", json={"query": query})
            for _ in range(requests):
                for name, query in queries.items():  # interleaved, so both see the same conditions
                    started = time.perf_counter()
                    response = await client.post("/graphql", json={"query": query})
                    timings[name].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=60)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--real", action="store_true", help="real Redis and MongoDB-protocol servers")
    args = parser.parse_args()
    per_decision = bench_pure(args.variants, 2000)
    print(f"pure decision, {args.variants // 3} targeted variants in the slot, none matching: {per_decision:.1f} µs")
    servers = []
    mongodb_url = redis_url = "memory://"
    if args.real:
        from gateway.testing.servers import start_mongo, start_redis

        servers = [start_redis(), start_mongo()]
        redis_url, mongodb_url = servers[0].url, servers[1].url
    try:
        timings = asyncio.run(bench_requests(args.variants, args.requests, mongodb_url, redis_url))
    finally:
        for server in servers:
            server.stop()
    print(f"stores: {'Redis + MongoDB (local)' if args.real else 'memory'}")
    means = {}
    for name, values in timings.items():
        values.sort()
        means[name] = statistics.fmean(values)
        p95 = values[int(len(values) * 0.95)]
        print(f"{name:>18}: mean {means[name]:.2f} ms, p95 {p95:.2f} ms over {len(values)} requests")
    print(f"ratio (3 slots / baseline): {means['viewer + 3 slots'] / means['viewer only']:.2f}")


if __name__ == "__main__":
    main()
