"""What identity, segments and triggers cost on the event path, on real MongoDB + Redis.

    python -m bench.identity [--visitors 200] [--batch 10] [--rounds 3]

Runs, side by side in one process against the same servers (fresh databases):
  - base:     event intake with no segments defined and triggers off;
  - customer: the same with 3 segments (one counting behaviour in a 7-day window) and
              triggers on (timers scheduled per event batch);
and then `identify` merges of two devices per customer. Prints events/s for each variant,
their ratio, and merge latency p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from dataclasses import replace

from gateway.identity.values import IdKind, identifier
from gateway.kernel.visitor import Channel, Visitor
from gateway.runtime import open_runtime
from gateway.settings import Settings
from gateway.testing.servers import start_mongo, start_redis
from gateway.visitors.tokens import new_visitor_id
from tests.support.factories import BRANDS, CATEGORIES, product

SEGMENTS = {
    "buyers": {"field": "profile.purchases", "op": "gte", "value": 1},
    "engaged": {"field": "profile.engagementTier", "op": "equals", "value": "active"},
    "runners": {
        "behaviour": {"event": "Product Viewed", "category": "c-running", "withinDays": 7},
        "op": "gte",
        "value": 3,
    },
}


async def intake(settings: Settings, visitors: int, batch: int, with_segments: bool) -> float:
    async with open_runtime(settings, background=False) as c:
        await c.stores.catalog.upsert([product(i) for i in range(1, 41)], BRANDS, CATEGORIES)
        await c.services.catalog.refresh()
        if with_segments:
            for key, definition in SEGMENTS.items():
                await c.services.segments.save(key, key, "", definition)
        people = [Visitor(new_visitor_id(), False, Channel.WEB) for _ in range(visitors)]
        events = [
            [
                {"messageId": f"m{i}", "name": "Product Viewed", "properties": {"product_id": f"p-{i % 40 + 1:05d}"}}
                for i in range(batch)
            ]
        ]
        start = time.perf_counter()
        for person in people:
            await c.services.events.track(person, events[0])
        return visitors * batch / (time.perf_counter() - start)


async def merges(settings: Settings, customers: int) -> list[float]:
    async with open_runtime(settings, background=False) as c:
        took = []
        for n in range(customers):
            a, b = new_visitor_id(), new_visitor_id()
            for device in (a, b):
                start = time.perf_counter()
                await c.services.identity.link(
                    [identifier(IdKind.VISITOR, device), identifier(IdKind.CUSTOMER, f"c{n}")], reason="bench"
                )
                took.append((time.perf_counter() - start) * 1000)
        return took


async def main(visitors: int, batch: int, rounds: int) -> None:
    mongo, redis = start_mongo(), start_redis()
    try:

        def fresh(**extra: object) -> Settings:
            tag = uuid.uuid4().hex[:8]
            base = Settings(
                mongodb_url=mongo.url,
                redis_url=redis.url,
                mongodb_database=f"bench_{tag}",
                redis_prefix=f"b{tag}:",
                secret_keys=("bench-secret-key-0123456789-abcdefghijkl",),
                secret_is_ephemeral=False,
                demo_data=False,
            )
            return replace(base, **extra)  # type: ignore[arg-type]

        hooks = {"webhook_url": "http://127.0.0.1:9/none", "webhook_secret": "bench-webhook-secret-0123456789-abcdef"}
        # Interleaved rounds, median of each: the machine's other load hits both alike.
        bases, fulls = [], []
        for _ in range(rounds):
            bases.append(await intake(fresh(), visitors, batch, with_segments=False))
            fulls.append(await intake(fresh(**hooks), visitors, batch, with_segments=True))
        base, full = statistics.median(bases), statistics.median(fulls)
        print(f"event intake, batches of {batch}, {visitors} visitors, median of {rounds} rounds (MongoDB + Redis):")
        print(f"  base     {base:8.0f} events/s")
        print(f"  customer {full:8.0f} events/s   ({full / base:.2f}x of base)")
        took = sorted(await merges(fresh(), visitors // 2))
        p50, p99 = statistics.median(took), took[int(len(took) * 0.99) - 1]
        print(f"identify (link + merge), {len(took)} calls: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    finally:
        mongo.stop()
        redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.visitors, args.batch, args.rounds))
