"""A CPU budget for synchronous work on the event loop's thread.

Validating a GraphQL document is synchronous: while it runs, the worker's event loop answers
nothing else. The document limits keep that work linear and small (a token limit, the expanded
shape checked first), and this is the guarantee behind them: work run under
`watchdog.limit(seconds)` that uses more than `seconds` of its thread's CPU time is abandoned.

How: one watchdog thread per `Watchdog` reads the CPU clock of each thread that holds a budget
(`time.pthread_getcpuclockid`; the wall clock where a platform lacks it) and, once a budget is
spent, raises `BudgetExceeded` inside that thread with CPython's `PyThreadState_SetAsyncExc`.
The exception arrives between two bytecodes of the pure-Python work (graphql-core's parser and
validator), which unwinds like any other error. The watchdog thread starts on first use and
ends after a minute without budgets, so importing or building this opens nothing.

The race between the watchdog firing and the work finishing is settled under one lock: once the
`with` block has left, no exception can arrive any more (a pending one is withdrawn), and a
budget that was spent raises `BudgetExceeded` even if the work finished meanwhile.

The cyclic garbage collector is paused while a budget runs. A collection that happened to start
inside the block is not the work's (a full one took more than the whole budget in the test
suite), and the collector runs callbacks (gc.callbacks, weakref callbacks) that would swallow
the exception as "ignored". Memory freed by reference counting is freed as usual; the
collector catches up when the block ends.
"""

from __future__ import annotations

import ctypes
import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

IDLE_EXIT_SECONDS = 60.0
MIN_SLEEP_SECONDS = 0.002

_set_async_exc = ctypes.pythonapi["PyThreadState_SetAsyncExc"]  # a function pointer of our own
_set_async_exc.argtypes = [ctypes.c_ulong, ctypes.c_void_p]  # (thread id, exception class or NULL)
_set_async_exc.restype = ctypes.c_int


class BudgetExceeded(Exception):
    """The work under `Watchdog.limit` used up its CPU budget and was abandoned."""


def _thread_clock(thread_id: int) -> Callable[[], float]:
    """A function reading the CPU time of `thread_id` (the wall clock where that is unavailable)."""
    try:
        clock_id = time.pthread_getcpuclockid(thread_id)
        time.clock_gettime(clock_id)
    except (AttributeError, OSError):
        return time.monotonic
    return lambda: time.clock_gettime(clock_id)


@dataclass(eq=False)
class _Budget:
    thread_id: int
    clock: Callable[[], float]
    deadline: float  # on `clock`
    fired: bool = field(default=False)
    pauses_gc: bool = field(default=False)


class Watchdog:
    def __init__(self) -> None:
        # A C-level lock: the threads under a budget take it, and an exception that arrives while
        # one holds it must never leave it held (a `threading.Condition`'s own Python methods could).
        self._mutex = threading.Lock()
        self._wakeup = threading.Condition(self._mutex)
        self._budgets: set[_Budget] = set()
        self._thread: threading.Thread | None = None
        self._gc_paused = 0  # budgets running with the collector paused (it is process-wide)
        self._gc_was_enabled = False

    def limit(self, seconds: float) -> _Limit:
        """`with watchdog.limit(seconds):` runs the block on at most `seconds` of this thread's CPU
        time, or raises BudgetExceeded."""
        return _Limit(self, seconds)

    def _register(self, budget: _Budget) -> None:
        with self._mutex:
            if self._gc_paused == 0:
                self._gc_was_enabled = gc.isenabled()
                gc.disable()
            self._gc_paused += 1
            budget.pauses_gc = True
            self._budgets.add(budget)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="vitrine-cpu-budget", daemon=True)
                self._thread.start()
            self._wakeup.notify()

    def _unregister(self, budget: _Budget) -> bool:
        """Whether the budget was spent; once this returns, no exception can arrive for it."""
        with self._mutex:
            self._budgets.discard(budget)
            if budget.fired:
                _set_async_exc(budget.thread_id, None)  # NULL: if it has not arrived yet, it never will
            self._resume_gc(budget)
            return budget.fired

    def _resume_gc(self, budget: _Budget) -> None:
        """Under the mutex: the budget's share of the collector's pause ends (once). The watchdog
        ends it too when it fires, in case the exception arrives before `_unregister` runs."""
        if budget.pauses_gc:
            budget.pauses_gc = False
            self._gc_paused -= 1
            if self._gc_paused == 0 and self._gc_was_enabled:
                gc.enable()

    def _watch(self) -> None:
        idle_since = time.monotonic()
        with self._wakeup:
            while True:
                if not self._budgets:
                    if time.monotonic() - idle_since > IDLE_EXIT_SECONDS:
                        self._thread = None
                        return
                    self._wakeup.wait(IDLE_EXIT_SECONDS)
                    continue
                idle_since = time.monotonic()
                sleep = IDLE_EXIT_SECONDS
                for budget in list(self._budgets):
                    left = budget.deadline - budget.clock()
                    if left <= 0:
                        budget.fired = True
                        self._budgets.discard(budget)
                        self._resume_gc(budget)
                        _set_async_exc(budget.thread_id, id(BudgetExceeded))  # the class outlives the thread
                    else:
                        # CPU time never runs faster than the wall clock: nothing can fire sooner.
                        sleep = min(sleep, left)
                self._wakeup.wait(max(sleep, MIN_SLEEP_SECONDS))


class _Limit:
    """The context manager of `Watchdog.limit`: a class, not a generator, because an exception
    arriving inside a generator-based manager's own code would leave the generator suspended."""

    def __init__(self, watchdog: Watchdog, seconds: float) -> None:
        self._watchdog = watchdog
        self._seconds = seconds
        self._budget: _Budget | None = None

    def __enter__(self) -> None:
        thread_id = threading.get_ident()
        clock = _thread_clock(thread_id)
        self._budget = _Budget(thread_id, clock, clock() + self._seconds)
        self._watchdog._register(self._budget)

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        assert self._budget is not None
        if self._watchdog._unregister(self._budget) and exc_type is None:
            raise BudgetExceeded(f"over {self._seconds * 1000:.0f} ms of CPU")
