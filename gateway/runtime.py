"""A running gateway process: its stores and services, opened in the lifespan, closed on shutdown.

`open_runtime(settings)` opens the store clients, has every area build its stores, builds every
service (`gateway.wiring`), loads what the process serves (slot release, catalogue mirror,
vector index), seeds the demo data in embedded demo mode, and runs the background jobs: the
catalogue refresh, the replay of unapplied events, the vector index refresh, the slot release
poll, and (single-instance mode) the customer-data jobs that `python -m gateway worker` runs
otherwise. Background jobs never die silently: a failure is logged and the job runs again.

A serving process (`background=True`) loads in a background task, so the lifespan's startup
returns at once: the server answers `/healthz` and takes SIGTERM (ending the load) while a
big catalogue loads. Until every startup step has succeeded once (`Runtime.loading` is empty;
a failed step is retried with backoff) `/startupz` and `/readyz` answer 503. After that the
process serves, and readiness stays 200 whatever its dependencies do: they are reported in the
body (`Runtime.readiness`), and personalization fails open without them.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from gateway.instrumentation import instrumented
from gateway.kernel import StoreUnavailable
from gateway.platform.backends import Backends, open_backends
from gateway.platform.metrics import Metrics
from gateway.platform.tracing import Tracing
from gateway.recommendations import VectorService
from gateway.settings import Settings
from gateway.wiring import MONGO_INDEXES, Services, Stores, build_services, open_stores

log = logging.getLogger(__name__)

CATALOG_REFRESH_SECONDS = 10.0
REPLAY_SECONDS = 15.0
JOURNAL_SECONDS = 0.25  # how often an instance looks for journaled events to apply
SHUTDOWN_SECONDS = 5.0
STARTUP_RETRY_SECONDS = (1.0, 30.0)  # first and longest wait before a failed startup step runs again
RELEASE_POLL_SECONDS = 5.0  # the safety net behind release broadcasts (and how automation releases arrive)

Job = tuple[float, Callable[[], Awaitable[object]], str]  # (every seconds, job, name)


@dataclass
class Runtime:
    settings: Settings
    backends: Backends
    stores: Stores
    services: Services
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    loading: list[str] = field(default_factory=list)  # startup steps that have not succeeded yet

    @property
    def started(self) -> bool:
        return not self.loading

    async def readiness(self) -> dict[str, str]:
        """'ok' or 'down' per configured backing store."""
        status: dict[str, str] = {}
        if self.backends.mongo_client is not None:
            from gateway.platform.mongo import ping as mongo_ping

            status["mongodb"] = await _probe(mongo_ping(self.backends.mongo_client))
        if self.backends.redis is not None:
            from gateway.platform.redis import ping as redis_ping
            from gateway.platform.redis_cluster import is_cluster, ping_any

            redis = self.backends.redis
            status["redis"] = await _probe(ping_any(redis) if is_cluster(redis) else redis_ping(redis))
        catalog = self.services.catalog
        status["catalog"] = "ok" if catalog.category_map() or catalog.mirrored else "empty"
        return status

    def intake_jobs(self) -> list[Job]:
        """Applying accepted events: the intake journal's partitions, then the log's leftovers."""
        jobs: list[Job] = [(REPLAY_SECONDS, self.services.events.replay_unapplied, "event replay")]
        if self.services.journal_applier is not None:
            jobs.append((JOURNAL_SECONDS, self.services.journal_applier.drain, "intake journal"))
        return jobs

    def worker_jobs(self) -> list[Job]:
        """The customer-data work: segment re-evaluation, automation timers and journey steps,
        webhook delivery."""
        s = self.services
        reevaluate, tick = self.settings.segment_reevaluate_seconds, self.settings.trigger_tick_seconds
        jobs: list[Job] = [
            (reevaluate, s.segments.reevaluate_all, "segment re-evaluation"),
            (tick, s.triggers.fire_due, "trigger timers"),
            (tick, s.triggers.advance_journeys, "journey steps"),
        ]
        if s.webhooks is not None:
            jobs.append((tick, s.webhooks.deliver_due, "webhook delivery"))
        return jobs

    def serving_jobs(self) -> list[Job]:
        """What keeps a serving instance current."""
        s = self.services
        return [
            (CATALOG_REFRESH_SECONDS, s.catalog.refresh, "catalogue refresh"),
            *self.intake_jobs(),
            (self.settings.recs_vector_refresh_seconds, s.vectors.refresh, "vector index refresh"),
            (RELEASE_POLL_SECONDS, s.slot_definitions.poll, "slot release poll"),
            (RELEASE_POLL_SECONDS, s.automation.poll, "automation release poll"),
        ]


async def _probe(check: Awaitable[None]) -> str:
    try:
        await asyncio.wait_for(check, timeout=2.0)
        return "ok"
    except (StoreUnavailable, TimeoutError):
        return "down"


def _every(
    seconds: float, job: Callable[[], Awaitable[object]], name: str, metrics: Metrics | None = None
) -> Callable[[], Coroutine[Any, Any, None]]:
    count = metrics.count_job if metrics is not None else lambda job, outcome: None

    async def loop() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
                count(name, "ok")
            except StoreUnavailable as exc:
                count(name, "skipped")
                log.warning("%s skipped: %s", name, exc.message)
            except Exception:  # a background job must never die silently
                count(name, "failed")
                log.exception("%s failed", name)

    return loop


async def _first_vector_load(vectors: VectorService) -> None:
    try:
        await vectors.refresh()
    except StoreUnavailable as exc:
        log.error("product vectors not loaded at startup (will retry): %s", exc.message)
    except Exception:  # a background job must never die silently
        log.exception("product vectors not loaded at startup (will retry)")


def _startup_steps(runtime: Runtime) -> dict[str, Callable[[], Awaitable[object]]]:
    """What the process must have before it serves, in order: each step runs until it succeeds once."""
    settings, services = runtime.settings, runtime.services
    steps: dict[str, Callable[[], Awaitable[object]]] = {}
    if runtime.backends.mongo_db is not None:
        steps["indexes"] = lambda: _create_indexes(runtime.backends)
    if settings.trusted_documents:
        from gateway.execution.persisted import register_manifest_file

        async def trusted() -> None:
            added = await register_manifest_file(runtime.stores.persisted, settings.trusted_documents)
            log.info("trusted documents: %d new from %s", added, settings.trusted_documents)

        steps["trusted documents"] = trusted
    steps["slots"] = services.slot_definitions.load_latest
    steps["automation"] = services.automation.load_latest
    if settings.demo_data:
        from gateway.demo.seed import seed_demo

        steps["demo data"] = lambda: seed_demo(runtime.stores, services)
    steps["catalogue"] = services.catalog.refresh
    if settings.demo_data:  # the demo's embeddings answer from the first request (an exact index: quick)
        steps["vectors"] = services.vectors.refresh
    return steps


async def _start(
    runtime: Runtime, steps: dict[str, Callable[[], Awaitable[object]]], *, retry: bool, freeze_gc: bool
) -> None:
    """Run the startup steps not done yet (`runtime.loading`); with `retry`, again (with backoff)
    until every one has succeeded."""
    # Releases must reach this instance even without the periodic jobs.
    runtime.tasks.append(asyncio.create_task(runtime.services.slot_definitions.follow(), name="slot releases"))
    wait, longest = STARTUP_RETRY_SECONDS
    started = time.monotonic()
    while True:
        for name in list(runtime.loading):
            try:
                await steps[name]()
            except StoreUnavailable as exc:
                log.error("startup: %s not loaded (%s); %s", name, exc.message, "retrying" if retry else "serving")
            except Exception:
                if not retry:
                    raise
                log.exception("startup: %s failed; retrying", name)  # a background task never dies silently
            else:
                runtime.loading.remove(name)
        if not runtime.loading or not retry:
            break
        await asyncio.sleep(wait)
        wait = min(2 * wait, longest)
    if freeze_gc:  # before the process reports ready: nobody waits on this collection
        gc.collect()
        gc.freeze()  # what was loaded lives as long as the process: out of the collector's way
    runtime.loading = []
    log.info("started in %.1f s", time.monotonic() - started)


async def _create_indexes(backends: Backends) -> None:
    if backends.mongo_db is None:
        return
    from gateway.platform.mongo import INDEX_BUILD_SECONDS, operation_time, translated

    with operation_time(INDEX_BUILD_SECONDS):
        async with translated("MongoDB", "create_indexes"):
            for create in MONGO_INDEXES:
                await create(backends.mongo_db)


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    metrics: Metrics | None = None,
    *,
    background: bool = True,
    tracing: Tracing | None = None,
    freeze_gc: bool = False,
) -> AsyncIterator[Runtime]:
    """`tracing` (None: off) traces the store clients, every store call and the outgoing HTTP."""
    metrics = metrics or Metrics()
    async with AsyncExitStack() as stack:
        backends = await open_backends(
            settings.mongodb_url,
            settings.mongodb_database,
            settings.redis_url,
            settings.redis_prefix,
            settings.store_timeout_ms,
            stack,
            settings.store_breaker_seconds,
            tracing=tracing,
        )
        stores = open_stores(settings, backends, stack, tracing=tracing)
        # Services see every store call timed (and traced); `runtime.stores` stays the plain stores.
        services = build_services(
            settings, instrumented(stores, metrics, tracing), metrics, stack, tracing=tracing, freeze_gc=freeze_gc
        )
        runtime = Runtime(settings, backends, stores, services)
        steps = _startup_steps(runtime)
        runtime.loading = list(steps)
        if background:

            async def start_then_vectors() -> None:
                await _start(runtime, steps, retry=True, freeze_gc=freeze_gc)
                # After the startup steps (the demo's vectors are seeded there). A big HNSW index
                # takes minutes to build: serve meanwhile (SIMILAR falls back until it is in).
                await _first_vector_load(services.vectors)

            runtime.tasks.append(asyncio.create_task(start_then_vectors(), name="startup"))
            jobs = runtime.serving_jobs()
            if settings.workers_in_process:  # single-instance mode; else `python -m gateway worker` runs them
                jobs += runtime.worker_jobs()
            for seconds, job, name in jobs:
                runtime.tasks.append(asyncio.create_task(_every(seconds, job, name, metrics)(), name=name))
        else:
            await _start(runtime, steps, retry=False, freeze_gc=freeze_gc)
            await _first_vector_load(services.vectors)
        try:
            yield runtime
        finally:
            for task in runtime.tasks:
                task.cancel()
            if runtime.tasks:  # bounded: shutdown must not hang on a task that swallowed its cancel
                _, pending = await asyncio.wait(runtime.tasks, timeout=SHUTDOWN_SECONDS)
                for task in pending:
                    log.error("background task %r did not stop within %ss", task.get_name(), SHUTDOWN_SECONDS)
