"""Load benchmark: the home-page query against Vitrine and against a stock strawberry app.

    python -m bench.load [--seconds 10] [--rounds 3] [--concurrency 16]

Starts, one at a time and interleaved round by round, each variant under uvicorn (1 worker,
uvloop + httptools) on a free loopback port:
  - vitrine-embedded: the gateway on memory:// stores (no servers);
  - vitrine-redis:    the gateway with a real Redis server for sessions (MongoDB in memory);
  - stock-strawberry: bench/stock_app.py serving the same data with strawberry's defaults.
Before measuring it checks that all variants answer the same data. It prints requests/s,
p50 and p99 per variant (the median round by throughput) and the ratios to stock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from bench.homepage import QUERY, count_fields
from bench.httpload import LoadResult, build_request, fetch, median_of, run_load
from gateway.testing.servers import free_port, start_redis

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def _serve(target: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    # stderr goes to an unnamed temporary file, never a pipe: a server logging errors into a pipe
    # nobody reads blocks once the pipe is full, and the benchmark would wait forever.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open while the server runs; closed with the process)
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log)
    _LOGS[proc.pid] = log
    return proc


_LOGS: dict[int, Any] = {}


def server_log(proc: subprocess.Popen[bytes], limit: int = 4000) -> str:
    """The end of what a server started by `_serve` wrote to stderr."""
    log = _LOGS.get(proc.pid)
    if log is None:
        return ""
    log.seek(0)
    return str(log.read().decode(errors="replace")[-limit:])


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until the server answers GraphQL and, for the gateway, its startup probe says it has loaded
    what it serves (the catalogue, releases and demo load in the background; stock apps have no
    probe: 404)."""
    request = build_request("127.0.0.1", port, "/graphql", b'{"query":"{__typename}"}', {})
    probe = f"GET /startupz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {server_log(proc)}")
        try:
            status, _ = asyncio.run(fetch("127.0.0.1", port, request))
            if status == 200 and asyncio.run(fetch("127.0.0.1", port, probe))[0] in (200, 404):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become ready")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


async def _warm_visitor(port: int) -> tuple[str, dict[str, Any]]:
    """Create a visitor with history (views, a cart) and return its token and the variables."""
    events = [
        {"messageId": f"b{i}", "name": "Product Viewed", "properties": {"product_id": f"p-{i:05d}"}}
        for i in range(1, 9)
    ]
    events.append(
        {"messageId": "b-add", "name": "Product Added", "properties": {"product_id": "p-00003", "quantity": 2}}
    )
    body = orjson.dumps({"events": events})
    req = (
        f"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(req.encode() + body)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    writer.close()
    token = next(
        line.split(b":", 1)[1].strip().decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"x-vitrine-visitor:")
    )
    cats = await fetch(
        "127.0.0.1", port, build_request("127.0.0.1", port, "/graphql", b'{"query":"{ categories { id } }"}', {})
    )
    roots = [c["id"] for c in orjson.loads(cats[1])["data"]["categories"]]
    return token, {"featured": roots[0], "deals": roots[1 % len(roots)]}


def _strip_scores(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip_scores(v) for k, v in data.items() if k != "score"}
    if isinstance(data, list):
        return [_strip_scores(v) for v in data]
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    redis = start_redis()
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-bench-"))
    base_env = {"VITRINE_SECRET_KEY": SECRET, "VITRINE_LOG_LEVEL": "WARNING", "VITRINE_DEMO_DATA": "true"}
    variants: dict[str, tuple[str, dict[str, str]]] = {
        "vitrine-embedded": ("gateway.asgi:app", base_env),
        "vitrine-redis": ("gateway.asgi:app", {**base_env, "VITRINE_REDIS_URL": redis.url}),
    }
    results: dict[str, list[LoadResult]] = {}
    try:
        # Capture the reference response (the stock app serves exactly this data).
        port = free_port()
        proc = _serve("gateway.asgi:app", port, variants["vitrine-embedded"][1])
        try:
            _wait_ready(port, proc)
            token, variables = asyncio.run(_warm_visitor(port))
            body = orjson.dumps({"query": QUERY, "variables": variables})
            status, raw = asyncio.run(
                fetch(
                    "127.0.0.1", port, build_request("127.0.0.1", port, "/graphql", body, {"x-vitrine-visitor": token})
                )
            )
            reference = json.loads(raw)
            assert status == 200 and "errors" not in reference, raw[:500]
        finally:
            _stop(proc)
        data_file = workdir / "response.json"
        data_file.write_text(json.dumps(reference))
        variants["stock-strawberry"] = ("bench.stock_app:app", {"STOCK_DATA": str(data_file)})
        print(
            f"home-page response: {count_fields(reference['data'])} fields, {len(raw)} bytes; "
            f"{args.rounds} rounds x {args.seconds:.0f}s at concurrency {args.concurrency}, 1 worker each"
        )

        for round_no in range(args.rounds):
            for name, (target, env) in variants.items():
                port = free_port()
                proc = _serve(target, port, env)
                try:
                    _wait_ready(port, proc)
                    headers = {"x-vitrine-visitor": token}
                    if name != "stock-strawberry":
                        tok, _ = asyncio.run(_warm_visitor(port))  # this process's own warm visitor
                        headers = {"x-vitrine-visitor": tok}
                    request = build_request("127.0.0.1", port, "/graphql", body, headers)
                    _, answer = asyncio.run(fetch("127.0.0.1", port, request))
                    got = json.loads(answer)
                    same = _strip_scores(got["data"]) == _strip_scores(
                        {
                            **reference["data"],
                            "viewer": {**reference["data"]["viewer"], "visitorId": got["data"]["viewer"]["visitorId"]},
                        }
                    )
                    if not same:
                        raise SystemExit(f"{name} answered different data than the reference")
                    asyncio.run(run_load("127.0.0.1", port, request, args.concurrency, 2.0))  # warm-up
                    result = asyncio.run(run_load("127.0.0.1", port, request, args.concurrency, args.seconds, proc.pid))
                    results.setdefault(name, []).append(result)
                    print(f"round {round_no + 1} {name:18s} {result.summary()}")
                finally:
                    _stop(proc)
    finally:
        redis.stop()

    print("\nmedian round per variant (throughput ratio; CPU-per-request ratio, steadier on a shared machine):")
    stock = median_of(results["stock-strawberry"])
    stock_cpu = sorted(r.cpu_ms_per_request for r in results["stock-strawberry"])[len(results["stock-strawberry"]) // 2]
    for name, runs in results.items():
        best = median_of(runs)
        cpu = sorted(r.cpu_ms_per_request for r in runs)[len(runs) // 2]
        print(
            f"  {name:18s} {best.summary()}  x{best.rps / stock.rps:.2f} stock rps,"
            f" x{stock_cpu / cpu:.2f} stock CPU efficiency ({cpu:.2f} vs {stock_cpu:.2f} ms/req)"
        )


if __name__ == "__main__":
    main()
