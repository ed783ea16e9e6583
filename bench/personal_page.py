"""The personalized home page for many visitors: Vitrine (compiled, APQ) against stock strawberry.

    python -m bench.personal_page [--visitors 300] [--seconds 2] [--rounds 10] [--concurrency 16]
    python -m bench.personal_page --memory [--minutes 10] [--distinct 100000] [--event-share 0.2]
        [--new-event-share 0.1] [--warm-up N] [--cache-size N]

The page a React storefront sends (bench/personal_queries.py): the viewer (4 recently viewed
cards, cart), three slots (two banners with audiences, a FOR_YOU product carousel of 8 cards),
`recommendations(strategy: FOR_YOU, first: 10)` and a category list of 20 cards whose category
varies. Apollo's automatic persisted queries (hash-only requests after one registration), so
the compiled path runs. One uvicorn worker each (uvloop, httptools), a real Redis server and a
real MongoDB-protocol server (SecantusDB), the demo catalogue; --visitors warmed visitors with
different histories take turns request by request. Stock strawberry (bench/stock_personal.py)
serves the same JSON with strawberry's defaults. Three variants run throughout and take turns
in short slices (this machine's cores change speed from minute to minute):
- vitrine: the gateway as shipped; a visitor whose state has not changed since their last page
  is answered from the visitor cache (what most page views are between two events);
- vitrine, state changed: a second gateway on the same stores with VITRINE_VISITOR_CACHE_SIZE=0,
  so every page is computed as after the visitor's last event (the honest worst case);
- stock strawberry.

Prints: each round's req/s; per variant all rounds together (req/s, p50/p99, server CPU per
request) and the ratios; the CPU per request of each part of the page asked alone; Redis round
trips and MongoDB commands per page (counted in-process at the clients, bench/page_round_trips.py);
the open-loop p99 at half the measured maximum, with the gateway's garbage-collector pauses in
each window (its /metrics).

--memory fills the gateway's caches, then runs the page for --minutes with --distinct new visitors
arriving (bench/personal_memory.py) and prints the gateway's RSS at the start, every minute and at
the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from bench.collector_pauses import Pauses, pauses
from bench.compiled import _open_loop as open_loop
from bench.compiled import _pct, combined
from bench.httpload import LoadResult, _read_response, build_request, fetch, process_cpu_seconds
from bench.load import SECRET, _serve, _stop, _wait_ready
from bench.page_round_trips import count_round_trips
from bench.personal_memory import memory_run, verdict
from bench.personal_queries import PAGE, PARTS
from bench.personal_setup import ADMIN_KEY, apq_body, leaf_categories, make_visitors, prepare, publish_slots
from gateway.settings import Settings
from gateway.testing.servers import free_port, start_mongo, start_redis

DEFAULT_VISITOR_CACHE_SIZE = next(f.default for f in fields(Settings) if f.name == "visitor_cache_size")

STARTUP_SECONDS = 300  # the first start seeds the demo into MongoDB

VITRINE = "vitrine"
CHANGED = "vitrine, state changed"
STOCK = "stock strawberry"


async def run_rotating(
    port: int, requests: Sequence[bytes], concurrency: int, seconds: float, pid: int | None = None
) -> LoadResult:
    """Closed loop, each connection taking the next request of the rotation (another visitor)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**12))

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                request = requests[next(counter) % len(requests)]
                start = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status, _ = await _read_response(reader)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += status != 200
        finally:
            writer.close()

    cpu = process_cpu_seconds(pid) if pid else float("nan")
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return LoadResult(
        len(latencies), errors, elapsed, latencies, process_cpu_seconds(pid) - cpu if pid else float("nan")
    )


def gateway_env(redis_url: str, mongo_url: str) -> dict[str, str]:
    return {
        "VITRINE_SECRET_KEY": SECRET,
        "VITRINE_LOG_LEVEL": "WARNING",
        "VITRINE_DEMO_DATA": "true",
        "VITRINE_REDIS_URL": redis_url,
        "VITRINE_MONGODB_URL": mongo_url,
        "VITRINE_MONGODB_DATABASE": "bench_personal",
        "VITRINE_ADMIN_API_KEY": ADMIN_KEY,
        # SecantusDB is a MongoDB-protocol server written in Python: seeding the demo's bulk
        # writes takes it over the 1 s default on this machine (a warm page sends it nothing).
        "VITRINE_STORE_TIMEOUT_MS": "10000",
    }


def answer_of(port: int, request: bytes) -> dict[str, Any]:
    status, raw = asyncio.run(fetch("127.0.0.1", port, request))
    answer: dict[str, Any] = json.loads(raw)
    if status != 200 or "errors" in answer:
        raise SystemExit(f"the page failed on port {port}: {raw[:500]!r}")
    return answer


PROBE = orjson.dumps(
    {"query": '{ recommendations(strategy: SIMILAR, productId: "p-00001", first: 3) { items { reason { signal } } } }'}
)


def vectors_loaded(port: int, seconds: float = 300) -> None:
    """Wait until the instance has loaded its vector index (in the background after start: until
    then FOR_YOU leaves the SIMILAR signal out, and answers would differ between instances)."""
    deadline = time.monotonic() + seconds
    request = build_request("127.0.0.1", port, "/graphql", PROBE, {})
    while True:
        items = answer_of(port, request)["data"]["recommendations"]["items"]
        if items and all(i["reason"]["signal"] == "SIMILAR" for i in items):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the vector index did not load in {seconds:.0f} s")
        time.sleep(1)


def same_page(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer without the id every recommendation list gets anew (for click attribution)."""
    data: dict[str, Any] = json.loads(json.dumps(answer["data"]))
    data["recommendations"].pop("recommendationId", None)
    return data


def stock_requests(port: int, query: str, categories: Sequence[str]) -> list[bytes]:
    return [
        build_request("127.0.0.1", port, "/graphql", orjson.dumps({"query": query, "variables": {"category": c}}), {})
        for c in categories
    ]


def http_benchmark(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> None:
    port, changed_port, stock_port = free_port(), free_port(), free_port()
    proc = _serve("gateway.asgi:app", port, env)
    servers = [proc]
    try:
        _wait_ready(port, proc, STARTUP_SECONDS)
        asyncio.run(publish_slots(port))
        tokens = asyncio.run(make_visitors(port, args.visitors))
        categories = leaf_categories(port)
        page = prepare(port, tokens, categories, PAGE)
        vectors_loaded(port)
        answer = answer_of(port, page[0])
        kinds = [s["__typename"] for s in answer["data"]["slots"] if s]
        listed = len(answer["data"]["recommendations"]["items"])
        if len(kinds) != 3 or listed != 10:
            raise SystemExit(f"the page is not the personalized page: slots {kinds}, {listed} recommendations")
        changed = _serve("gateway.asgi:app", changed_port, {**env, "VITRINE_VISITOR_CACHE_SIZE": "0"})
        servers.append(changed)
        _wait_ready(changed_port, changed, STARTUP_SECONDS)
        changed_page = prepare(changed_port, tokens, categories, PAGE)
        vectors_loaded(changed_port)
        if same_page(answer_of(changed_port, changed_page[0])) != same_page(answer):
            raise SystemExit("the gateway without its visitor cache answered differently")
        data_file = workdir / "page.json"
        data_file.write_text(json.dumps(answer))
        stock = _serve("bench.stock_personal:app", stock_port, {"STOCK_DATA": str(data_file)})
        servers.append(stock)
        _wait_ready(stock_port, stock)
        stock_page = stock_requests(stock_port, PAGE, categories)
        if answer_of(stock_port, stock_page[0])["data"] != answer["data"]:
            raise SystemExit("stock strawberry answered different data than the gateway")
        print(
            f"personalized page: {len(orjson.dumps(answer))} bytes, slots {kinds}, {listed} recommendations;"
            f" {args.visitors} visitors; real Redis and MongoDB; one uvicorn worker each;"
            f" {args.rounds} turns x {args.seconds:.0f}s per variant at concurrency {args.concurrency}",
            flush=True,
        )
        plans = {
            VITRINE: (port, proc.pid, page),
            CHANGED: (changed_port, changed.pid, changed_page),
            STOCK: (stock_port, stock.pid, stock_page),
        }
        _rounds(args, plans)
        _parts(args, plans, tokens, categories)
        _open_loop(args, port, page)
    finally:
        for server in servers:
            _stop(server)
    print("\nstore round trips per page (in-process, counted at the clients, 60 visitors):", flush=True)
    bodies = [apq_body(PAGE, {"category": categories[i % len(categories)]}, False) for i in range(len(tokens))]
    register = apq_body(PAGE, {"category": categories[0]}, True)
    trips = asyncio.run(count_round_trips(env, tokens[:61], bodies[:61], register))
    for line in trips.lines():
        print(line)


Plan = tuple[int, int, list[bytes]]


async def warm(port: int, requests: Sequence[bytes], concurrency: int = 8) -> None:
    """Every visitor's page once: what a warmed visitor means (a state kept since their last page)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(request: bytes) -> None:
        async with gate:
            status, raw = await fetch("127.0.0.1", port, request)
            if status != 200:
                raise SystemExit(f"warm-up failed: {raw[:300]!r}")

    await asyncio.gather(*(one(r) for r in requests))


def _rounds(args: argparse.Namespace, plans: dict[str, Plan]) -> None:
    for p, _, reqs in plans.values():
        asyncio.run(warm(p, reqs))
    results: dict[str, list[LoadResult]] = defaultdict(list)
    names = list(plans)
    for round_no in range(args.rounds):
        turn = round_no % len(names)
        for name in names[turn:] + names[:turn]:
            p, pid, reqs = plans[name]
            results[name].append(asyncio.run(run_rotating(p, reqs, args.concurrency, args.seconds, pid)))
        line = "  ".join(f"{n} {results[n][-1].rps:7.1f}" for n in names)
        print(f"round {round_no + 1:2d} req/s: {line}", flush=True)
    totals = {n: combined(r) for n, r in results.items()}
    base = totals[STOCK]
    print("\nall rounds together per variant:")
    for name, total in totals.items():
        print(
            f"  {name:22s} {total.summary()}  x{total.rps / base.rps:.2f} stock rps,"
            f" x{base.cpu_ms_per_request / total.cpu_ms_per_request:.2f} stock CPU efficiency"
        )
    for name in (VITRINE, CHANGED):
        ratios = sorted(c.rps / s.rps for c, s in zip(results[name], results[STOCK], strict=True))
        low, mid, high = ratios[0], ratios[len(ratios) // 2], ratios[-1]
        print(f"  {name} / stock per round: min x{low:.1f}, median x{mid:.1f}, max x{high:.1f}")


def _parts(args: argparse.Namespace, plans: dict[str, Plan], tokens: list[str], categories: list[str]) -> None:
    print("\neach part of the page asked alone (server CPU per request; x = stock / this):", flush=True)
    for part, query in PARTS.items():
        requests = {
            VITRINE: prepare(plans[VITRINE][0], tokens, categories, query),
            CHANGED: prepare(plans[CHANGED][0], tokens, categories, query),
            STOCK: stock_requests(plans[STOCK][0], query, categories),
        }
        for name, reqs in requests.items():
            answer_of(plans[name][0], reqs[0])  # the part answers, without errors
        got: dict[str, list[LoadResult]] = defaultdict(list)
        for _ in range(max(2, args.rounds // 3)):
            for name, reqs in requests.items():
                p, pid, _ = plans[name]
                got[name].append(asyncio.run(run_rotating(p, reqs, args.concurrency, args.seconds, pid)))
        cpu = {name: combined(runs).cpu_ms_per_request for name, runs in got.items()}
        print(
            f"  {part:38s} vitrine {cpu[VITRINE]:5.2f} ms x{cpu[STOCK] / cpu[VITRINE]:5.1f}"
            f"   state changed {cpu[CHANGED]:5.2f} ms x{cpu[STOCK] / cpu[CHANGED]:4.1f}   stock {cpu[STOCK]:5.2f} ms"
        )


@dataclass(frozen=True)
class Window:
    """One open-loop window at half the maximum measured just before it."""

    top: float  # req/s, closed loop, just before
    latencies: list[float]  # ms
    collected: Pauses  # the gateway's garbage-collector pauses during the window

    @property
    def p99(self) -> float:
        return _pct(self.latencies, 99)

    def line(self) -> str:
        return (
            f"max {self.top:5.0f} -> {self.top / 2:4.0f} req/s: p50 {_pct(self.latencies, 50):5.2f}"
            f" p99 {self.p99:6.2f} max {max(self.latencies):6.1f} ms; {self.collected.line()}"
        )


def half_load_window(port: int, page: Sequence[bytes], concurrency: int, seconds: float) -> Window:
    """The maximum (closed loop, 3 s), then an open loop at half of it for `seconds`, with the
    collector's pauses in the window from the gateway's /metrics."""
    top = asyncio.run(run_rotating(port, page, concurrency, 3.0)).rps
    before = pauses(port)
    latencies = asyncio.run(open_loop(port, page, top / 2, seconds))
    return Window(top, latencies, pauses(port) - before)


def _open_loop(args: argparse.Namespace, port: int, page: list[bytes]) -> None:
    print(f"\nvitrine, open loop at 50% of the max measured just before each {args.window_seconds:.0f}s window:")
    p99s = []
    for _ in range(args.open_loop_windows):
        window = half_load_window(port, page, args.concurrency, args.window_seconds)
        p99s.append(window.p99)
        print(f"  {window.line()}", flush=True)
    p99s.sort()
    print(f"  median window p99 {p99s[len(p99s) // 2]:.2f} ms")


def memory_benchmark(args: argparse.Namespace, env: dict[str, str]) -> None:
    port = free_port()
    if args.cache_size is not None:  # a smaller bound is reached, and evicted from, many times over
        env = {**env, "VITRINE_VISITOR_CACHE_SIZE": str(args.cache_size)}
    proc = _serve("gateway.asgi:app", port, env)
    try:
        _wait_ready(port, proc, STARTUP_SECONDS)
        vectors_loaded(port)
        asyncio.run(publish_slots(port))
        categories = leaf_categories(port)
        tokens = asyncio.run(make_visitors(port, 1))
        prepare(port, tokens, categories, PAGE)  # registers the page's text (APQ)
        cache_size = int(env.get("VITRINE_VISITOR_CACHE_SIZE", str(DEFAULT_VISITOR_CACHE_SIZE)))
        warm_up = args.warm_up if args.warm_up is not None else cache_size
        print(
            f"memory: {warm_up} visitors fill the caches, then {args.minutes:.0f} minutes with {args.distinct} new"
            f" distinct visitors arriving evenly ({args.new_event_share:.0%} of them send product views first);"
            f" {args.event_share:.0%} of returning visitors send an event first; concurrency {args.concurrency};"
            f" VITRINE_VISITOR_CACHE_SIZE={cache_size}",
            flush=True,
        )
        samples = asyncio.run(
            memory_run(
                port,
                proc.pid,
                lambda c: apq_body(PAGE, {"category": c}, with_text=False),
                categories,
                minutes=args.minutes,
                distinct=args.distinct,
                concurrency=args.concurrency,
                event_share=args.event_share,
                new_event_share=args.new_event_share,
                warm_up=warm_up,
            )
        )
        print(verdict(samples))
    finally:
        _stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--window-seconds", type=float, default=6.0)
    parser.add_argument("--open-loop-windows", type=int, default=5)
    parser.add_argument("--memory", action="store_true", help="the memory run instead of the throughput run")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--distinct", type=int, default=100_000)
    parser.add_argument("--event-share", type=float, default=0.2)
    parser.add_argument("--new-event-share", type=float, default=0.1)
    parser.add_argument("--warm-up", type=int, help="visitors before the start (default: the cache size)")
    parser.add_argument("--cache-size", type=int, help="VITRINE_VISITOR_CACHE_SIZE for the memory run")
    args = parser.parse_args()
    redis = start_redis()
    mongo = start_mongo(cache_size="1G")
    try:
        env = gateway_env(redis.url, mongo.url)
        if args.memory:
            memory_benchmark(args, env)
        else:
            http_benchmark(args, env, Path(tempfile.mkdtemp(prefix="vitrine-page-")))
    finally:
        mongo.stop()
        redis.stop()


if __name__ == "__main__":
    main()
