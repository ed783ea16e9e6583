"""`python -m bench.personal_page --memory`: the gateway's memory while many distinct visitors come.

First the in-process caches are filled: --warm-up new visitors (default: as many as
VITRINE_VISITOR_CACHE_SIZE holds) each send product views and ask for the page (a visitor with
no stored state has nothing kept for them), then a minute of the mix below runs, and the RSS
then is the start. Then, for
--minutes, --concurrency connections ask for the personalized page (bench/personal_queries.py,
APQ hash-only) while --distinct new visitors arrive at an even pace (behind schedule, every
request brings a new one). A new visitor asks for the page without a token and keeps the one
the answer's X-Vitrine-Visitor gives (a shopper's first page), or, for a share of them
(--new-event-share), first sends 2-4 product views (`POST /v1/events`) and then asks for the
page. The other requests are returning visitors, picked at random among those who came, and a
share of them (--event-share) views a product first, so their state changes and nothing kept
for it still holds.

What the gateway keeps per visitor lives in Redis and MongoDB or in bounded in-process caches
(VITRINE_VISITOR_CACHE_SIZE entries): once those are full, its resident set size must stay
flat however many more visitors come. Prints the RSS (from /proc) at the start, every minute,
and at the end, with the distinct visitors seen so far; the verdict compares the end with the
start.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
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
    new_event_share: float,
    warm_up: int,
    seed: int = 11,
) -> list[tuple[float, int, int, float]]:
    """Fill the caches with `warm_up` visitors, then run the mix; answers (elapsed s, distinct
    visitors, requests, RSS MiB) at the start, each minute, and the end.

    `page_body(category)` is the hash-only APQ body of the page for one category."""
    rng = random.Random(seed)
    products = [f"p-{i:05d}" for i in range(1, 2401)]
    tally = Tally()
    bodies = [page_body(c) for c in categories]
    counter = iter(range(10**12))

    def page(token: str | None) -> bytes:
        body = bodies[next(counter) % len(bodies)]
        return build_request("127.0.0.1", port, PAGE_PATH, body, {"x-vitrine-visitor": token} if token else {})

    def views(n: int, token: str | None) -> bytes:
        events = [
            {"messageId": f"m{next(counter)}", "name": "Product Viewed", "properties": {"product_id": p}}
            for p in rng.sample(products, n)
        ]
        headers = {"x-vitrine-visitor": token} if token else {}
        return build_request("127.0.0.1", port, "/v1/events", orjson.dumps({"events": events}), headers)

    async def newcomer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, share: float) -> None:
        if rng.random() < share:
            status, head, _ = await _exchange(reader, writer, views(rng.randint(2, 4), None))
            tally.events += 1
            token = _header(head, b"x-vitrine-visitor")
            if status != 200 or token is None:
                tally.errors += 1
                return
            status, _, body = await _exchange(reader, writer, page(token))
        else:
            status, head, body = await _exchange(reader, writer, page(None))
            token = _header(head, b"x-vitrine-visitor")
        tally.pages += 1
        if status != 200 or token is None or b'"errors"' in body:
            tally.errors += 1
            return
        tally.tokens.append(token)

    async def returning(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        token = rng.choice(tally.tokens)
        if rng.random() < event_share:
            status, _, _ = await _exchange(reader, writer, views(1, token))
            tally.events += 1
            tally.errors += status != 200
        status, _, body = await _exchange(reader, writer, page(token))
        tally.pages += 1
        tally.errors += status != 200 or b'"errors"' in body

    async def phase(seconds: float, first: int, goal: int, share: float) -> None:
        """Until `seconds` pass (or, with seconds 0, until `goal` visitors came): new visitors at
        an even pace from `first` to `goal`, `share` of them sending product views first."""
        started = time.perf_counter()
        created = [first]  # visitors whose first request has started

        async def worker() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                while True:
                    elapsed = time.perf_counter() - started
                    if (seconds and elapsed >= seconds) or (not seconds and created[0] >= goal):
                        return
                    progress = min(1.0, elapsed / seconds) if seconds else 1.0
                    if not tally.tokens or created[0] < first + (goal - first) * progress:
                        created[0] += 1
                        await newcomer(reader, writer, share)
                    else:
                        await returning(reader, writer)
            finally:
                writer.close()

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    began = time.perf_counter()
    await phase(0, 0, warm_up, 1.0)  # visitors with a state: what the caches keep
    # Then a minute of the mix itself, so that everything else kept within bounds (the vector
    # search's neighbour lists, memos, connection pools, the allocator's own pools) is filled too.
    await phase(60, warm_up, warm_up + distinct // max(1, int(minutes)), new_event_share)
    print(
        f"  warm-up: {len(tally.tokens)} visitors in {time.perf_counter() - began:.0f} s"
        f" ({warm_up} with product views, then a minute of the mix; {tally.errors} errors)",
        flush=True,
    )
    tally.pages = tally.events = 0
    samples = [(0.0, 0, 0, rss_mib(pid))]
    print(f"  start: RSS {samples[0][3]:.1f} MiB", flush=True)
    base = len(tally.tokens)
    started = time.perf_counter()

    def sample() -> tuple[float, int, int, float]:
        return time.perf_counter() - started, len(tally.tokens) - base, tally.pages + tally.events, rss_mib(pid)

    measured = asyncio.create_task(phase(minutes * 60, base, base + distinct, new_event_share))
    await _every_minute(measured, sample, samples, tally)
    samples.append(sample())
    print(
        f"  end ({samples[-1][0]:.0f} s): RSS {samples[-1][3]:.1f} MiB, {samples[-1][1]} new distinct visitors,"
        f" {tally.pages} pages, {tally.events} event batches, {tally.errors} errors",
        flush=True,
    )
    return samples


async def _every_minute(
    measured: asyncio.Task[None],
    sample: Callable[[], tuple[float, int, int, float]],
    samples: list[tuple[float, int, int, float]],
    tally: Tally,
) -> None:
    minute = 1
    while not measured.done():
        await asyncio.wait([measured], timeout=60.0)
        if measured.done():
            break
        samples.append(sample())
        print(
            f"  minute {minute:2d}: RSS {samples[-1][3]:7.1f} MiB, {samples[-1][1]:6d} new distinct visitors,"
            f" {tally.pages} pages, {tally.events} event batches, {tally.errors} errors",
            flush=True,
        )
        minute += 1
    await measured


def verdict(samples: list[tuple[float, int, int, float]]) -> str:
    """The RSS at the end against the start (caches full), in words."""
    start, end = samples[0][3], samples[-1][3]
    peak = max(x[3] for x in samples)
    return (
        f"RSS end {end:.1f} MiB: {100 * (end - start) / start:+.1f}% from the start ({start:.1f} MiB, caches full),"
        f" peak {peak:.1f} MiB, after {samples[-1][1]} new distinct visitors in {samples[-1][0] / 60:.1f} minutes"
    )
