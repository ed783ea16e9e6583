"""The personalized home page for many visitors: Vitrine (compiled, APQ) against stock strawberry.

    python -m bench.personal_page [--visitors 300] [--seconds 2] [--rounds 10] [--concurrency 16]
    python -m bench.personal_page --memory [--minutes 10] [--distinct 100000]

The page a React storefront sends (bench/personal_queries.py): the viewer (4 recently viewed
cards, cart), three slots (two banners with audiences, a FOR_YOU product carousel of 8 cards),
`recommendations(strategy: FOR_YOU, first: 10)` and a category list of 20 cards whose category
varies. Apollo's automatic persisted queries (hash-only requests after one registration), so
the compiled path runs. One uvicorn worker each (uvloop, httptools), a real Redis server, the
demo catalogue; --visitors warmed visitors with different histories take turns request by
request. Stock strawberry (bench/stock_personal.py) serves the same JSON with strawberry's
defaults. Both servers run throughout and the variants take turns in short slices (this
machine's cores change speed from minute to minute).

Prints: each round's req/s; per variant all rounds together (req/s, p50/p99, server CPU per
request) and the ratios; the CPU per request of each part of the page asked alone, next to
stock; Redis round trips and MongoDB commands per request (counted in-process at the clients
over many visitors); the open-loop p99 at half the measured maximum.

--memory runs the page for --minutes with --distinct visitor ids (each request a new or an old
one) and prints the gateway's RSS at the start and every minute.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from bench.compiled import _pct, combined
from bench.httpload import LoadResult, _read_response, build_request, fetch, process_cpu_seconds
from bench.load import SECRET, _serve, _stop, _wait_ready
from bench.personal_queries import PAGE, PARTS, SLOT_DEFINITIONS
from gateway.testing.servers import free_port, start_redis

ADMIN_KEY = "bench-admin-key-0123456789-abcdefghijklmnopq"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq_body(query: str, variables: dict[str, Any], with_text: bool) -> bytes:
    ext = {"persistedQuery": {"version": 1, "sha256Hash": _sha(query)}}
    body: dict[str, Any] = {"variables": variables, "extensions": ext}
    if with_text:
        body["query"] = query
    return orjson.dumps(body)


async def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(build_request("127.0.0.1", port, path, body, headers))
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(x.split(b":")[1]) for x in head.split(b"\r\n") if x.lower().startswith(b"content-length"))
        return int(head.split(b" ", 2)[1]), head, await reader.readexactly(length)
    finally:
        writer.close()


async def publish_slots(port: int) -> None:
    auth = {"authorization": f"Bearer {ADMIN_KEY}"}
    for mutation, definition in SLOT_DEFINITIONS:
        body = orjson.dumps(
            {
                "query": f"mutation($d: JSON!) {{ {mutation}(definition: $d) {{ ok problems {{ message }} }} }}",
                "variables": {"d": definition},
            }
        )
        status, _, raw = await _post(port, "/admin/graphql", body, auth)
        answer = json.loads(raw)["data"][mutation]
        if status != 200 or not answer["ok"]:
            raise SystemExit(f"{mutation} failed: {raw[:300]!r}")
    status, _, raw = await _post(
        port, "/admin/graphql", b'{"query":"mutation { publish(note: \\"bench\\") { version } }"}', auth
    )
    assert status == 200, raw


async def make_visitors(port: int, n: int, seed: int = 7) -> list[str]:
    """n visitors, each with its own history: views across a few categories, some carts."""
    rng = random.Random(seed)
    tokens: list[str] = []
    products = [f"p-{i:05d}" for i in range(1, 2401)]
    for v in range(n):
        viewed = rng.sample(products, rng.randint(3, 12))
        events: list[dict[str, Any]] = [
            {"messageId": f"v{v}-{i}", "name": "Product Viewed", "properties": {"product_id": p}}
            for i, p in enumerate(viewed)
        ]
        if rng.random() < 0.5:
            events.append({"messageId": f"v{v}-add", "name": "Product Added", "properties": {"product_id": viewed[0]}})
        _, head, raw = await _post(port, "/v1/events", orjson.dumps({"events": events}), {})
        assert json.loads(raw)["accepted"] == len(events), raw
        token = next(
            line.split(b":", 1)[1].strip().decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"x-vitrine-visitor:")
        )
        tokens.append(token)
    return tokens


def leaf_categories(port: int) -> list[str]:
    _, _, raw = asyncio.run(_post(port, "/graphql", b'{"query":"{ categories { id children { id } } }"}', {}))
    roots = json.loads(raw)["data"]["categories"]
    return [c["id"] for r in roots for c in r["children"]] or [r["id"] for r in roots]


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


def prepare(port: int, tokens: list[str], categories: list[str], query: str) -> list[bytes]:
    """One hash-only APQ request per visitor (the query registered once with its text)."""
    first = apq_body(query, {"category": categories[0]}, with_text=True)
    status, _ = asyncio.run(
        fetch("127.0.0.1", port, build_request("127.0.0.1", port, "/graphql", first, {"x-vitrine-visitor": tokens[0]}))
    )
    assert status == 200
    out = []
    for i, token in enumerate(tokens):
        body = apq_body(query, {"category": categories[i % len(categories)]}, with_text=False)
        out.append(build_request("127.0.0.1", port, "/graphql", body, {"x-vitrine-visitor": token}))
    return out


def http_benchmark(args: argparse.Namespace, redis_url: str, workdir: Path) -> None:
    env = {
        "VITRINE_SECRET_KEY": SECRET,
        "VITRINE_LOG_LEVEL": "WARNING",
        "VITRINE_DEMO_DATA": "true",
        "VITRINE_REDIS_URL": redis_url,
        "VITRINE_ADMIN_API_KEY": ADMIN_KEY,
    }
    port = free_port()
    proc = _serve("gateway.asgi:app", port, env)
    try:
        _wait_ready(port, proc)
        asyncio.run(publish_slots(port))
        tokens = asyncio.run(make_visitors(port, args.visitors))
        categories = leaf_categories(port)
        page = prepare(port, tokens, categories, PAGE)
        status, reference = asyncio.run(fetch("127.0.0.1", port, page[0]))
        answer = json.loads(reference)
        assert status == 200 and "errors" not in answer, reference[:500]
        data_file = workdir / "page.json"
        data_file.write_text(json.dumps(answer))
        kinds = [s["__typename"] for s in answer["data"]["slots"] if s]
        listed = len(answer["data"]["recommendations"]["items"])
        print(
            f"personalized page: {len(reference)} bytes, slots {kinds}, {listed} recommendations;"
            f" {args.visitors} visitors; real Redis; one uvicorn worker each;"
            f" {args.rounds} turns x {args.seconds:.0f}s per variant at concurrency {args.concurrency}"
        )
        stock_port = free_port()
        stock = _serve("bench.stock_personal:app", stock_port, {"STOCK_DATA": str(data_file)})
        try:
            _wait_ready(stock_port, stock)
            stock_page = [
                build_request(
                    "127.0.0.1", stock_port, "/graphql", orjson.dumps({"query": PAGE, "variables": {"category": c}}), {}
                )
                for c in categories
            ]
            _, stock_answer = asyncio.run(fetch("127.0.0.1", stock_port, stock_page[0]))
            if json.loads(stock_answer)["data"] != answer["data"]:
                raise SystemExit("stock strawberry answered different data than the gateway")
            plans = {
                "stock-strawberry": (stock_port, stock.pid, stock_page),
                "vitrine-compiled": (port, proc.pid, page),
            }
            for p, _, reqs in plans.values():
                asyncio.run(run_rotating(p, reqs, args.concurrency, 2.0))  # warm-up
            results: dict[str, list[LoadResult]] = defaultdict(list)
            names = list(plans)
            for round_no in range(args.rounds):
                for name in names[round_no % 2 :] + names[: round_no % 2]:
                    p, pid, reqs = plans[name]
                    results[name].append(asyncio.run(run_rotating(p, reqs, args.concurrency, args.seconds, pid)))
                print(f"round {round_no + 1:2d} req/s: " + "  ".join(f"{n} {results[n][-1].rps:7.1f}" for n in names))
            totals = {n: combined(r) for n, r in results.items()}
            base = totals["stock-strawberry"]
            print("\nall rounds together per variant:")
            for name, total in totals.items():
                print(
                    f"  {name:18s} {total.summary()}  x{total.rps / base.rps:.2f} stock rps,"
                    f" x{base.cpu_ms_per_request / total.cpu_ms_per_request:.2f} stock CPU efficiency"
                )
            ratios = sorted(
                c.rps / s.rps for c, s in zip(results["vitrine-compiled"], results["stock-strawberry"], strict=True)
            )
            low, mid, high = ratios[0], ratios[len(ratios) // 2], ratios[-1]
            print(f"  vitrine / stock per round: min x{low:.1f}, median x{mid:.1f}, max x{high:.1f}")

            print("\neach part of the page asked alone (server CPU per request, turns of --seconds):")
            for part, query in PARTS.items():
                mine = prepare(port, tokens, categories, query)
                theirs = [
                    build_request(
                        "127.0.0.1",
                        stock_port,
                        "/graphql",
                        orjson.dumps({"query": query, "variables": {"category": c}}),
                        {},
                    )
                    for c in categories
                ]
                got: dict[str, list[LoadResult]] = defaultdict(list)
                for _ in range(max(2, args.rounds // 3)):
                    got["vitrine"].append(
                        asyncio.run(run_rotating(port, mine, args.concurrency, args.seconds, proc.pid))
                    )
                    got["stock"].append(
                        asyncio.run(run_rotating(stock_port, theirs, args.concurrency, args.seconds, stock.pid))
                    )
                ours, theirs_cpu = (
                    combined(got["vitrine"]).cpu_ms_per_request,
                    combined(got["stock"]).cpu_ms_per_request,
                )
                print(f"  {part:38s} {ours:6.2f} ms  stock {theirs_cpu:6.2f} ms  x{theirs_cpu / ours:.1f}")

            print(f"\nopen loop at 50% of the max measured just before each {args.window_seconds:.0f}s window:")
            p99s = []
            for _ in range(args.open_loop_windows):
                calibration = asyncio.run(run_rotating(port, page, args.concurrency, 3.0))
                half = calibration.rps / 2
                latencies = asyncio.run(_open_loop_many(port, page, half, args.window_seconds))
                p99s.append(_pct(latencies, 99))
                p50 = _pct(latencies, 50)
                print(f"  max {calibration.rps:.0f} req/s -> {half:.0f} req/s: p50 {p50:.2f} ms, p99 {p99s[-1]:.2f} ms")
            p99s.sort()
            print(f"  median window p99 {p99s[len(p99s) // 2]:.2f} ms")
        finally:
            _stop(stock)
    finally:
        _stop(proc)


async def _open_loop_many(port: int, requests: list[bytes], rate: float, seconds: float) -> list[float]:
    """bench.compiled's open loop (fixed rate, in-flight tasks only, the generator's GC off while
    it measures), each request the next visitor's."""
    index = iter(range(10**12))
    latencies: list[float] = []
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(32):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))

    async def one(request: bytes) -> None:
        reader, writer = await pool.get()
        start = time.perf_counter()
        writer.write(request)
        await writer.drain()
        await _read_response(reader)
        latencies.append((time.perf_counter() - start) * 1000)
        pool.put_nowait((reader, writer))

    import gc

    in_flight: set[asyncio.Future[None]] = set()
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        n = 0
        while time.perf_counter() - started < seconds:
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.ensure_future(one(requests[next(index) % len(requests)]))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            n += 1
        while in_flight:
            await asyncio.gather(*list(in_flight))
    finally:
        gc.enable()
    while not pool.empty():
        _, writer = pool.get_nowait()
        writer.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--window-seconds", type=float, default=6.0)
    parser.add_argument("--open-loop-windows", type=int, default=3)
    args = parser.parse_args()
    redis = start_redis()
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-page-"))
    try:
        http_benchmark(args, redis.url, workdir)
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
