"""Event intake throughput: the path without a journal, and the durable intake, side by side.

    python -m bench.intake [--visitors 400] [--batch 50] [--concurrency 8] [--rounds 3]

One process, one event loop (one worker), a real Redis server, MongoDB in process (the
MongoDB-protocol test server manages about 100 writes/s, so it cannot be the yardstick).
Each visitor sends one batch of `--batch` events (views and adds to cart) through
`EventService.track`, `--concurrency` visitors at a time. Variants, interleaved round by round:

- current:  no journal: the event log, then the profile, session and listeners, in the request
            (the path every release before the durable intake took);
- inline:   the journal, then the same work in the request (the default `VITRINE_INTAKE_APPLY`);
- deferred: the journal and the staged changes only (`VITRINE_INTAKE_APPLY=deferred`); the
            appliers (`python -m gateway worker`, or every instance) apply the events.

For deferred it also checks read-your-writes (every 10th visitor reads its own state back
right after `track`: counters and cart must already show the batch) and measures how far the
profiles lag: first the applier alone drains what the accept phase left, then a steady 2,000
events/s are accepted while an applier runs in the same process, and the age of the oldest
waiting event is sampled every 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import statistics
import time
import uuid

from gateway.kernel.visitor import Channel, Visitor
from gateway.runtime import Runtime, open_runtime
from gateway.settings import Settings
from gateway.testing.servers import start_redis
from gateway.visitors import EventService
from gateway.visitors.tokens import new_visitor_id
from tests.support.factories import BRANDS, CATEGORIES, product

SECRET = "bench-secret-key-0123456789-abcdefghijkl"


def batch_of(n: int, tag: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    for i in range(n):
        pid = f"p-{i % 40 + 1:05d}"
        if i % 6 == 5:
            events.append({"messageId": f"{tag}-{i}", "name": "Product Added", "properties": {"product_id": pid}})
        else:
            events.append({"messageId": f"{tag}-{i}", "name": "Product Viewed", "properties": {"product_id": pid}})
    return events


async def prepare(runtime: Runtime) -> None:
    await runtime.stores.catalog.upsert([product(i) for i in range(1, 41)], BRANDS, CATEGORIES)
    await runtime.services.catalog.refresh()


async def accept(events: EventService, visitors: int, batch: int, concurrency: int, ryw: Runtime | None) -> float:
    """Events per second through `track`; with `ryw`, every 10th visitor reads its state back."""
    people = [Visitor(new_visitor_id(), False, Channel.WEB) for _ in range(visitors)]
    queue = list(enumerate(people))
    failures: list[str] = []

    async def one_worker() -> None:
        while queue:
            n, person = queue.pop()
            result = await events.track(person, batch_of(batch, "m"))
            if result.count(result.outcomes[0].status) != batch:
                failures.append(f"{person.id}: {result.outcomes[:2]}")
            if ryw is not None and n % 10 == 0:
                (state,) = await ryw.services.visitors.load([person.id])
                views = sum(1 for i in range(batch) if i % 6 != 5)
                adds = batch - views
                if (
                    state.profile.counters.get("Product Viewed") != views
                    or sum(line.quantity for line in state.session.cart) != adds
                ):
                    failures.append(f"read-your-writes: {person.id} sees {dict(state.profile.counters)}")

    start = time.perf_counter()
    await asyncio.gather(*(one_worker() for _ in range(concurrency)))
    took = time.perf_counter() - start
    if failures:
        raise AssertionError(failures[:3])
    return visitors * batch / took


async def drain(runtime: Runtime) -> tuple[int, float]:
    applier, journal = runtime.services.journal_applier, runtime.stores.visitors.journal
    assert applier is not None and journal is not None
    start, done = time.perf_counter(), 0
    while (await journal.backlog()).events:
        done += await applier.drain()
    return done, time.perf_counter() - start


async def steady(runtime: Runtime, rate: float, seconds: float, batch: int) -> list[float]:
    """Accept `rate` events/s while an applier runs; the oldest waiting event's age, sampled."""
    applier, journal = runtime.services.journal_applier, runtime.stores.visitors.journal
    assert applier is not None and journal is not None
    stop = asyncio.Event()
    ages: list[float] = []

    async def apply_loop() -> None:
        while not stop.is_set():
            if not await applier.drain():
                await asyncio.sleep(0.05)

    async def sample() -> None:
        while not stop.is_set():
            ages.append((await journal.backlog()).oldest_seconds)
            await asyncio.sleep(0.1)

    tasks = [asyncio.create_task(apply_loop()), asyncio.create_task(sample())]
    interval, deadline = batch / rate, time.perf_counter() + seconds
    next_at = time.perf_counter()
    while time.perf_counter() < deadline:
        person = Visitor(new_visitor_id(), False, Channel.WEB)
        await runtime.services.events.track(person, batch_of(batch, "s"))
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    stop.set()
    await asyncio.gather(*tasks)
    end = time.perf_counter()
    while (await journal.backlog()).events:  # what was left when accepting stopped
        await applier.drain()
    ages.append(time.perf_counter() - end)
    return ages


async def main(visitors: int, batch: int, concurrency: int, rounds: int) -> None:
    redis = start_redis()
    try:

        def fresh(mode: str) -> Settings:
            tag = uuid.uuid4().hex[:8]
            return Settings(
                redis_url=redis.url,
                redis_prefix=f"b{tag}:",
                secret_keys=(SECRET,),
                secret_is_ephemeral=False,
                demo_data=False,
                intake_apply=mode,
            )

        results: dict[str, list[float]] = {"current": [], "inline": [], "deferred": []}
        drains: list[tuple[int, float]] = []
        for _ in range(rounds):
            for name in results:
                async with open_runtime(fresh("deferred" if name == "deferred" else "inline"), background=False) as rt:
                    await prepare(rt)
                    service = rt.services.events
                    if name == "current":
                        service = copy.copy(service)
                        service._durable = None  # the path without a journal
                    ryw = rt if name == "deferred" else None
                    results[name].append(await accept(service, visitors, batch, concurrency, ryw))
                    if name == "deferred":
                        drains.append(await drain(rt))
        print(f"event intake, {visitors} visitors x {batch} events, concurrency {concurrency}, median of {rounds}:")
        base = statistics.median(results["current"])
        for name, values in results.items():
            rate = statistics.median(values)
            print(
                f"  {name:9s} {rate:9.0f} events/s  ({rate / base:.2f}x current)  rounds: {[round(v) for v in values]}"
            )
        applied = [n / t for n, t in drains]
        print(f"  deferred, applying what was accepted (one applier): {statistics.median(applied):.0f} events/s")
        print("  read-your-writes in deferred mode: every sampled visitor saw its whole batch at once")
        async with open_runtime(fresh("deferred"), background=False) as rt:
            await prepare(rt)
            ages = await steady(rt, rate=2000, seconds=10, batch=batch)
        print(
            f"  lag at a steady 2,000 events/s with one applier in the same process: oldest waiting event "
            f"median {statistics.median(ages):.2f} s, max {max(ages):.2f} s"
        )
    finally:
        redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=400)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.visitors, args.batch, args.concurrency, args.rounds))
