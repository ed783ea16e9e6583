"""A circuit breaker per store client: a hung server costs one timeout, not one per request.

closed -> (a call waits out its timeout) -> open: every call fails at once, for `cooldown`
seconds -> half-open: one trial call goes to the server while the others keep failing at once;
its success closes the circuit, its failure opens it again.

One timeout is enough to open it: a request makes several store calls one after another, and
each of them would otherwise wait the whole timeout (VITRINE_STORE_TIMEOUT_MS) again. What
counts as a timeout is the client's to say (`is_failure`): an error that came at once, such as
a refused connection, costs nothing to repeat. A call that the server answered, even with an
error (a duplicate key), counts as a success. A call cancelled midway proves nothing either way:
it only frees the trial slot.

The same idea as the commerce connector's breaker (gateway/catalogue/connectors/breaker.py),
shaped for drivers: `call` wraps one driver call and raises the driver's own "unavailable"
error while the circuit is open, so the stores translate it like any other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)

DEFAULT_COOLDOWN_SECONDS = 5.0


class Breaker:
    def __init__(
        self,
        name: str,
        is_failure: Callable[[BaseException], bool],
        open_error: Callable[[str], Exception],
        *,
        cooldown: float = DEFAULT_COOLDOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.cooldown = cooldown
        self._is_failure = is_failure
        self._open_error = open_error
        self._clock = clock
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._clock() - self._opened_at >= self.cooldown else "open"

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        """Wrap one call to the server; raises the open error at once while the circuit is open."""
        trial = self._admit()
        try:
            yield
        except Exception as exc:
            if self._is_failure(exc):
                self._failed()
            else:
                self._succeeded()
            raise
        except BaseException:  # cancelled: no verdict on the server
            if trial:
                self._trial_running = False
            raise
        self._succeeded()

    def _admit(self) -> bool:
        """Whether this call is the half-open trial; raises when the call may not go through."""
        state = self.state
        if state == "closed":
            return False
        if state == "half-open" and not self._trial_running:
            self._trial_running = True
            return True
        raise self._open_error(f"{self.name} did not answer recently; calls fail at once for up to {self.cooldown:g} s")

    def _succeeded(self) -> None:
        if self._opened_at is not None:
            log.info("%s answers again: circuit closed", self.name)
        self._opened_at = None
        self._trial_running = False

    def _failed(self) -> None:
        if self._opened_at is None or self._trial_running:
            log.warning("%s did not answer: calls fail at once for %g s", self.name, self.cooldown)
        self._opened_at = self._clock()
        self._trial_running = False
