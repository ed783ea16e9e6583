"""The store circuit breaker: one failure opens it, one trial at a time after the cooldown, and a
call that was cancelled or answered with an error never keeps it stuck."""

from __future__ import annotations

import asyncio

import pytest

from gateway.platform.breaker import Breaker


class Down(Exception):
    pass


class Answered(Exception):  # the server answered, with an error (a duplicate key)
    pass


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> Breaker:
    return Breaker("store", lambda exc: isinstance(exc, Down), ConnectionError, cooldown=5, clock=clock)


async def fails(b: Breaker, exc: Exception) -> None:
    with pytest.raises(type(exc)):
        async with b.call():
            raise exc


async def test_one_failure_opens_then_one_trial_after_the_cooldown() -> None:
    clock = Clock()
    b = breaker(clock)
    await fails(b, Answered())
    assert b.state == "closed"  # an error the server answered is a success
    await fails(b, Down())
    assert b.state == "open"
    with pytest.raises(ConnectionError, match="calls fail at once"):
        async with b.call():
            raise AssertionError("must not reach the server")
    clock.now = 5.0
    entered = asyncio.Event()
    release = asyncio.Event()

    async def trial() -> None:
        async with b.call():
            entered.set()
            await release.wait()

    task = asyncio.create_task(trial())
    await entered.wait()
    with pytest.raises(ConnectionError):  # only one trial at a time
        async with b.call():
            pass
    release.set()
    await task
    assert b.state == "closed"


async def test_a_cancelled_trial_frees_its_slot() -> None:
    clock = Clock()
    b = breaker(clock)
    await fails(b, Down())
    clock.now = 5.0
    entered = asyncio.Event()

    async def trial() -> None:
        async with b.call():
            entered.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(trial())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with b.call():  # the next call is the trial
        pass
    assert b.state == "closed"
