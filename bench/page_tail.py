"""The personalized page's tail at half load, gateways side by side that differ only in settings.

    python -m bench.page_tail [--windows 6] [--window-seconds 6] [--visitors 300]
        [--variant NAME=VAR=VALUE[,VAR=VALUE]] ...

The page, visitors and servers of bench/personal_page.py (real Redis, SecantusDB, APQ, warmed
visitors taking turns). Each variant is a gateway of its own on the same stores; the windows
take turns between them. Per window: the maximum (closed loop, 3 s), then an open loop at half
of it for --window-seconds (p50, p99, max), and the garbage collector's pauses in that window
from the gateway's /metrics. At the end, per variant, the median and worst window p99.

Without --variant: the gateway as shipped against the interpreter's collector thresholds
(`VITRINE_GC_THRESHOLDS=python`), the comparison behind docs/performance.md "The tail".
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict

from bench.load import _serve, _stop, _wait_ready
from bench.personal_page import STARTUP_SECONDS, gateway_env, half_load_window, vectors_loaded, warm
from bench.personal_queries import PAGE
from bench.personal_setup import leaf_categories, make_visitors, prepare, publish_slots
from gateway.testing.servers import free_port, start_mongo, start_redis

DEFAULT_VARIANTS = ["as shipped=", "interpreter's GC thresholds=VITRINE_GC_THRESHOLDS=python"]


def parse_variant(raw: str) -> tuple[str, dict[str, str]]:
    name, _, assignments = raw.partition("=")
    env = dict(pair.split("=", 1) for pair in assignments.split(",") if pair)
    return name, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=6)
    parser.add_argument("--window-seconds", type=float, default=6.0)
    parser.add_argument("--visitors", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--variant", action="append", help="NAME=VAR=VALUE[,VAR=VALUE] (repeat)")
    args = parser.parse_args()
    variants = dict(parse_variant(v) for v in (args.variant or DEFAULT_VARIANTS))
    redis, mongo = start_redis(), start_mongo(cache_size="1G")
    servers = []
    try:
        base = gateway_env(redis.url, mongo.url)
        plans: dict[str, tuple[int, list[bytes]]] = {}
        tokens: list[str] = []
        categories: list[str] = []
        for name, env in variants.items():
            port = free_port()
            proc = _serve("gateway.asgi:app", port, {**base, **env})
            servers.append(proc)
            _wait_ready(port, proc, STARTUP_SECONDS)
            if not tokens:
                asyncio.run(publish_slots(port))
                tokens = asyncio.run(make_visitors(port, args.visitors))
                categories = leaf_categories(port)
            page = prepare(port, tokens, categories, PAGE)
            vectors_loaded(port)
            asyncio.run(warm(port, page))
            plans[name] = (port, page)
        print(f"{args.visitors} visitors; {args.window_seconds:.0f} s windows at half the maximum; variants {variants}")
        p99s: dict[str, list[float]] = defaultdict(list)
        names = list(plans)
        for window_no in range(args.windows):
            turn = window_no % len(names)
            for name in names[turn:] + names[:turn]:
                port, page = plans[name]
                window = half_load_window(port, page, args.concurrency, args.window_seconds)
                p99s[name].append(window.p99)
                print(f"  window {window_no + 1} {name:30s} {window.line()}", flush=True)
        for name, values in p99s.items():
            ordered = sorted(values)
            print(
                f"{name}: median window p99 {ordered[len(ordered) // 2]:.2f} ms, worst {ordered[-1]:.2f} ms"
                f" ({', '.join(f'{v:.1f}' for v in values)})"
            )
    finally:
        for proc in servers:
            _stop(proc)
        mongo.stop()
        redis.stop()


if __name__ == "__main__":
    main()
