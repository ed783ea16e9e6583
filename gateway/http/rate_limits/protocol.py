"""Fixed-window request counters shared by every instance (per IP and per visitor).

A memory implementation (embedded mode, tests) and a Redis one (production), with one contract test
suite run against both. Implementations raise `StoreUnavailable`, never a driver exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after_seconds: int  # 0 when allowed


class RateLimitStore(Protocol):
    """Fixed-window request counters shared by every worker and instance."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one request for `key` in the current window and say whether it is allowed."""
        ...
