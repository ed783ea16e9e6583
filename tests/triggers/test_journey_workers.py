"""`python -m gateway worker` processes killed (SIGKILL) in the middle of a journey: the workers
that take over carry every person on from where they were, and each step's message is recorded
once and reaches the receiver under one idempotency key. Real MongoDB and Redis servers."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import orjson

from gateway.settings import Settings
from gateway.testing.servers import free_port
from gateway.triggers import PositionStatus
from tests.support.appclient import running_gateway
from tests.support.automation import publish, send
from tests.support.identity_helpers import new_device
from tests.support.webhook_receiver import Receiver

SECRET = "webhook-secret-0123456789-abcdefghijklmn"
STEPS = ("first", "second", "third")
DRIP = {
    "key": "drip",
    "name": "Three messages, a second and a half apart",
    "when": {"event": "Product Added"},
    "steps": [
        {"id": "first", "do": [{"webhook": {"type": "drip", "products": "event"}}]},
        {"id": "pause-1", "wait": "1.5s"},
        {"id": "second", "do": [{"webhook": {"type": "drip"}}]},
        {"id": "pause-2", "wait": "1.5s"},
        {"id": "third", "do": [{"webhook": {"type": "drip", "data": {"last": True}}}]},
    ],
}
PEOPLE = 4


def environment(settings: Settings) -> dict[str, str]:
    assert settings.webhook_url is not None
    return {
        **os.environ,
        "VITRINE_MONGODB_URL": settings.mongodb_url,
        "VITRINE_MONGODB_DATABASE": settings.mongodb_database,
        "VITRINE_REDIS_URL": settings.redis_url,
        "VITRINE_REDIS_PREFIX": settings.redis_prefix,
        "VITRINE_SECRET_KEY": settings.secret_keys[0],
        "VITRINE_WEBHOOK_URL": settings.webhook_url,
        "VITRINE_WEBHOOK_SECRET": SECRET,
        "VITRINE_TRIGGER_HOLDOUT_PERCENT": "0",
        "VITRINE_TRIGGER_TICK_SECONDS": "0.2",
        # Short holds: a killed worker's step is taken over within seconds (and redone: keyed).
        "VITRINE_JOURNEY_LEASE_SECONDS": "2",
        "VITRINE_DEMO_DATA": "false",
    }


async def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll (the receiver and the store are outside this test's control flow)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert condition(), what


async def test_killed_workers_leave_every_step_done_once(
    backend: str, backend_settings: Settings, tmp_path: Path
) -> None:
    if backend == "memory":
        return  # worker processes share journeys with the gateway only through the real servers
    port = free_port()
    settings = replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        webhook_secret=SECRET,
        trigger_holdout_percent=0.0,
        workers_in_process=False,
    )
    receiver = Receiver(port)
    workers: list[asyncio.subprocess.Process] = []

    async def spawn(name: str) -> asyncio.subprocess.Process:
        log = (tmp_path / f"{name}.log").open("wb")
        # No probe port: workers on one host would all ask for the default (9100), and all but one exit.
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "worker", "--port", "0", env=environment(settings), stdout=log, stderr=log
        )
        workers.append(process)
        return process

    def seen() -> set[tuple[str, str]]:
        found = set()
        for request in receiver.received:
            body = orjson.loads(request.body)
            found.add((body["profileId"], body["step"]))
        return found

    await receiver.start()
    try:
        async with running_gateway(settings) as gw:
            await publish(gw, journeys=[DRIP], note="a drip")  # the workers load it when they start
            devices = [await new_device(gw) for _ in range(PEOPLE)]
            for i, device in enumerate(devices):
                added = {"messageId": f"a{i}", "name": "Product Added", "properties": {"product_id": "p-00001"}}
                assert (await send(device, added))["accepted"] == 1

            a = await spawn("a")
            await until(lambda: sum(step == "first" for _, step in seen()) == PEOPLE, 60, "first messages")
            a.send_signal(signal.SIGKILL)  # mid-journey: everyone is between the first and second step
            await a.wait()
            b, c = await spawn("b"), await spawn("c")
            positions = gw.runtime.stores.triggers.positions
            async with asyncio.timeout(60):  # kill b as the second steps are being run
                while not any(p.step == "pause-2" for p in await positions.find("drip", None, None, 100)):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            b.send_signal(signal.SIGKILL)
            await b.wait()
            await spawn("d")
            expected = {(d.visitor_id, step) for d in devices for step in STEPS}
            await until(lambda: seen() == expected, 120, "every step of every person")

            outbox = gw.runtime.stores.triggers.outbox
            recorded = await outbox.find(rule="drip")
            assert sorted((d.profile_id, d.step) for d in recorded) == sorted(expected)  # each step once
            keys = {(orjson.loads(r.body)["profileId"], orjson.loads(r.body)["step"]): set() for r in receiver.received}
            for request in receiver.received:
                body = orjson.loads(request.body)
                keys[(body["profileId"], body["step"])].add(request.headers["idempotency-key"])
            assert all(len(k) == 1 for k in keys.values())  # a repeat (at least once) carries the same key
            assert {d.id for d in recorded} == {k for ks in keys.values() for k in ks}
            done = await positions.find("drip", None, None, 100)
            assert len(done) == PEOPLE and all(p.status is PositionStatus.DONE for p in done)
            assert c.returncode is None  # a survivor kept working throughout
    finally:
        for process in workers:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await receiver.stop()
