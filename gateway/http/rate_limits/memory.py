"""Fixed-window rate-limit counters in process (one worker: embedded mode and tests)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from gateway.http.rate_limits.protocol import RateDecision

MAX_KEYS = 100_000


class MemoryRateLimitStore:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, window end)

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        now = self._clock()
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= now:
            if len(self._windows) >= MAX_KEYS:
                self._evict(now)
            count, ends = 0, now + window_seconds
        count += 1
        self._windows[key] = (count, ends)
        if count <= limit:
            return RateDecision(True, limit - count, 0)
        return RateDecision(False, 0, max(1, math.ceil(ends - now)))

    def _evict(self, now: float) -> None:
        expired = [k for k, (_, ends) in self._windows.items() if ends <= now]
        for k in expired:
            del self._windows[k]
        if len(self._windows) >= MAX_KEYS:  # all live: drop the oldest half rather than grow without bound
            for k in list(self._windows)[: MAX_KEYS // 2]:
                del self._windows[k]
