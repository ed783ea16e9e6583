"""`python -m gateway worker`: the schedulers without the HTTP server.

Runs the same background jobs the main process runs in single-instance mode (segment
re-evaluation, automation timers and journey steps, webhook delivery, replay of unapplied
events), applies the events of the intake journal (gateway/visitors/durable_intake.py), and
follows automation releases as editors publish them. Any number of workers and gateway
instances may run at once: timers, journey positions and deliveries are claimed in the
store and segment re-evaluation holds a lease, so each piece of work happens once.
Set VITRINE_WORKERS_IN_PROCESS=false on the gateway instances when you run workers.

With `port`, the worker also answers `/healthz`, `/readyz` and `/metrics` there (probes and
Prometheus: webhook attempts and background jobs are counted where they run). Tracing follows
the OTEL_* settings as in the gateway: each job run is a root span, its store calls and
webhook POSTs below it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from gateway.kernel import StoreUnavailable
from gateway.platform.metrics import Metrics
from gateway.platform.tracing import Tracing, open_tracing, span
from gateway.runtime import RELEASE_POLL_SECONDS, Job, open_runtime
from gateway.settings import Settings

log = logging.getLogger(__name__)


async def _loop(
    seconds: float,
    job: Callable[[], Awaitable[object]],
    name: str,
    stop: asyncio.Event,
    metrics: Metrics,
    tracing: Tracing | None,
) -> None:
    tracer = tracing.tracer if tracing is not None else None
    while not stop.is_set():
        with span(tracer, f"job {name}") as current:
            try:
                await job()
                metrics.count_job(name, "ok")
            except StoreUnavailable as exc:
                metrics.count_job(name, "skipped")
                log.warning("%s skipped: %s", name, exc.message)
            except Exception:  # a worker job must never die silently
                metrics.count_job(name, "failed")
                log.exception("%s failed", name)
                if current is not None:
                    current.set_attribute("vitrine.job.failed", True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_worker(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    port: int | None = None,
    host: str = "0.0.0.0",  # probes and scrapes come from other pods
    metrics: Metrics | None = None,
    tracing: Tracing | None = None,
) -> None:
    """Run until `stop` is set (or forever)."""
    stop = stop or asyncio.Event()
    metrics = metrics or Metrics()
    owned = None
    if tracing is None:
        tracing = owned = open_tracing(
            settings.traces_exporters,
            service_name=settings.service_name,
            sampler=settings.traces_sampler,
            sampler_arg=settings.traces_sampler_arg,
        )
    try:
        async with open_runtime(settings, metrics, background=False, tracing=tracing) as runtime:
            services = runtime.services
            jobs: list[Job] = [
                *runtime.intake_jobs(),  # event replay, and the intake journal's partitions
                (RELEASE_POLL_SECONDS, services.automation.poll, "automation release poll"),
                *runtime.worker_jobs(),
            ]
            if services.webhooks is None:
                log.warning("VITRINE_WEBHOOK_URL is not set: rules and journeys send no webhooks")
            log.info("worker running: %s", ", ".join(name for _, _, name in jobs))
            loops = [_loop(seconds, job, name, stop, metrics, tracing) for seconds, job, name in jobs]
            if port is not None:
                loops.append(_serve_endpoints(metrics, runtime.readiness, host, port, stop))
            await asyncio.gather(*loops)
    finally:
        if owned is not None:
            owned.shutdown()


async def _serve_endpoints(
    metrics: Metrics, readiness: Callable[[], Awaitable[dict[str, str]]], host: str, port: int, stop: asyncio.Event
) -> None:
    import uvicorn

    from gateway.http.worker_endpoints import worker_app

    config = uvicorn.Config(worker_app(metrics, readiness), host=host, port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)  # SIGTERM stops it, then the process (Kubernetes' pod stop)
    serving = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await serving
