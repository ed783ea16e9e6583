"""OpenTelemetry traces: a tracer provider owned by the process, and the clients it instruments.

Off unless `OTEL_TRACES_EXPORTER` names an exporter (`otlp`, `console`); the settings read the
standard variables (`gateway.settings`). Off means nothing is installed at all: no middleware,
no wrapped resolver or store, no listener on a client, so no span object is ever made.

On, `open_tracing` builds one `TracerProvider` (the service name from `OTEL_SERVICE_NAME`, the
sampler from `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`, the OTLP endpoint and headers
read by the exporter itself from `OTEL_EXPORTER_OTLP_*`) and hands it to everything explicitly:
the provider is never made global, so two apps in one process (the tests) never share spans.
The instrumentations are the official ones, attached per client rather than by patching the
libraries: redis-py's `instrument_client` (asyncio clients and pipelines), pymongo's command
monitoring `CommandTracer` as an event listener of our `AsyncMongoClient` (command monitoring
publishes from the coroutine that sent the command, so each span has the right parent), and
httpx's `instrument_client`, which also sends the W3C `traceparent` of the current span on every
outgoing call (webhooks, the commerce connector). Statements are not recorded: Redis spans carry
`COMMAND ? ?`, MongoDB spans the command and collection only, so no visitor data reaches a span.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from opentelemetry.trace import Span, SpanKind, StatusCode, Tracer, get_current_span

log = logging.getLogger(__name__)

INSTRUMENTATION_NAME = "vitrine"


def _version() -> str:
    try:
        return version("vitrine")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0"


def sampler_for(name: str, ratio: float) -> Sampler:
    """The sampler `OTEL_TRACES_SAMPLER` names (the spec's values; `*traceidratio` take `ratio`)."""
    base: Sampler = {
        "always_on": ALWAYS_ON,
        "always_off": ALWAYS_OFF,
        "traceidratio": TraceIdRatioBased(ratio),
    }[name.removeprefix("parentbased_")]
    return ParentBased(base) if name.startswith("parentbased_") else base


@dataclass(frozen=True, slots=True)
class Tracing:
    """The process's tracer provider and Vitrine's own tracer."""

    provider: TracerProvider
    tracer: Tracer

    @classmethod
    def with_exporters(
        cls,
        exporters: list[SpanExporter],
        *,
        sampler: Sampler = ALWAYS_ON,
        service_name: str = "vitrine",
        batch: bool = True,
    ) -> Tracing:
        """A provider exporting to `exporters` (in batches, or each span as it ends: tests)."""
        resource = Resource.create({SERVICE_NAME: service_name, SERVICE_VERSION: _version()})
        provider = TracerProvider(resource=resource, sampler=sampler)
        for exporter in exporters:
            provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
        return cls(provider, provider.get_tracer(INSTRUMENTATION_NAME, _version()))

    def shutdown(self) -> None:
        """Export what is still buffered and stop (at process exit)."""
        self.provider.shutdown()

    # --- the clients' instrumentations ------------------------------------------------------

    def instrument_redis(self, client: Any) -> None:
        """Spans for every command and pipeline of a redis-py (asyncio) client, in sampled requests.

        The official instrumentation formats each command and makes a span even when nothing
        records it; in front of it, a command of an unsampled request goes straight to the client."""
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        RedisInstrumentor.instrument_client(client, tracer_provider=self.provider)
        traced_command, traced_pipeline = client.execute_command, client.pipeline
        plain_command, plain_pipeline = traced_command.__wrapped__, traced_pipeline.__wrapped__

        async def execute_command(*args: Any, **options: Any) -> Any:
            return await (traced_command if recording() else plain_command)(*args, **options)

        def pipeline(*args: Any, **options: Any) -> Any:
            return (traced_pipeline if recording() else plain_pipeline)(*args, **options)

        client.execute_command = execute_command
        client.pipeline = pipeline

    def mongo_listener(self) -> Any:
        """A pymongo command listener making a span per MongoDB command of a sampled request
        (give it to the client)."""
        from opentelemetry.instrumentation.pymongo import CommandTracer
        from pymongo import monitoring

        class SampledCommandTracer(CommandTracer):
            def started(self, event: monitoring.CommandStartedEvent) -> None:
                if recording():  # else no span: succeeded/failed find none and return
                    super().started(event)

        return SampledCommandTracer(self.provider.get_tracer("opentelemetry.instrumentation.pymongo"))

    def instrument_httpx(self, client: Any) -> None:
        """Client spans and the W3C `traceparent` header on every request of an httpx client."""
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=self.provider)


def open_tracing(exporters: tuple[str, ...], *, service_name: str, sampler: str, sampler_arg: float) -> Tracing | None:
    """Tracing as the OTEL_* settings ask, or None (off) when they name no exporter."""
    if not exporters:
        return None
    chosen: list[SpanExporter] = []
    for name in exporters:
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            chosen.append(OTLPSpanExporter())
        elif name == "console":
            chosen.append(ConsoleSpanExporter())
    tracing = Tracing.with_exporters(chosen, sampler=sampler_for(sampler, sampler_arg), service_name=service_name)
    log.info("tracing on: %s exporter, %s sampler", "+".join(exporters), sampler)
    return tracing


def recording() -> bool:
    """Whether the current span records: Vitrine's own child spans are made only then.

    Sampling is decided at the root (the server span, a worker job) and children follow it
    (parent-based samplers), so a child of an unsampled span would never be recorded: skipping
    it saves its cost on the 90% of requests a 10% sampler leaves out, and background loops of
    the gateway (catalogue refresh, event replay) make no root traces of their own."""
    return get_current_span().is_recording()


@contextmanager
def span(tracer: Tracer | None, name: str, **attributes: str | int | float | bool) -> Iterator[Span | None]:
    """A span around the block when tracing is on; nothing at all when `tracer` is None."""
    if tracer is None:
        yield None
        return
    with tracer.start_as_current_span(name, kind=SpanKind.INTERNAL, attributes=attributes) as current:
        yield current


def mark_error(current: Span | None, description: str) -> None:
    if current is not None and current.is_recording():
        current.set_status(StatusCode.ERROR, description)
