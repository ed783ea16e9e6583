"""What observability costs on the personalized page: before it, tracing off, tracing on.

    python -m bench.tracing [--seconds 3] [--rounds 10] [--concurrency 16] [--baseline REF]

Over HTTP, one uvicorn worker each (uvloop + httptools), a real Redis server for sessions and
signals (MongoDB in memory, the demo catalogue), the personalized page: the viewer with its
session and profile, FOR_YOU recommendations and two product lists, run compiled (what
persisted documents get in production; the view's extension asks for it). Four servers run
throughout and take turns in short slices, as in bench/compiled.py (this machine's cores change
speed from one minute to the next, so every variant must see the same mix):

  - baseline:  the code at REF (default: where this branch left main), exported with
               `git archive`: no request ids, no store or operation metrics, no tracing code;
  - off:       this tree, OTEL_TRACES_EXPORTER unset (the default);
  - on-10%:    OTEL_TRACES_EXPORTER=otlp, OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG=0.1,
               exporting over HTTP to a local OTLP sink (accepts and drops), as to a collector;
  - on-100%:   the same, every trace sampled (the worst case).

It prints each round's req/s, then per variant all rounds together: req/s, p50/p99 and server
CPU per request (the steadier figure on a shared machine), and each variant's overhead against
the baseline in server CPU per request and in throughput.

Then, in one process (no sockets, `--in-process-requests` per slice, slices interleaved), the
CPU per request of this tree with tracing off, at 10% and at 100%, spans encoded to OTLP
protobuf as the exporter would send them (the encoding is the exporter's own cost; the sending
is not measured): the steadier view of tracing's own cost, since HTTP figures on a shared
machine move by more than that from one minute to the next.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import orjson

from bench.compiled import combined
from bench.homepage import QUERY
from bench.httpload import LoadResult, build_request, fetch, run_load
from bench.load import SECRET, _stop, _wait_ready, _warm_visitor
from gateway.testing.servers import free_port, start_redis

ROOT = Path(__file__).resolve().parent.parent

PAGE = QUERY.replace(
    "  featured: products",
    "  recommendations(strategy: FOR_YOU, first: 10) { items { reason { signal } product { ...Card } } }\n"
    "  featured: products",
)


class _Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that accepts every export and keeps nothing."""

    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        _Sink.received += 1
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def _export_baseline(ref: str) -> Path:
    """The tree at `ref` in a temporary folder (git archive: no worktree, nothing checked out)."""
    target = Path(tempfile.mkdtemp(prefix="vitrine-baseline-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _serve(cwd: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "uvicorn", "gateway.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", "1", "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    # PYTHONPATH first: the baseline's `gateway` package, not the installed (editable) one.
    full = {**clean, **env, "PYTHONPATH": str(cwd)}
    return subprocess.Popen(argv, cwd=cwd, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _body(variables: dict[str, Any]) -> bytes:
    return orjson.dumps({"query": PAGE, "variables": variables, "extensions": {"vitrine": {"compile": True}}})


class _EncodingExporter:
    """Encodes every batch to OTLP protobuf, as OTLPSpanExporter does before sending, and drops it."""

    def export(self, spans: Any) -> Any:
        from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
        from opentelemetry.sdk.trace.export import SpanExportResult

        encode_spans(spans).SerializeToString()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


async def _in_process(redis_url: str, requests: int, slices: int) -> None:
    import time

    import httpx

    from gateway.app import create_app
    from gateway.platform.tracing import Tracing, sampler_for
    from gateway.settings import load_settings
    from gateway.testing.asgi import with_state

    modes: dict[str, float | None] = {"off": None, "on-10%": 0.1, "on-100%": 1.0}
    clients: dict[str, tuple[httpx.AsyncClient, dict[str, Any], str]] = {}
    stack = contextlib.AsyncExitStack()
    async with stack:
        for n, (name, ratio) in enumerate(modes.items()):
            env = {"VITRINE_SECRET_KEY": SECRET, "VITRINE_DEMO_DATA": "true", "VITRINE_REDIS_URL": redis_url}
            settings = load_settings({**env, "VITRINE_REDIS_PREFIX": f"i{n}:"})
            tracing = None
            if ratio is not None:
                sampler = sampler_for("parentbased_traceidratio", ratio)
                tracing = Tracing.with_exporters([_EncodingExporter()], sampler=sampler)  # type: ignore[list-item]
            app = create_app(settings, background=False, freeze_gc=False, tracing=tracing)
            state = await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=with_state(app, state))
            client = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://b"))
            first = await client.post("/graphql", json={"query": "{ categories { id } }"})
            roots = [c["id"] for c in first.json()["data"]["categories"]]
            token = first.headers["x-vitrine-visitor"]
            events = [
                {"messageId": f"b{i}", "name": "Product Viewed", "properties": {"product_id": f"p-{i:05d}"}}
                for i in range(1, 9)
            ]
            await client.post("/v1/events", json={"events": events}, headers={"x-vitrine-visitor": token})
            variables = {"featured": roots[0], "deals": roots[1 % len(roots)]}
            body = {"query": PAGE, "variables": variables, "extensions": {"vitrine": {"compile": True}}}
            clients[name] = (client, body, token)
            for _ in range(30):
                await client.post("/graphql", json=body, headers={"x-vitrine-visitor": token})
        import gc

        gc.collect()
        gc.freeze()
        per: dict[str, list[float]] = defaultdict(list)
        names = list(modes)
        for slice_no in range(slices):
            for name in names[slice_no % len(names) :] + names[: slice_no % len(names)]:
                client, body, token = clients[name]
                started = time.process_time()
                for _ in range(requests):
                    await client.post("/graphql", json=body, headers={"x-vitrine-visitor": token})
                per[name].append((time.process_time() - started) / requests * 1e6)
        print(f"\nin-process CPU per request (µs; median of {slices} interleaved slices of {requests} requests):")
        off = sorted(per["off"])[slices // 2]
        for name in names:
            values = sorted(per[name])
            median = values[slices // 2]
            print(f"  {name:8s} {median:7.0f}  ({values[0]:.0f}-{values[-1]:.0f})  vs off {median / off - 1:+.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="one slice of one variant")
    parser.add_argument("--rounds", type=int, default=10, help="slices per variant, taking turns")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--baseline", default="", help="git ref of the baseline (default: merge-base with main)")
    parser.add_argument("--in-process-requests", type=int, default=100, help="requests per in-process slice")
    parser.add_argument("--in-process-slices", type=int, default=15)
    parser.add_argument("--skip-http", action="store_true", help="only the in-process comparison")
    args = parser.parse_args()
    if args.skip_http:
        redis = start_redis()
        try:
            asyncio.run(_in_process(redis.url, args.in_process_requests, args.in_process_slices))
        finally:
            redis.stop()
        return
    ref = (
        args.baseline
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    baseline_tree = _export_baseline(ref)
    sink = ThreadingHTTPServer(("127.0.0.1", free_port()), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    redis = start_redis()
    common = {
        "VITRINE_SECRET_KEY": SECRET,
        "VITRINE_LOG_LEVEL": "WARNING",
        "VITRINE_DEMO_DATA": "true",
        "VITRINE_REDIS_URL": redis.url,
    }
    otlp = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{sink.server_address[1]}",
    }
    variants: dict[str, tuple[Path, dict[str, str]]] = {
        "baseline": (baseline_tree, {}),
        "off": (ROOT, {}),
        "on-10%": (ROOT, {**otlp, "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"}),
        "on-100%": (ROOT, {**otlp, "OTEL_TRACES_SAMPLER": "parentbased_always_on"}),
    }
    procs: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    results: dict[str, list[LoadResult]] = defaultdict(list)
    try:
        for n, (name, (tree, env)) in enumerate(variants.items()):
            port = free_port()
            procs[name] = (port, _serve(tree, port, {**common, **env, "VITRINE_REDIS_PREFIX": f"b{n}:"}))
        plans: dict[str, bytes] = {}
        answers: dict[str, Any] = {}
        for name, (port, proc) in procs.items():
            _wait_ready(port, proc, timeout=300)  # four servers start at once on two cores
            token, variables = asyncio.run(_warm_visitor(port))
            plans[name] = build_request("127.0.0.1", port, "/graphql", _body(variables), {"x-vitrine-visitor": token})
            status, raw = asyncio.run(fetch("127.0.0.1", port, plans[name]))
            body = orjson.loads(raw)
            assert status == 200 and "errors" not in body, raw[:500]
            answers[name] = body["data"]["recommendations"]["items"]
            asyncio.run(run_load("127.0.0.1", port, plans[name], args.concurrency, 2.0))  # warm-up
        if len({len(a) for a in answers.values()}) != 1:
            raise SystemExit(f"the variants answered different pages: {answers}")
        print(
            f"personalized page (viewer, FOR_YOU, two lists of 20), compiled, real Redis; baseline {ref[:10]};"
            f" {args.rounds} turns x {args.seconds:.0f}s per variant at concurrency {args.concurrency}, 1 worker each"
        )
        names = list(variants)
        for round_no in range(args.rounds):
            for name in names[round_no % len(names) :] + names[: round_no % len(names)]:
                port, proc = procs[name]
                result = asyncio.run(run_load("127.0.0.1", port, plans[name], args.concurrency, args.seconds, proc.pid))
                results[name].append(result)
            print(f"round {round_no + 1:2d} req/s: " + "  ".join(f"{n} {results[n][-1].rps:7.1f}" for n in names))
    finally:
        for _, proc in procs.values():
            _stop(proc)
        redis.stop()
        sink.shutdown()
    totals = {name: combined(runs) for name, runs in results.items()}
    base = totals["baseline"]
    print("\nall rounds together per variant:")
    for name, total in totals.items():
        cpu = total.cpu_ms_per_request / base.cpu_ms_per_request - 1
        rps = 1 - total.rps / base.rps
        print(f"  {name:9s} {total.summary()}  overhead: CPU/request {cpu:+.1%}, throughput {rps:+.1%}")
    print(f"  (OTLP exports received by the sink: {_Sink.received})")
    redis = start_redis()
    try:
        asyncio.run(_in_process(redis.url, args.in_process_requests, args.in_process_slices))
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
