"""Delivering the outbox: signed POSTs, exponential backoff, a dead-letter list.

Each due delivery is claimed (one sender at a time, across instances), POSTed with
`Idempotency-Key`, `Vitrine-Event` and `Vitrine-Signature` headers, and recorded: 2xx ->
delivered; anything else -> retried after `backoff_seconds(attempts)`, until `max_attempts`,
then dead (listed for operators, retried on request). At least once: a receiver must use the
idempotency key to ignore a repeat (e.g. after a timeout on a request it did process).

A batch of due deliveries is sent concurrently, at most `per_receiver` at a time to one receiver
(scheme, host and port): before, sends were one after another, so one slow or hanging receiver
held every delivery behind it for its whole timeout. Each delivery is recorded as soon as its
own attempt ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import orjson

from gateway.kernel import NotFound
from gateway.triggers.stores.protocol import OutboxStore
from gateway.triggers.values import Delivery, DeliveryStatus, backoff_seconds, signature_header

log = logging.getLogger(__name__)

CLAIM_SECONDS = 60.0
BATCH = 50
DEFAULT_PER_RECEIVER = 8


class WebhookSender:
    def __init__(
        self,
        outbox: OutboxStore,
        url: str,
        secret: str,
        client: httpx.AsyncClient,
        *,
        max_attempts: int,
        backoff_base_seconds: float,
        per_receiver: int = DEFAULT_PER_RECEIVER,
        claim_seconds: float = CLAIM_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`claim_seconds`: how long a claimed delivery is this sender's; if it dies, others wait that long."""
        self._outbox = outbox
        self._claim_seconds = claim_seconds
        self._url = url
        self._secret = secret
        self._client = client
        self._max = max_attempts
        self._base = backoff_base_seconds
        self._clock = clock
        self._per_receiver = per_receiver
        self._slots: dict[str, asyncio.Semaphore] = {}  # per receiver, for this sender's lifetime

    async def deliver_due(self, now: datetime | None = None) -> int:
        """Attempt every due delivery once, concurrently; answers how many were delivered."""
        now = now or self._clock()
        due = await self._outbox.claim_due(now, self._claim_seconds, BATCH)
        outcomes = await asyncio.gather(*(self._deliver(delivery, now) for delivery in due))
        return sum(outcomes)

    async def _deliver(self, delivery: Delivery, now: datetime) -> bool:
        async with self._slot(self._url):
            outcome = await self._attempt(delivery, now)
        await self._outbox.record(outcome)
        return outcome.status is DeliveryStatus.DELIVERED

    def _slot(self, url: str) -> asyncio.Semaphore:
        parts = urlsplit(url)
        receiver = f"{parts.scheme}://{parts.netloc}"
        slot = self._slots.get(receiver)
        if slot is None:
            slot = self._slots[receiver] = asyncio.Semaphore(self._per_receiver)
        return slot

    async def _attempt(self, d: Delivery, now: datetime) -> Delivery:
        body = orjson.dumps(d.payload)
        headers = {
            "content-type": "application/json",
            "idempotency-key": d.id,
            "vitrine-event": d.event_type,
            # Signed at send time (wall clock), so receivers can reject stale replays.
            "vitrine-signature": signature_header(self._secret, int(self._clock().timestamp()), body),
        }
        attempts = d.attempts + 1
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        if error is None:
            return replace(d, status=DeliveryStatus.DELIVERED, attempts=attempts, next_attempt_at=None, last_error=None)
        if attempts >= self._max:
            log.warning("webhook %s dead after %d attempts: %s", d.event_type, attempts, error)
            return replace(d, status=DeliveryStatus.DEAD, attempts=attempts, next_attempt_at=None, last_error=error)
        delay = timedelta(seconds=backoff_seconds(attempts, self._base, d.id))
        return replace(d, attempts=attempts, next_attempt_at=now + delay, last_error=error)

    async def retry(self, delivery_id: str) -> Delivery:
        """Put a dead delivery back in the queue with a fresh attempt budget (operators)."""
        found = [d for d in await self._outbox.find(status=DeliveryStatus.DEAD, limit=10_000) if d.id == delivery_id]
        if not found:
            raise NotFound(f"no dead delivery {delivery_id!r}")
        again = replace(found[0], status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=self._clock())
        await self._outbox.record(again)
        return again
