"""The CPU budget: work over it is abandoned, work within it is untouched, and no exception
ever arrives after the budget has ended."""

from __future__ import annotations

import threading
import time

import pytest

from gateway.execution.budget import BudgetExceeded, Watchdog


def spin(iterations: int) -> int:
    total = 0
    for i in range(iterations):
        total += i
    return total


def test_work_over_the_budget_is_abandoned() -> None:
    watchdog = Watchdog()
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), watchdog.limit(0.05):
        while True:
            spin(1000)
    assert time.monotonic() - started < 5  # generous: it stops at about 50 ms


def test_waiting_does_not_spend_cpu_and_quick_work_passes() -> None:
    watchdog = Watchdog()
    with watchdog.limit(0.05):
        time.sleep(0.2)  # four times the budget in wall time, almost no CPU
    with watchdog.limit(0.05):
        assert spin(100) == 4950


def test_no_exception_arrives_after_the_budget_ends_and_threads_are_independent() -> None:
    watchdog = Watchdog()
    outcomes: dict[str, list[str]] = {"a": [], "b": []}

    def run(name: str) -> None:
        # Around the budget (some finish, some are abandoned), then one far over it: on a fast
        # machine the ramp alone can end under the budget.
        for size in [*range(0, 400_000, 4_000), 20_000_000]:
            try:
                try:
                    with watchdog.limit(0.003):
                        spin(size)
                    outcomes[name].append("done")
                except BudgetExceeded:
                    outcomes[name].append("abandoned")
                spin(20_000)  # an exception arriving late would surface here, outside the budget
            except BudgetExceeded:
                outcomes[name].append("stray")

    threads = [threading.Thread(target=run, args=(name,)) for name in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for results in outcomes.values():
        assert "stray" not in results
        assert results[0] == "done" and results[-1] == "abandoned"


def test_the_collector_is_paused_during_a_budget_and_always_resumed() -> None:
    import gc

    watchdog = Watchdog()
    assert gc.isenabled()
    with watchdog.limit(1.0):
        assert not gc.isenabled()  # a collection starting here would be charged to the work
    assert gc.isenabled()
    with pytest.raises(BudgetExceeded), watchdog.limit(0.02):
        while True:
            spin(1000)
    assert gc.isenabled()
