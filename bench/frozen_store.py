"""Request latency while a store is frozen (SIGSTOP): what VITRINE_STORE_TIMEOUT_MS and the
circuit breaker bound.

    python -m bench.frozen_store [--timeout-ms 1000] [--seconds 10] [--concurrency 8]

Starts its own Redis and MongoDB-protocol servers, serves the gateway in process on them, and
for each server in turn freezes it and sends the visitor page (products, viewer with session and
profile) and a `track` mutation from `--concurrency` clients in a loop for `--seconds`. Prints
p50 / p99 / max latency per store, and how many answers were degraded or refused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import time

from gateway.testing.servers import start_mongo, start_redis
from tests.support.appclient import running_gateway
from tests.support.settings import make_settings

PAGE = """{ products(first: 3) { totalCount }
  viewer { personalized degraded session { recentlyViewed { id } } profile { counters { name count } } } }"""
TRACK = """mutation($m: String!) { track(events: [{messageId: $m, name: "Product Viewed",
  properties: {product_id: "p-00001"}}]) { accepted } }"""


async def run(timeout_ms: int, seconds: float, concurrency: int) -> None:
    redis, mongo = start_redis(), start_mongo()
    try:
        settings = make_settings(mongo.url, redis.url, store_timeout_ms=timeout_ms)
        async with running_gateway(settings) as gw:
            warm = await gw.client.post("/graphql", json={"query": TRACK, "variables": {"m": "warm"}})
            token = warm.headers["x-vitrine-visitor"]
            print(f"store timeout {timeout_ms} ms, {concurrency} clients, {seconds:g} s per frozen server")
            for name, server in (("mongodb", mongo), ("redis", redis)):
                latencies: list[float] = []
                failed = 0
                deadline = time.monotonic() + seconds

                async def client(n: int, latencies: list[float] = latencies, deadline: float = deadline) -> int:
                    errors, i = 0, 0
                    while time.monotonic() < deadline:
                        i += 1
                        body = {"query": TRACK, "variables": {"m": f"{n}-{i}"}} if i % 2 else {"query": PAGE}
                        started = time.monotonic()
                        response = await gw.client.post("/graphql", json=body, headers={"x-vitrine-visitor": token})
                        latencies.append(time.monotonic() - started)
                        errors += "errors" in response.json() or response.status_code != 200
                    return errors

                os.killpg(server.process.pid, signal.SIGSTOP)
                try:
                    failed = sum(await asyncio.gather(*(client(n) for n in range(concurrency))))
                finally:
                    os.killpg(server.process.pid, signal.SIGCONT)
                latencies.sort()
                p99 = latencies[int(len(latencies) * 0.99) - 1]
                print(
                    f"  {name} frozen: {len(latencies)} requests, p50 {statistics.median(latencies) * 1000:.0f} ms, "
                    f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; {failed} with errors"
                )
                await asyncio.sleep(settings.store_breaker_seconds + 1)
    finally:
        redis.stop()
        mongo.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout-ms", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(run(args.timeout_ms, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()
