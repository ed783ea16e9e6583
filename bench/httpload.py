"""A small closed-loop HTTP/1.1 load generator on raw asyncio streams (keep-alive, no deps).

Lighter than an HTTP client library, so more of the shared CPU goes to the server under test.
Each of `concurrency` connections sends the same request back to back for `seconds`.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_seconds: float = float("nan")

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU time per request: robust to other load on a shared machine."""
        return 1000 * self.server_cpu_seconds / self.requests if self.requests else float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> str:
        return (
            f"{self.rps:8.1f} req/s  p50 {self.percentile(50):6.2f} ms  p99 {self.percentile(99):6.2f} ms"
            f"  server CPU {self.cpu_ms_per_request:5.2f} ms/req  ({self.requests} requests, {self.errors} errors)"
        )


def build_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: keep-alive",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def fetch(host: str, port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        return await _read_response(reader)
    finally:
        writer.close()


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_load(
    host: str, port: int, request: bytes, concurrency: int, seconds: float, server_pid: int | None = None
) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status, _ = await _read_response(reader)
                latencies.append((time.perf_counter() - start) * 1000)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    cpu_before = process_cpu_seconds(server_pid) if server_pid else float("nan")
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu = process_cpu_seconds(server_pid) - cpu_before if server_pid else float("nan")
    return LoadResult(len(latencies), errors, elapsed, latencies, cpu)


def median_of(results: list[LoadResult]) -> LoadResult:
    """The run with the median throughput (its own latencies go with it)."""
    ordered = sorted(results, key=lambda r: r.rps)
    return ordered[len(ordered) // 2]
