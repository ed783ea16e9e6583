"""`python -m gateway worker`: the schedulers without the HTTP server.

Runs the same background jobs the main process runs in single-instance mode (segment
re-evaluation, trigger timers, webhook delivery, replay of unapplied events) and applies the
events of the intake journal (gateway/visitors/durable_intake.py). Any number of
workers and gateway instances may run at once: timers and deliveries are claimed in the
store and segment re-evaluation holds a lease, so each piece of work happens once.
Set VITRINE_WORKERS_IN_PROCESS=false on the gateway instances when you run workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from gateway.kernel import StoreUnavailable
from gateway.runtime import open_runtime
from gateway.settings import Settings

log = logging.getLogger(__name__)


async def _loop(seconds: float, job: Callable[[], Awaitable[object]], name: str, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await job()
        except StoreUnavailable as exc:
            log.warning("%s skipped: %s", name, exc.message)
        except Exception:  # a worker job must never die silently
            log.exception("%s failed", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or forever)."""
    stop = stop or asyncio.Event()
    async with open_runtime(settings, background=False) as runtime:
        jobs = [*runtime.intake_jobs(), *runtime.worker_jobs()]
        if runtime.services.webhooks is None:
            log.warning("VITRINE_WEBHOOK_URL is not set: no triggers fire")
        log.info("worker running: %s", ", ".join(name for _, _, name in jobs))
        await asyncio.gather(*(_loop(seconds, job, name, stop) for seconds, job, name in jobs))
