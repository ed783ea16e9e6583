"""The composition root of services: opened in the app's lifespan, closed on shutdown.

Stores are chosen by URL (see `gateway.store_factory`); services get them by constructor.
Background tasks (catalogue refresh, replay of unapplied events) live and die here too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from gateway.access.service import ApiKeyService
from gateway.catalogue.service import CatalogService
from gateway.customer import CustomerServices, build_customer_services, engagement_policy
from gateway.execution.persisted.documents import PersistedDocuments
from gateway.execution.persisted.memory import MemoryPersistedQueryStore
from gateway.kernel.errors import StoreUnavailable
from gateway.platform.metrics import Metrics
from gateway.recommendations.service import RecommendationService
from gateway.recommendations.signal_recorder import SignalRecorder
from gateway.recommendations.values.ranking import Rules
from gateway.recommendations.vectors.service import VectorService
from gateway.settings import Settings
from gateway.slots.behaviour_counts import BehaviourCounts
from gateway.slots.experiment_tracker import ExperimentTracker
from gateway.slots.service import SlotService
from gateway.slots.workspace import SlotDefinitions
from gateway.store_factory import Stores, open_stores
from gateway.visitors.intake import EventService
from gateway.visitors.service import VisitorService

log = logging.getLogger(__name__)

CATALOG_REFRESH_SECONDS = 10.0
REPLAY_SECONDS = 15.0
SHUTDOWN_SECONDS = 5.0
RELEASE_POLL_SECONDS = 5.0  # the safety net behind release broadcasts


@dataclass
class Container:
    settings: Settings
    stores: Stores
    catalog: CatalogService
    visitors: VisitorService
    events: EventService
    metrics: Metrics
    api_keys: ApiKeyService
    slot_definitions: SlotDefinitions
    slots: SlotService
    experiments: ExperimentTracker
    behaviour: BehaviourCounts
    customer: CustomerServices
    persisted: PersistedDocuments = field(default_factory=lambda: PersistedDocuments(MemoryPersistedQueryStore()))
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    recommendations: RecommendationService | None = None
    vectors: VectorService | None = None

    async def readiness(self) -> dict[str, str]:
        """'ok' or 'down' per configured backing store."""
        status: dict[str, str] = {}
        if self.stores.mongo_client is not None:
            from gateway.platform.mongo import ping as mongo_ping

            status["mongodb"] = await _probe(mongo_ping(self.stores.mongo_client))
        if self.stores.redis_client is not None:
            from gateway.platform.redis import ping as redis_ping

            status["redis"] = await _probe(redis_ping(self.stores.redis_client))
        status["catalog"] = "ok" if self.catalog.category_map() or self.catalog.mirrored else "empty"
        return status


async def _probe(check: Awaitable[None]) -> str:
    try:
        await asyncio.wait_for(check, timeout=2.0)
        return "ok"
    except (StoreUnavailable, TimeoutError):
        return "down"


def _every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> Callable[[], Coroutine[Any, Any, None]]:
    async def loop() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
            except StoreUnavailable as exc:
                log.warning("%s skipped: %s", name, exc.message)
            except Exception:  # a background job must never die silently
                log.exception("%s failed", name)

    return loop


async def _first_vector_load(vectors: VectorService) -> None:
    try:
        await vectors.refresh()
    except StoreUnavailable as exc:
        log.error("product vectors not loaded at startup (will retry): %s", exc.message)
    except Exception:  # a background job must never die silently
        log.exception("product vectors not loaded at startup (will retry)")


@asynccontextmanager
async def open_container(
    settings: Settings, metrics: Metrics | None = None, *, background: bool = True
) -> AsyncIterator[Container]:
    async with AsyncExitStack() as stack:
        stores = await open_stores(settings, stack)
        if stores.mongo_client is not None:
            from gateway.platform.mongo import ensure_indexes

            try:
                await ensure_indexes(stores.mongo_client[settings.mongodb_database])
            except StoreUnavailable as exc:
                log.error("MongoDB unreachable at startup; serving degraded: %s", exc.message)
        # A commerce backend owns its catalogue: read through (cached), never mirrored.
        preload_max = 0 if settings.catalog_url else settings.catalog_preload_max
        catalog = CatalogService(stores.catalog, preload_max=preload_max)
        metrics = metrics or Metrics()
        visitors = VisitorService(
            stores.sessions,
            stores.profiles,
            on_degraded=metrics.degraded_store,
            consent_required=settings.consent_required,
        )
        events = EventService(
            stores.events,
            stores.profiles,
            stores.sessions,
            catalog,
            max_batch=settings.events_max_batch,
            half_life_days=settings.interest_half_life_days,
            engagement=engagement_policy(settings),
            on_outcomes=metrics.count_events,
        )
        events.add_listener(SignalRecorder(stores.signals, catalog.category_map))
        vectors = VectorService(
            stores.vectors,
            exact_max=settings.recs_exact_max,
            graphs=stores.graphs,
            # With memory:// MongoDB nobody else can publish a graph to this process: build at once.
            graph_wait_seconds=0 if settings.mongodb_url.startswith("memory") else settings.recs_graph_wait_seconds,
        )
        recommendations = RecommendationService(
            stores.signals,
            catalog,
            vectors,
            rules=Rules(exclude_viewed=settings.recs_exclude_viewed, boosts=dict(settings.recs_boosts)),
        )
        api_keys = ApiKeyService(stores.api_keys, settings.admin_api_key)
        slot_stores = stores.slots
        definitions = SlotDefinitions(slot_stores.drafts, slot_stores.releases, slot_stores.broadcaster)
        behaviour = BehaviourCounts(slot_stores.behaviour, catalog)
        experiments = ExperimentTracker(slot_stores.experiments, definitions)
        slots = SlotService(
            definitions,
            behaviour,
            slot_stores.impressions,
            experiments,
            catalog,
            half_life_days=settings.interest_half_life_days,
        )
        events.add_listener(behaviour)
        events.add_listener(experiments)
        persisted = PersistedDocuments(stores.persisted, settings.persisted_queries)
        customer = build_customer_services(settings, stores, events, catalog, stack)
        # Slot audiences can use segments, engagement and per-channel counts.
        slots.add_fact_provider(customer.audience_facts)
        container = Container(
            settings=settings,
            stores=stores,
            catalog=catalog,
            visitors=visitors,
            events=events,
            metrics=metrics,
            api_keys=api_keys,
            slot_definitions=definitions,
            slots=slots,
            experiments=experiments,
            behaviour=behaviour,
            customer=customer,
            persisted=persisted,
            recommendations=recommendations,
            vectors=vectors,
        )
        if settings.trusted_documents:
            from gateway.execution.persisted.documents import register_manifest_file

            added = await register_manifest_file(stores.persisted, settings.trusted_documents)
            log.info("trusted documents: %d new from %s", added, settings.trusted_documents)
        try:
            await definitions.load_latest()
        except StoreUnavailable as exc:
            log.error("slot definitions not loaded at startup (serving defaults until they are): %s", exc.message)
        # Releases must reach this instance even without the periodic jobs.
        container.tasks.append(asyncio.create_task(definitions.follow(), name="slot releases"))
        if settings.demo_data:
            from gateway.demo.seed import seed_demo

            try:
                await seed_demo(container)
            except StoreUnavailable as exc:
                log.error("could not seed demo data: %s", exc.message)
        try:
            await catalog.refresh()
        except StoreUnavailable as exc:
            log.error("catalogue not loaded at startup (will retry): %s", exc.message)
        if background:
            # A big HNSW index takes minutes to build: serve meanwhile (SIMILAR falls back until it is in).
            container.tasks.append(asyncio.create_task(_first_vector_load(vectors), name="vector index load"))
        else:
            await _first_vector_load(vectors)
        if background:
            jobs: list[tuple[float, Callable[[], Awaitable[object]], str]] = [
                (CATALOG_REFRESH_SECONDS, catalog.refresh, "catalogue refresh"),
                (REPLAY_SECONDS, events.replay_unapplied, "event replay"),
                (settings.recs_vector_refresh_seconds, vectors.refresh, "vector index refresh"),
                (RELEASE_POLL_SECONDS, definitions.poll, "slot release poll"),
            ]
            if settings.workers_in_process:  # single-instance mode; else `python -m gateway worker` runs them
                jobs += customer.jobs(settings)
            for seconds, job, name in jobs:
                container.tasks.append(asyncio.create_task(_every(seconds, job, name)(), name=name))
        try:
            yield container
        finally:
            for task in container.tasks:
                task.cancel()
            if container.tasks:  # bounded: shutdown must not hang on a task that swallowed its cancel
                _, pending = await asyncio.wait(container.tasks, timeout=SHUTDOWN_SECONDS)
                for task in pending:
                    log.error("background task %r did not stop within %ss", task.get_name(), SHUTDOWN_SECONDS)
