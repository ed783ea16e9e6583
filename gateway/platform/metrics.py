"""Prometheus metrics for operators, on a registry owned by the app (no global state).

Exposed at `/metrics` in the Prometheus text format. Labels are low-cardinality by design:
routes are the mounted paths, never raw URLs, and no visitor data ever becomes a label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


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
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
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

    def count_execution(self, kind: str) -> None:
        self.executions.labels(kind).inc()

    def degraded_store(self, store: str) -> None:
        self.degraded.labels(store).inc()

    def count_events(self, statuses: list[str]) -> None:
        for status in statuses:
            self.events.labels(status).inc()

    def count_kept_unused(self, count: int) -> None:
        self.kept_unused.inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
