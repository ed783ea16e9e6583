"""The worker's probes and metrics: what only it does (webhook attempts, jobs) is scraped from it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.platform.metrics import Metrics
from gateway.settings import Settings
from gateway.testing.servers import free_port
from gateway.worker import run_worker
from tests.support.appclient import running_gateway
from tests.support.identity_helpers import TRACK, new_device
from tests.support.webhook_receiver import Receiver


@pytest.mark.parametrize("backend", ["real"])
@pytest.mark.real
async def test_worker_serves_probes_and_counts_deliveries(
    backend_settings: Settings,
) -> None:
    hooks, probes = free_port(), free_port()
    settings = replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{hooks}/hooks",
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_abandoned_cart_minutes=0.01,
        trigger_holdout_percent=0.0,
        workers_in_process=False,
        trigger_tick_seconds=0.2,
    )
    receiver = Receiver(hooks)
    await receiver.start()
    stop = asyncio.Event()
    metrics = Metrics()
    try:
        async with running_gateway(settings) as gw:
            device = await new_device(gw)
            event = {"messageId": "c1", "name": "Product Added", "properties": {"product_id": "p-00001"}}
            assert (await device.gql(TRACK, {"events": [event]}))["track"]["accepted"] == 1
            worker = asyncio.create_task(run_worker(settings, stop, port=probes, host="127.0.0.1", metrics=metrics))
            await asyncio.wait_for(receiver.arrived.wait(), 20)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{probes}") as client:
                for _ in range(50):  # the endpoint comes up beside the jobs
                    try:
                        health = await client.get("/healthz")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
                assert health.status_code == 200
                ready = await client.get("/readyz")
                assert ready.status_code == 200 and ready.json()["checks"]["mongodb"] == "ok"
                for _ in range(50):  # the attempt is counted once the outbox records it
                    text = (await client.get("/metrics")).text
                    if 'vitrine_webhook_attempts_total{outcome="delivered",trigger="abandoned_cart"} 1.0' in text:
                        break
                    await asyncio.sleep(0.1)
            stop.set()
            await asyncio.wait_for(worker, 10)
    finally:
        stop.set()
        await receiver.stop()
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }
    assert found[("vitrine_webhook_attempts_total", (("outcome", "delivered"), ("trigger", "abandoned_cart")))] == 1
    assert found[("vitrine_background_jobs_total", (("job", "webhook delivery"), ("outcome", "ok")))] >= 1
