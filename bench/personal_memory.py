"""`python -m bench.personal_page --memory`: the gateway's memory while many distinct visitors come.

For --minutes, --concurrency connections ask for the personalized page (bench/personal_queries.py,
APQ hash-only). New visitors arrive at an even pace so that --distinct have come by the end (while the
gateway keeps up; behind schedule, every other request brings a new visitor):
each sends 2-4 product views (`POST /v1/events`, the answer's X-Vitrine-Visitor is their token)
and then asks for the page. The other requests are returning visitors, picked at random among
those who came, and a share of them (--event-share) views a product first, so their state
changes and nothing kept for it still holds.

What the gateway keeps per visitor lives in Redis and MongoDB or in bounded in-process caches
(VITRINE_VISITOR_CACHE_SIZE entries): its resident set size must stop growing once those
caches are full. Prints the RSS (from /proc) when serving starts, every minute, and at the end,
with the distinct visitors seen so far; the verdict compares the end with the first minute
(the caches fill in the first seconds: they hold 20,000 visitors by default, fewer than come
in a minute here) and with the start.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.httpload import build_request

PAGE_PATH = "/graphql"


def rss_mib(pid: int) -> float:
    """A process's resident set size in MiB (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes, bytes]:
    """One request on a kept-alive connection: (status, head, body)."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return int(head.split(b" ", 2)[1]), head, await reader.readexactly(length)


def _header(head: bytes, name: bytes) -> str | None:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(name + b":"):
            return line.split(b":", 1)[1].strip().decode()
    return None


@dataclass
class Tally:
    requests: int = 0
    pages: int = 0
    events: int = 0
    errors: int = 0
    tokens: list[str] = field(default_factory=list)


async def memory_run(
    port: int,
    pid: int,
    page_body: Any,
    categories: list[str],
    *,
    minutes: float,
    distinct: int,
    concurrency: int,
    event_share: float,
    seed: int = 11,
) -> list[tuple[float, int, int, float]]:
    """Run the mix; answers (elapsed s, distinct visitors, requests, RSS MiB) at start, each minute, end.

    `page_body(category)` is the hash-only APQ body of the page for one category."""
    rng = random.Random(seed)
    products = [f"p-{i:05d}" for i in range(1, 2401)]
    seconds = minutes * 60
    tally = Tally()
    started = time.perf_counter()
    deadline = started + seconds
    created = [0]  # visitors whose creation has started (a worker claims one before it sends)
    samples = [(0.0, 0, 0, rss_mib(pid))]
    print(f"  start: RSS {samples[0][3]:.1f} MiB", flush=True)
    bodies = [page_body(c) for c in categories]
    counter = iter(range(10**12))

    def page(token: str) -> bytes:
        body = bodies[next(counter) % len(bodies)]
        return build_request("127.0.0.1", port, PAGE_PATH, body, {"x-vitrine-visitor": token})

    def views(n: int, token: str | None) -> bytes:
        events = [
            {"messageId": f"m{next(counter)}", "name": "Product Viewed", "properties": {"product_id": p}}
            for p in rng.sample(products, n)
        ]
        headers = {"x-vitrine-visitor": token} if token else {}
        return build_request("127.0.0.1", port, "/v1/events", orjson.dumps({"events": events}), headers)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                due = int(distinct * min(1.0, (time.perf_counter() - started) / seconds))
                # Behind schedule, half the requests bring a new visitor: returning ones keep coming.
                if not tally.tokens or (created[0] < due and rng.random() < 0.5):
                    created[0] += 1
                    status, head, _ = await _exchange(reader, writer, views(rng.randint(2, 4), None))
                    token = _header(head, b"x-vitrine-visitor")
                    tally.events += 1
                    if status != 200 or token is None:
                        tally.errors += 1
                        continue
                    tally.tokens.append(token)
                else:
                    token = rng.choice(tally.tokens)
                    if rng.random() < event_share:
                        status, _, _ = await _exchange(reader, writer, views(1, token))
                        tally.events += 1
                        tally.errors += status != 200
                status, _, body = await _exchange(reader, writer, page(token))
                tally.pages += 1
                tally.errors += status != 200 or b'"errors"' in body
        finally:
            writer.close()

    async def sampler() -> None:
        minute = 1
        while time.perf_counter() < deadline:
            await asyncio.sleep(min(60 * minute - (time.perf_counter() - started), deadline - time.perf_counter()))
            elapsed = time.perf_counter() - started
            if elapsed >= 60 * minute - 0.5 and time.perf_counter() < deadline:
                samples.append((elapsed, len(tally.tokens), tally.pages + tally.events, rss_mib(pid)))
                print(
                    f"  minute {minute:2d}: RSS {samples[-1][3]:7.1f} MiB, {len(tally.tokens):6d} distinct visitors,"
                    f" {tally.pages} pages, {tally.events} event batches, {tally.errors} errors",
                    flush=True,
                )
                minute += 1

    await asyncio.gather(sampler(), *(worker() for _ in range(concurrency)))
    samples.append((time.perf_counter() - started, len(tally.tokens), tally.pages + tally.events, rss_mib(pid)))
    print(
        f"  end ({samples[-1][0]:.0f} s): RSS {samples[-1][3]:.1f} MiB, {len(tally.tokens)} distinct visitors,"
        f" {tally.pages} pages, {tally.events} event batches, {tally.errors} errors",
        flush=True,
    )
    return samples


def verdict(samples: list[tuple[float, int, int, float]]) -> str:
    """The RSS at the end against the first minute's and the start's, in words."""
    start, end = samples[0][3], samples[-1][3]
    first = samples[1][3] if len(samples) > 2 else start
    return (
        f"RSS end {end:.1f} MiB: {100 * (end - first) / first:+.1f}% from the first minute ({first:.1f} MiB),"
        f" {100 * (end - start) / start:+.1f}% from the start ({start:.1f} MiB)"
        f" after {samples[-1][1]} distinct visitors"
    )
