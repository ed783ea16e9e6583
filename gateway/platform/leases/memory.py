"""In-process leases (one process only: use Redis to coordinate several instances)."""

from __future__ import annotations

import time
from collections.abc import Callable


class MemoryLeaseStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._leases: dict[str, tuple[str, float]] = {}

    async def acquire(self, key: str, owner: str, ttl_seconds: float) -> bool:
        now = self._clock()
        held = self._leases.get(key)
        if held is not None and held[1] > now and held[0] != owner:
            return False
        self._leases[key] = (owner, now + ttl_seconds)
        return True

    async def release(self, key: str, owner: str) -> None:
        held = self._leases.get(key)
        if held is not None and held[0] == owner:
            del self._leases[key]
