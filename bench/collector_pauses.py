"""The garbage collector's pauses in a running gateway, read from its /metrics between two moments."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

from bench.httpload import fetch

LONG = 0.005  # a pause over 5 ms is one a p99 of 10 ms notices


@dataclass(frozen=True)
class Pauses:
    count: float = 0.0
    long: float = 0.0  # pauses over LONG
    seconds: float = 0.0

    def __sub__(self, other: Pauses) -> Pauses:
        return Pauses(self.count - other.count, self.long - other.long, self.seconds - other.seconds)

    def line(self) -> str:
        over = f"{self.long:.0f} over {LONG * 1e3:.0f} ms"
        return f"GC: {self.count:.0f} collections, {over}, {self.seconds * 1e3:.0f} ms in all"


def pauses(port: int) -> Pauses:
    """Every generation's `vitrine_gc_pause_seconds` so far."""
    request = f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    status, body = asyncio.run(fetch("127.0.0.1", port, request))
    if status != 200:
        raise SystemExit(f"/metrics answered {status}")
    count = short = seconds = 0.0
    for family in text_string_to_metric_families(body.decode()):
        if family.name != "vitrine_gc_pause_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_count"):
                count += sample.value
            elif sample.name.endswith("_sum"):
                seconds += sample.value
            elif sample.name.endswith("_bucket") and float(sample.labels["le"]) == LONG:
                short += sample.value  # pauses up to LONG (buckets are cumulative)
    return Pauses(count, count - short, seconds)
