"""Webhook sends are concurrent per worker, with a limit per receiver: a slow receiver no longer
holds every delivery behind it for its whole timeout."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from gateway.kernel import VisitorId
from gateway.triggers import WebhookSender
from gateway.triggers.stores.memory import MemoryOutboxStore
from gateway.triggers.values import Delivery, DeliveryStatus

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SECRET = "webhook-secret-0123456789-abcdefghijklmn"


async def test_due_deliveries_go_out_concurrently_up_to_the_limit_per_receiver() -> None:
    in_flight = peak = 0
    release = asyncio.Event()

    async def receiver(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if peak == 3:
            release.set()
        await release.wait()  # a slow receiver: nothing answers until three are waiting
        in_flight -= 1
        return httpx.Response(200)

    outbox = MemoryOutboxStore()
    for i in range(10):
        await outbox.enqueue(Delivery(f"d{i}", "inactivity", VisitorId(f"v_{i}"), {"n": i}, NOW, next_attempt_at=NOW))
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as client:
        sender = WebhookSender(
            outbox, "https://hooks.example/in", SECRET, client, max_attempts=3, backoff_base_seconds=30, per_receiver=3
        )
        delivered = await asyncio.wait_for(sender.deliver_due(NOW), 10)  # serial sends would never release
    assert delivered == 10 and peak == 3  # concurrent, and never more than three at this receiver
    assert len(await outbox.find(status=DeliveryStatus.DELIVERED, limit=100)) == 10  # each one recorded
