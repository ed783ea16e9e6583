"""`python -m gateway worker` as a separate process role: it fires timers the gateway scheduled."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import orjson

from gateway.settings import Settings
from gateway.testing.servers import free_port
from gateway.worker import run_worker
from tests.support.appclient import running_gateway
from tests.support.identity_helpers import TRACK, new_device
from tests.support.webhook_receiver import Receiver


async def test_worker_fires_and_delivers_what_the_gateway_scheduled(backend: str, backend_settings: Settings) -> None:
    if backend == "memory":
        return  # the worker shares timers and the outbox with the gateway only through MongoDB
    port = free_port()
    settings = replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_abandoned_cart_minutes=0.01,
        trigger_holdout_percent=0.0,
        trigger_tick_seconds=0.2,
        workers_in_process=False,
    )
    receiver = Receiver(port)
    await receiver.start()
    stop = asyncio.Event()
    try:
        async with running_gateway(settings) as gw:
            device = await new_device(gw)
            event = {"messageId": "c1", "name": "Product Added", "properties": {"product_id": "p-00001"}}
            assert (await device.gql(TRACK, {"events": [event]}))["track"]["accepted"] == 1
            # background=False here: no periodic jobs (the worker does the work); only the
            # subscription that keeps slot releases current runs in every instance.
            assert [t.get_name() for t in gw.runtime.tasks] == ["slot releases"]
            worker = asyncio.create_task(run_worker(settings, stop))
            await asyncio.wait_for(receiver.arrived.wait(), 20)
            stop.set()
            await asyncio.wait_for(worker, 10)
        (request,) = receiver.received
        body = orjson.loads(request.body)
        assert body["type"] == "abandoned_cart" and body["profileId"] == device.visitor_id
    finally:
        stop.set()
        await receiver.stop()


def test_the_worker_command_exists() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "gateway", "worker", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and "schedulers" in done.stdout
