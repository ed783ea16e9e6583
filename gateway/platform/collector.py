"""The interpreter's cyclic garbage collector in a serving process: its thresholds and its pauses.

Every collection holds the GIL, so the event loop and every request in flight wait for it. A
collection walks every object of the generations it collects; a full one walks everything a
warm gateway keeps between requests (visitor caches, memos, localized products), which took
20-70 ms on the development VM and was the personalized page's p99 (docs/performance.md).

Two things keep collections out of the page's tail:
- requests leave no reference cycles behind (tests/execution/test_page_garbage.py), so what a
  request allocates is freed by reference counting and the young generation rarely fills;
- the serving process raises the thresholds (`VITRINE_GC_THRESHOLDS`, default 20000,20,50): a
  young collection only after 20,000 more live objects than the last one (the interpreter's
  default, 700, is crossed by the objects of the requests in flight, which each collection then
  promotes towards the old generation, whose growth is what triggers a full collection).

`CollectorPauses` records every collection's duration as `vitrine_gc_pause_seconds{generation}`,
so an operator sees whether the collector is what a latency tail is made of.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from prometheus_client import CollectorRegistry, Histogram

DEFAULT_THRESHOLDS = (20_000, 20, 50)
PAUSE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)


def parse_thresholds(raw: str) -> tuple[int, int, int] | None:
    """`VITRINE_GC_THRESHOLDS`: three positive integers (young, middle, old), or `python` for the
    interpreter's own defaults (None)."""
    if raw.strip().lower() == "python":
        return None
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(
            f"expected three positive integers like 20000,20,50 (young, middle, old generation), or python, got {raw!r}"
        )
    young, middle, old = (int(p) for p in parts)
    return young, middle, old


class CollectorPauses:
    """Times every collection (gc.callbacks) into a histogram, between `watch()` and `close()`
    (the collector is the process's; a process may run several apps, as the tests do)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.pauses = Histogram(
            "vitrine_gc_pause_seconds",
            "Pauses of the cyclic garbage collector by generation (every request waits for them)",
            ["generation"],
            buckets=PAUSE_BUCKETS,
            registry=registry,
        )
        self._by_generation = [self.pauses.labels(str(g)) for g in range(3)]
        self._started = 0.0

    def watch(self) -> None:
        if self._observe not in gc.callbacks:
            gc.callbacks.append(self._observe)

    def _observe(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._by_generation[info["generation"]].observe(time.perf_counter() - self._started)

    def close(self) -> None:
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)


def apply_thresholds(thresholds: tuple[int, int, int] | None) -> tuple[int, ...]:
    """Set the thresholds (None: leave the interpreter's); returns the ones in force before."""
    before = gc.get_threshold()
    if thresholds is not None:
        gc.set_threshold(*thresholds)
    return before
