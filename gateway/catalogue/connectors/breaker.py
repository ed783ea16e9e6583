"""A circuit breaker: after `threshold` consecutive failures, fail fast for `cooldown` seconds.

closed -> (threshold failures) -> open -> (cooldown elapsed) -> half-open: one trial call;
success closes the circuit, failure opens it again. While open, callers get an immediate
error instead of waiting on a backend that is down, so requests stay fast and the backend
gets room to recover.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(self, threshold: int = 5, cooldown: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._clock() - self._opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        """May a call go to the backend now? In half-open state only one trial at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half-open" and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def failure(self) -> None:
        self._failures += 1
        self._trial_running = False
        if self._opened_at is not None or self._failures >= self.threshold:
            self._opened_at = self._clock()
