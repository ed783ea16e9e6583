"""Watching GraphQL operations: latency per operation and executor, and their spans.

Both execution lanes report here (strawberry's whole pipeline through the execution report
extension, and the prepared lane of hot compiled queries): `OperationObserver.start()` as the
operation begins, `Watch.finish()` once its result exists.

- Metrics, always: `vitrine_graphql_operation_seconds{operation, executor}`. The `operation`
  label must stay bounded whoever sends requests, so it is the operation's name only for
  persisted documents (trusted documents, APQ), and only for the first `MAX_NAMED_OPERATIONS`
  names seen (APQ lets any client register a document); every other operation is `other`.
- Spans, when tracing is on: one span per operation (`query Home`, with `graphql.operation.*`,
  the document's SHA-256, the executor and the compiled path's fallback reason; never the
  document text or variables, which can hold personal data), made current so that the root
  fields' spans (`trace_root_fields`) and the store calls below them nest under it.
"""

from __future__ import annotations

import hashlib
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from graphql import GraphQLResolveInfo, GraphQLSchema, default_field_resolver
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, StatusCode, Tracer

from gateway.platform.metrics import Metrics
from gateway.platform.tracing import recording

MAX_NAMED_OPERATIONS = 200
OTHER = "other"


class OperationNames:
    """Label values for operation names, bounded (see the module docstring)."""

    def __init__(self, limit: int = MAX_NAMED_OPERATIONS) -> None:
        self._limit = limit
        self._known: set[str] = set()

    def label(self, name: str | None, persisted: bool) -> str:
        if not persisted or not name:
            return OTHER
        if name in self._known:
            return name
        if len(self._known) >= self._limit:
            return OTHER
        self._known.add(name)
        return name


@dataclass(frozen=True, slots=True)
class Outcome:
    """What is known of an operation once it ran."""

    executor: str  # compiled | standard | fallback
    fallback: str | None = None  # why it asked to run compiled and did not
    operation_name: str | None = None
    operation_type: str | None = None  # query | mutation | subscription; None if it never parsed
    persisted: bool = False  # an APQ or trusted document
    errors: int = 0


class Watch:
    """One operation being watched: `finish` it from the context that started it."""

    __slots__ = ("_observer", "_query", "_span", "_started", "_token")

    def __init__(self, observer: OperationObserver, query: str | None, span: Span | None, token: object) -> None:
        self._observer = observer
        self._query = query
        self._span = span
        self._token = token
        self._started = time.perf_counter()

    def finish(self, outcome: Outcome) -> None:
        observer = self._observer
        label = observer.names.label(outcome.operation_name, outcome.persisted or observer.trusted_documents)
        observer.metrics.observe_operation(label, outcome.executor, time.perf_counter() - self._started)
        span = self._span
        if span is None:
            return
        otel_context.detach(self._token)  # type: ignore[arg-type]
        if span.is_recording():
            kind = outcome.operation_type or "operation"
            span.update_name(f"{kind} {outcome.operation_name}" if outcome.operation_name else f"GraphQL {kind}")
            attributes: dict[str, str | int | bool] = {
                "vitrine.graphql.executor": outcome.executor,
                "vitrine.graphql.persisted": outcome.persisted,
                "vitrine.graphql.errors": outcome.errors,
            }
            if outcome.operation_name:
                attributes["graphql.operation.name"] = outcome.operation_name
            if outcome.operation_type:
                attributes["graphql.operation.type"] = outcome.operation_type
            if outcome.fallback:
                attributes["vitrine.graphql.fallback"] = outcome.fallback
            if self._query is not None:
                attributes["vitrine.graphql.document_sha256"] = hashlib.sha256(self._query.encode()).hexdigest()
            span.set_attributes(attributes)
        span.end()


class OperationObserver:
    def __init__(
        self,
        metrics: Metrics,
        tracer: Tracer | None = None,
        *,
        trusted_documents: bool = False,
        names: OperationNames | None = None,
    ) -> None:
        self.metrics = metrics
        self.tracer = tracer
        self.trusted_documents = trusted_documents  # every document is a persisted one
        self.names = names or OperationNames()

    def start(self, query: str | None) -> Watch:
        if self.tracer is None or not recording():  # off, or the request is not sampled
            return Watch(self, query, None, None)
        span = self.tracer.start_span("GraphQL operation")
        token = otel_context.attach(trace.set_span_in_context(span))
        return Watch(self, query, span, token)


Resolve = Callable[..., Any]
Info = GraphQLResolveInfo[Any]


def trace_root_fields(schema: GraphQLSchema, tracer: Tracer) -> None:
    """A span around each root field's resolver (`Query.viewer`, `Mutation.track`), in place.

    Only when tracing is on, and only in sampled requests. The compiled executor calls root
    resolvers directly, past strawberry's wrapper: the wrapper made here tells it how to keep
    the span there too (`vitrine_trace_call`, read by gateway.execution.compiler.resolvers)."""
    for root in (schema.query_type, schema.mutation_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            if name.startswith("_"):  # federation's _service / _entities: the router's, not a page's
                continue
            field.resolve = traced_resolver(field.resolve or default_field_resolver, f"{root.name}.{name}", tracer)


def traced_resolver(resolve: Resolve, name: str, tracer: Tracer) -> Resolve:
    """`resolve(source, info, **args)` in a span named `name` when the request is sampled."""
    wrapper = traced_call(lambda source, info, args: resolve(source, info, **args), name, tracer)
    is_async = inspect.iscoroutinefunction(resolve)

    if is_async:

        async def traced_async(source: Any, info: Info, **args: Any) -> Any:
            return await wrapper(source, info, args)

        chosen: Any = traced_async
    else:

        def traced(source: Any, info: Info, **args: Any) -> Any:
            return wrapper(source, info, args)

        chosen = traced
    chosen.__wrapped__ = resolve
    chosen.vitrine_trace_call = lambda call: traced_call(call, name, tracer)
    return cast(Resolve, chosen)


DirectCall = Callable[[Any, Any, Any], Any]


def traced_call(call: DirectCall, name: str, tracer: Tracer) -> DirectCall:
    """`call(source, info, args)` in a span when the request is sampled; an awaitable result is
    awaited inside the span (the resolver's body runs there, its store calls nest under it)."""

    def run(source: Any, info: Info, args: Any) -> Any:
        if not recording():
            return call(source, info, args)
        span = tracer.start_span(name, attributes=_field(info))
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            result = call(source, info, args)
        except Exception as exc:
            _failed(span, exc)
            span.end()
            raise
        finally:
            otel_context.detach(token)
        if inspect.isawaitable(result):
            return _finish_later(span, result)
        span.end()
        return result

    return run


def _field(info: Info) -> dict[str, str]:
    return {"graphql.field.name": info.field_name, "graphql.field.path": str(info.path.key)}


def _failed(span: Span, exc: Exception) -> None:
    if span.is_recording():
        span.record_exception(exc)
        span.set_status(StatusCode.ERROR, type(exc).__name__)


async def _finish_later(span: Span, result: Awaitable[Any]) -> Any:
    with trace.use_span(span, end_on_exit=True):
        return await result
