"""Prometheus metrics for operators, on a registry owned by the app (no global state).

Exposed at `/metrics` in the Prometheus text format. Labels are low-cardinality by design:
routes are the mounted paths, never raw URLs; operation names only for persisted documents
(bounded, `gateway.execution.operations`); stores, operations, reasons, steps and triggers
come from the code, never from a request; and no visitor data ever becomes a label.
docs/operations.md lists every metric, the dashboard (docker/grafana/) and the alerts
(docker/prometheus/alerts.yaml) built on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
STORE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5)

HitsAndMisses = Callable[[], tuple[int, int]]


class CacheLookups(Collector):
    """`vitrine_cache_lookups_total{cache, result}`, read from the caches' own counters at scrape
    time: the request path only adds one to an int."""

    def __init__(self) -> None:
        self.caches: dict[str, HitsAndMisses] = {}

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "vitrine_cache_lookups",
            "Cache lookups by cache (compiled_plans, page_views, neighbours, persisted_documents) and result",
            labels=["cache", "result"],
        )
        for name, counts in sorted(self.caches.items()):
            hits, misses = counts()
            family.add_metric([name, "hit"], hits)
            family.add_metric([name, "miss"], misses)
        yield family


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "vitrine_http_requests", "HTTP requests by path and status", ["path", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "vitrine_http_request_seconds",
            "HTTP request duration by path",
            ["path"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.events = Counter("vitrine_events", "Events by outcome", ["status"], registry=self.registry)
        self.kept_unused = Counter(
            "vitrine_events_kept_unused",
            "Accepted events stored but not applied: track names outside Vitrine's vocabulary (Segment API)",
            registry=self.registry,
        )
        self.degraded = Counter(
            "vitrine_degraded_answers", "Visitor answers served without a store", ["store"], registry=self.registry
        )

        self.executions = Counter(
            "vitrine_graphql_executions",
            "GraphQL operations by executor: compiled, standard, or fallback (asked to compile, could not)",
            ["executor"],
            registry=self.registry,
        )

        self.operations = Histogram(
            "vitrine_graphql_operation_seconds",
            "GraphQL operations by operation name (persisted documents; others: other) and executor",
            ["operation", "executor"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.store_calls = Histogram(
            "vitrine_store_call_seconds",
            "Store calls by store, backend (memory, mongodb, redis, http) and operation",
            ["store", "backend", "operation"],
            buckets=STORE_BUCKETS,
            registry=self.registry,
        )
        self.store_errors = Counter(
            "vitrine_store_errors",
            "Store calls that failed (the store was unavailable) by store, backend and operation",
            ["store", "backend", "operation"],
            registry=self.registry,
        )
        self.events_rejected = Counter(
            "vitrine_events_rejected", "Rejected events by reason code", ["reason"], registry=self.registry
        )
        self.trigger_messages = Counter(
            "vitrine_trigger_messages",
            "Messages put in the webhook outbox by rule or journey and status (pending: to send; holdout: held out)",
            ["trigger", "status"],
            registry=self.registry,
        )
        self.webhook_attempts = Counter(
            "vitrine_webhook_attempts",
            "Webhook delivery attempts by rule or journey and outcome (delivered, retry, dead)",
            ["trigger", "outcome"],
            registry=self.registry,
        )
        self.recommendation_lists = Counter(
            "vitrine_recommendation_lists",
            "Recommendation lists built by strategy",
            ["strategy"],
            registry=self.registry,
        )
        self.recommendation_fallbacks = Counter(
            "vitrine_recommendation_fallbacks",
            "Fallback steps that filled recommendation lists, by strategy and step",
            ["strategy", "step"],
            registry=self.registry,
        )
        self.jobs = Counter(
            "vitrine_background_jobs",
            "Background job runs by job and outcome (ok, skipped: a store was down, failed)",
            ["job", "outcome"],
            registry=self.registry,
        )
        self.caches = CacheLookups()
        self.registry.register(self.caches)

    def count_execution(self, kind: str) -> None:
        self.executions.labels(kind).inc()

    def degraded_store(self, store: str) -> None:
        self.degraded.labels(store).inc()

    def count_events(self, statuses: list[str], rejected: list[str] | None = None) -> None:
        """Event outcomes (ACCEPTED, DUPLICATE, REJECTED) and the reason code of each rejection."""
        for status in statuses:
            self.events.labels(status).inc()
        for reason in rejected or ():
            self.events_rejected.labels(reason).inc()

    def observe_operation(self, operation: str, executor: str, seconds: float) -> None:
        self.operations.labels(operation, executor).observe(seconds)

    def count_recommendations(self, strategy: str, fallback_steps: list[str]) -> None:
        self.recommendation_lists.labels(strategy).inc()
        for step in fallback_steps:
            self.recommendation_fallbacks.labels(strategy, step).inc()

    def count_job(self, job: str, outcome: str) -> None:
        self.jobs.labels(job, outcome).inc()

    def watch_cache(self, name: str, counts: HitsAndMisses) -> None:
        """Report a cache's (hits, misses) at every scrape."""
        self.caches.caches[name] = counts

    def count_kept_unused(self, count: int) -> None:
        self.kept_unused.inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
