"""Every store call timed and counted, and (tracing on) a span: stores seen through a wrapper.

`instrument_stores(stores, ...)` walks a tree of store groups (frozen dataclasses such as the
composition root's `Stores`, `VisitorStores`) and returns the same tree with each store wrapped
by an `InstrumentedStore`, named by its place in the tree (`visitors.sessions`, `catalog`).
The wrapper times each `async` method into `vitrine_store_call_seconds{store, backend,
operation}`, counts `StoreUnavailable` into `vitrine_store_errors_total`, and, with a tracer,
opens a span `store visitors.sessions.get_many` under which the driver's own spans (redis,
pymongo) nest. Everything else (plain methods, `listen()` iterators, attributes) passes through.

The backend label comes from the implementing module's name (`mongo_profiles` -> mongodb,
`redis_sessions` -> redis, `memory_*` -> memory, connectors -> http), looking through a
wrapping store (`_inner`) when the outer one is not itself a backend.

`hooks` observe successful calls: `{"triggers.outbox.record": fn}` calls `fn(result, *args)`
after each `record` of that store (how the runtime counts webhook outcomes without touching the
sender). The wrapped tree is what services get; the runtime keeps the plain stores as well.
"""

from __future__ import annotations

import dataclasses
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from opentelemetry.trace import SpanKind, StatusCode, Tracer

from gateway.kernel import StoreUnavailable
from gateway.platform.metrics import Metrics
from gateway.platform.tracing import recording

T = TypeVar("T")
Hook = Callable[..., None]

_BACKENDS = (("mongo", "mongodb"), ("redis", "redis"), ("memory", "memory"), ("connector", "http"))


def backend_of(store: object) -> str:
    for _ in range(3):
        module = type(store).__module__.rsplit(".", 1)[-1]
        path = type(store).__module__
        for marker, backend in _BACKENDS:
            if marker in module or f".{marker}s." in path or path.endswith(f".{marker}"):
                return backend
        inner = getattr(store, "_inner", None)
        if inner is None:
            break
        store = inner
    return "other"


class InstrumentedStore:
    """`inner` with each async method timed, counted and (with a tracer) traced."""

    def __init__(
        self,
        inner: object,
        name: str,
        metrics: Metrics,
        tracer: Tracer | None = None,
        hooks: Mapping[str, Hook] | None = None,
    ) -> None:
        self._vt_inner = inner
        self._vt_name = name
        self._vt_backend = backend_of(inner)
        self._vt_metrics = metrics
        self._vt_tracer = tracer
        self._vt_hooks = hooks or {}

    def __repr__(self) -> str:
        return f"InstrumentedStore({self._vt_inner!r}, {self._vt_name!r})"

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._vt_inner, attribute)
        if attribute.startswith("_") or not inspect.iscoroutinefunction(value):
            return value
        wrapped = self._wrap(attribute)
        setattr(self, attribute, wrapped)  # found directly from now on
        return wrapped

    def _wrap(self, operation: str) -> Callable[..., Awaitable[Any]]:
        inner = self._vt_inner  # the method is looked up per call: a test may replace it on the store
        labels = (self._vt_name, self._vt_backend, operation)
        latency = self._vt_metrics.store_calls.labels(*labels)
        errors = self._vt_metrics.store_errors.labels(*labels)
        hook = self._vt_hooks.get(f"{self._vt_name}.{operation}")
        tracer = self._vt_tracer
        clock = time.perf_counter

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                result = await getattr(inner, operation)(*args, **kwargs)
            except StoreUnavailable:
                errors.inc()
                raise
            finally:
                latency.observe(clock() - started)
            if hook is not None:
                hook(result, *args, **kwargs)
            return result

        if tracer is None:
            return timed
        span_name = f"store {self._vt_name}.{operation}"
        attributes = {"vitrine.store": self._vt_name, "vitrine.store.backend": self._vt_backend}

        async def traced(*args: Any, **kwargs: Any) -> Any:
            if not recording():  # an unsampled request: no child spans (see tracing.recording)
                return await timed(*args, **kwargs)
            with tracer.start_as_current_span(
                span_name, kind=SpanKind.INTERNAL, attributes=attributes, record_exception=False
            ) as span:
                try:
                    return await timed(*args, **kwargs)
                except StoreUnavailable as exc:
                    span.set_status(StatusCode.ERROR, exc.message)
                    raise

        return traced


def instrument_stores(
    stores: T,
    metrics: Metrics,
    tracer: Tracer | None = None,
    hooks: Mapping[str, Hook] | None = None,
    prefix: str = "",
) -> T:
    """The same tree of store groups with every store wrapped (see the module docstring)."""
    if not dataclasses.is_dataclass(stores) or isinstance(stores, type):
        raise TypeError("expected a dataclass of stores")
    changes: dict[str, Any] = {}
    for item in dataclasses.fields(stores):
        value = getattr(stores, item.name)
        name = f"{prefix}{item.name}"
        if value is None:  # an optional store the backends do not have (the intake journal without Redis)
            continue
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes[item.name] = instrument_stores(value, metrics, tracer, hooks, f"{name}.")
        else:
            changes[item.name] = InstrumentedStore(value, name, metrics, tracer, hooks)
    return dataclasses.replace(stores, **changes)
