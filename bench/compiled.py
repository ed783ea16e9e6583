"""Compiled execution benchmark: stock strawberry, Vitrine's standard path and its compiled path.

    python -m bench.compiled [--seconds 2] [--rounds 15] [--concurrency 16] [--profile-requests 300]

Over HTTP, one uvicorn worker each (uvloop + httptools), the personalized home-page query
(bench/homepage.py) with a real Redis server for sessions. Both servers run throughout and the
three variants take turns in short slices (--seconds each, --rounds turns), because this
machine's cores change speed from one minute to the next (up to 2x): every variant sees the
same mix. The variants:
  - stock-strawberry: bench/stock_app.py serving the same data with strawberry's defaults;
  - vitrine-standard: the gateway, request body `extensions.vitrine.compile = false`;
  - vitrine-compiled: the same server process, `extensions.vitrine.compile = true`.
Before measuring it checks that both Vitrine paths answer the same bytes and stock the same
data. It prints each round's req/s, then all rounds together per variant (req/s, p50/p99,
server CPU per request, the ratios to stock) and the spread of the per-round ratio, then an
open-loop check of p99 at half the compiled path's throughput: several windows, each after
measuring the max again (this machine's cores change speed), each reported, and the median
window's p99.

Then, in-process (no sockets), the per-request CPU split of both Vitrine paths: HTTP (the ASGI
app and the view, minus the phases below), context (visitor, loaders; the Redis reads happen
while executing the viewer field and are counted there), execution (strawberry's
`Schema.execute`, or the prepared lane's execute for a hot compiled query, with the executor,
resolvers and Redis round trips), and JSON encoding; measured with the process CPU clock around
each phase over --profile-requests sequential requests; the visitor's Redis read, which overlaps
other fields' work inside execution, is then measured alone. A last row runs the compiled path with
the snapshot memo switched off (every product card completed again on every request), to show
what the memo contributes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from bench.homepage import QUERY, count_fields
from bench.httpload import LoadResult, build_request, fetch, run_load
from bench.load import SECRET, _serve, _stop, _strip_scores, _wait_ready, _warm_visitor
from gateway.testing.asgi import post_in_process, with_state
from gateway.testing.servers import free_port, start_redis


def _body(variables: dict[str, Any], compile_it: bool | None, query: str = QUERY) -> bytes:
    body: dict[str, Any] = {"query": query, "variables": variables}
    if compile_it is not None:
        body["extensions"] = {"vitrine": {"compile": compile_it}}
    return orjson.dumps(body)


async def _open_loop(port: int, request: bytes | Sequence[bytes], rate: float, seconds: float) -> list[float]:
    """Fixed-rate load: a request every 1/rate s on a pool of connections; latencies in ms. Given
    several requests (one per visitor), each is the next one's in turn."""
    requests = [request] if isinstance(request, bytes) else list(request)
    latencies: list[float] = []
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(32):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    from bench.httpload import _read_response

    async def one(request: bytes) -> None:
        reader, writer = await pool.get()
        start = time.perf_counter()
        writer.write(request)
        await writer.drain()
        await _read_response(reader)
        latencies.append((time.perf_counter() - start) * 1000)
        pool.put_nowait((reader, writer))

    # The generator's own pauses would count as server latency: in-flight tasks only are kept
    # (not every task ever started), and its garbage collector is off while it measures.
    in_flight: set[asyncio.Future[None]] = set()
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        n = 0
        while time.perf_counter() - started < seconds:
            target = started + n / rate
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.ensure_future(one(requests[n % len(requests)]))
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


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def http_benchmark(args: argparse.Namespace, redis_url: str, workdir: Path) -> dict[str, LoadResult]:
    env = {
        "VITRINE_SECRET_KEY": SECRET,
        "VITRINE_LOG_LEVEL": "WARNING",
        "VITRINE_DEMO_DATA": "true",
        "VITRINE_REDIS_URL": redis_url,
    }
    port = free_port()
    proc = _serve("gateway.asgi:app", port, env)
    try:
        _wait_ready(port, proc)
        token, variables = asyncio.run(_warm_visitor(port))
        headers = {"x-vitrine-visitor": token}
        answers = []
        for compile_it in (False, True):
            request = build_request("127.0.0.1", port, "/graphql", _body(variables, compile_it), headers)
            status, raw = asyncio.run(fetch("127.0.0.1", port, request))
            assert status == 200, raw[:300]
            answers.append(json.loads(raw))
        for answer in answers:
            answer.pop("extensions", None)
        if answers[0] != answers[1]:
            raise SystemExit("the compiled path answered differently from the standard path")
        reference = answers[0]
        assert "errors" not in reference, reference["errors"]
    finally:
        _stop(proc)
    data_file = workdir / "response.json"
    data_file.write_text(json.dumps(reference))
    raw_size = len(orjson.dumps(reference))
    print(
        f"home-page response: {count_fields(reference['data'])} fields, {raw_size} bytes; real Redis; "
        f"{args.rounds} turns x {args.seconds:.0f}s per variant at concurrency {args.concurrency}, 1 worker each"
    )

    # Both servers stay up (an idle one uses no CPU) and the variants take turns in short
    # slices: this machine's cores change speed, up to 2x, from one minute to the next, so every
    # variant must see the same mix of fast and slow minutes for the ratio to mean anything.
    stock_port, vitrine_port = free_port(), free_port()
    stock_proc = _serve("bench.stock_app:app", stock_port, {"STOCK_DATA": str(data_file)})
    vitrine_proc = _serve("gateway.asgi:app", vitrine_port, env)
    results: dict[str, list[LoadResult]] = defaultdict(list)
    try:
        _wait_ready(stock_port, stock_proc)
        _wait_ready(vitrine_port, vitrine_proc)
        tok, _ = asyncio.run(_warm_visitor(vitrine_port))
        own = {"x-vitrine-visitor": tok}
        plans = {
            "stock-strawberry": (
                stock_port,
                stock_proc.pid,
                build_request("127.0.0.1", stock_port, "/graphql", _body(variables, None), headers),
            ),
            "vitrine-standard": (
                vitrine_port,
                vitrine_proc.pid,
                build_request("127.0.0.1", vitrine_port, "/graphql", _body(variables, False), own),
            ),
            "vitrine-compiled": (
                vitrine_port,
                vitrine_proc.pid,
                build_request("127.0.0.1", vitrine_port, "/graphql", _body(variables, True), own),
            ),
        }
        for name, (port, _, request) in plans.items():
            _, answer = asyncio.run(fetch("127.0.0.1", port, request))
            got = json.loads(answer)
            expected = {
                **reference["data"],
                "viewer": {**reference["data"]["viewer"], "visitorId": got["data"]["viewer"]["visitorId"]},
            }
            if _strip_scores(got["data"]) != _strip_scores(expected):
                raise SystemExit(f"{name} answered different data than the reference")
            asyncio.run(run_load("127.0.0.1", port, request, args.concurrency, 2.0))  # warm-up
        names = list(plans)
        for round_no in range(args.rounds):
            for name in names[round_no % len(names) :] + names[: round_no % len(names)]:
                port, pid, request = plans[name]
                result = asyncio.run(run_load("127.0.0.1", port, request, args.concurrency, args.seconds, pid))
                results[name].append(result)
            line = "  ".join(f"{n} {results[n][-1].rps:7.1f}" for n in names)
            print(f"round {round_no + 1:2d} req/s: {line}")
        # p99 at half the compiled path's max, measured again just before each window.
        port, _, compiled = plans["vitrine-compiled"]
        print(f"\nopen loop, compiled at 50% of its max measured just before each {args.window_seconds:.0f}s window:")
        p99s = []
        for _ in range(args.open_loop_windows):
            calibration = asyncio.run(run_load("127.0.0.1", port, compiled, args.concurrency, 3.0))
            half = calibration.rps / 2
            latencies = asyncio.run(_open_loop(port, compiled, half, args.window_seconds))
            p99s.append(_pct(latencies, 99))
            print(
                f"  max {calibration.rps:.0f} req/s -> {half:.0f} req/s: p50 {_pct(latencies, 50):.2f} ms,"
                f" p99 {p99s[-1]:.2f} ms over {len(latencies)} requests"
            )
        p99s.sort()
        print(f"  median window p99 {p99s[len(p99s) // 2]:.2f} ms")
    finally:
        _stop(stock_proc)
        _stop(vitrine_proc)

    print("\nall rounds together per variant (requests / seconds; server CPU / requests):")
    totals = {name: combined(runs) for name, runs in results.items()}
    stock = totals["stock-strawberry"]
    for name, total in totals.items():
        print(
            f"  {name:18s} {total.summary()}  x{total.rps / stock.rps:.2f} stock rps,"
            f" x{stock.cpu_ms_per_request / total.cpu_ms_per_request:.2f} stock CPU efficiency"
        )
    ratios = sorted(
        c.rps / s.rps for c, s in zip(results["vitrine-compiled"], results["stock-strawberry"], strict=True)
    )
    print(
        f"  compiled / stock per round: min x{ratios[0]:.1f}, median x{ratios[len(ratios) // 2]:.1f},"
        f" max x{ratios[-1]:.1f}"
    )
    return totals


def combined(runs: list[LoadResult]) -> LoadResult:
    """Several runs as one: their requests, seconds, latencies and server CPU added up."""
    return LoadResult(
        requests=sum(r.requests for r in runs),
        errors=sum(r.errors for r in runs),
        seconds=sum(r.seconds for r in runs),
        latencies_ms=[x for r in runs for x in r.latencies_ms],
        server_cpu_seconds=sum(r.server_cpu_seconds for r in runs),
    )


async def _phase_split(redis_url: str, requests: int) -> None:
    """Per-request CPU split of the Vitrine paths, measured in-process around each phase."""
    import os

    from gateway.app import create_app
    from gateway.http.graphql_view import GraphQLView
    from gateway.settings import load_settings

    settings = load_settings(
        {**os.environ, "VITRINE_SECRET_KEY": SECRET, "VITRINE_DEMO_DATA": "true", "VITRINE_REDIS_URL": redis_url}
    )
    app = create_app(settings, background=False, freeze_gc=True)
    view = next(r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql")  # type: ignore[attr-defined]
    assert isinstance(view, GraphQLView)
    totals: dict[str, int] = defaultdict(int)

    def timed(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        if asyncio.iscoroutinefunction(fn):

            async def wrapper_async(*a: Any, **k: Any) -> Any:
                start = time.process_time_ns()
                try:
                    return await fn(*a, **k)
                finally:
                    totals[phase] += time.process_time_ns() - start

            return wrapper_async

        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.process_time_ns()
            try:
                return fn(*a, **k)
            finally:
                totals[phase] += time.process_time_ns() - start

        return wrapper

    view.get_context = timed("context", view.get_context)  # type: ignore[method-assign]
    view.encode_json = timed("json", view.encode_json)  # type: ignore[method-assign]
    view.schema.execute = timed("execution", view.schema.execute)  # type: ignore[method-assign]
    if view.prepared is not None:  # hot compiled queries run here instead of Schema.execute
        view.prepared.execute = timed("execution", view.prepared.execute)  # type: ignore[method-assign]

    async with app.router.lifespan_context(app) as state:
        import httpx

        transport = httpx.ASGITransport(app=with_state(app, state))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first = await client.post("/graphql", json={"query": "{ categories { id } }"})
            roots = [c["id"] for c in first.json()["data"]["categories"]]
            token = first.headers["x-vitrine-visitor"]
            variables = {"featured": roots[0], "deals": roots[1 % len(roots)]}
            events = [
                {"messageId": f"b{i}", "name": "Product Viewed", "properties": {"product_id": f"p-{i:05d}"}}
                for i in range(1, 9)
            ]
            await client.post("/v1/events", json={"events": events}, headers={"x-vitrine-visitor": token})

            async def asgi_once(body: bytes) -> int:
                """One request straight into the ASGI app (no httpx, no sockets)."""
                headers = [(b"host", b"bench"), (b"x-vitrine-visitor", token.encode())]
                status, _ = await post_in_process(app, "/graphql", body, headers, {"state": {}, "app": app})
                return status

            print(f"\nin-process CPU split per request ({requests} sequential requests each, real Redis):")
            print(f"  {'path':18s} {'total':>8s} {'HTTP':>8s} {'context':>8s} {'execution':>10s} {'JSON':>8s}  (µs)")
            rows = (
                ("vitrine-standard", False, True),
                ("vitrine-compiled", True, True),
                ("compiled, no memo", True, False),  # every product card completed again per request
            )
            for name, compile_it, memo in rows:
                if not memo:
                    compiler = view.schema.execution_context_class.compiler  # type: ignore[attr-defined]
                    compiler.memo = None
                    compiler._families.clear()  # plans are rebuilt without the snapshot memo
                body = _body(variables, compile_it, QUERY)
                for _ in range(50):
                    assert await asgi_once(body) == 200
                totals.clear()
                cpu_start = time.process_time_ns()
                for _ in range(requests):
                    await asgi_once(body)
                total = (time.process_time_ns() - cpu_start) / requests / 1000
                context, execution, encode = (totals[p] / requests / 1000 for p in ("context", "execution", "json"))
                http = total - context - execution - encode
                print(f"  {name:18s} {total:8.0f} {http:8.0f} {context:8.0f} {execution:10.0f} {encode:8.0f}")
            # The Redis read overlaps other fields' work inside execution, so it is measured alone.
            from gateway.visitors.tokens import verify

            visitor_id = verify(token, settings.secret_keys)
            assert visitor_id is not None
            sessions = app.state.runtime.services.visitors._sessions
            for _ in range(50):
                await sessions.get_many([visitor_id])
            cpu_start = time.process_time_ns()
            for _ in range(requests):
                await sessions.get_many([visitor_id])
            alone = (time.process_time_ns() - cpu_start) / requests / 1000
            print(f"  execution includes the visitor's Redis read (session + profile), measured alone: {alone:.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="one slice of one variant")
    parser.add_argument("--rounds", type=int, default=15, help="slices per variant, taking turns")
    parser.add_argument("--window-seconds", type=float, default=6.0, help="one open-loop window")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument("--open-loop-windows", type=int, default=3, help="open-loop runs at half the max rate")
    parser.add_argument("--skip-http", action="store_true", help="only the in-process CPU split")
    args = parser.parse_args()
    redis = start_redis()
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-bench-"))
    try:
        if not args.skip_http:
            http_benchmark(args, redis.url, workdir)
        asyncio.run(_phase_split(redis.url, args.profile_requests))
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
