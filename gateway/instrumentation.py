"""What the runtime instruments beyond the clients: store calls, trigger deliveries, vector search.

Part of the composition root (beside `gateway.wiring`): it knows the areas' values, so the
areas and the platform don't need to know about metrics or spans.

- `instrumented(stores, metrics, tracing)`: every store call timed, counted and traced
  (`gateway.platform.store_calls`), and the webhook outbox's writes counted as trigger
  messages (`vitrine_trigger_messages_total`) and delivery attempts
  (`vitrine_webhook_attempts_total`): each attempt of the sender ends in one `record`.
- `TracedSimilarItems`: a span per vector search (`vector search`, with the number of products
  asked about and the index kind); the embedder's batches get `TracedEmbedder`'s spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from opentelemetry.trace import Tracer

from gateway.catalogue import ProductId
from gateway.platform.metrics import Metrics
from gateway.platform.store_calls import Hook, instrument_stores
from gateway.platform.tracing import Tracing, recording
from gateway.recommendations import SimilarItems
from gateway.triggers import Delivery, DeliveryStatus

T = TypeVar("T")


def delivery_hooks(metrics: Metrics) -> dict[str, Hook]:
    def enqueued(added: bool, delivery: Delivery) -> None:
        if added:
            metrics.trigger_messages.labels(delivery.rule, delivery.status.value).inc()

    def recorded(_: None, delivery: Delivery) -> None:
        if delivery.status is DeliveryStatus.DELIVERED:
            outcome = "delivered"
        elif delivery.status is DeliveryStatus.DEAD:
            outcome = "dead"
        elif delivery.status is DeliveryStatus.PENDING and delivery.attempts > 0:
            outcome = "retry"
        else:
            return  # an operator put a dead delivery back in the queue: not an attempt
        metrics.webhook_attempts.labels(delivery.rule, outcome).inc()

    return {"triggers.outbox.enqueue": enqueued, "triggers.outbox.record": recorded}


def instrumented(stores: T, metrics: Metrics, tracing: Tracing | None) -> T:
    tracer = tracing.tracer if tracing is not None else None
    return instrument_stores(stores, metrics, tracer, delivery_hooks(metrics))


class TracedSimilarItems:
    """`SimilarItems` with a span around each search (only used when tracing is on)."""

    def __init__(self, inner: SimilarItems, tracer: Tracer) -> None:
        self._inner = inner
        self._tracer = tracer

    def epoch(self) -> object:
        return self._inner.epoch()

    def similar(self, product_id: ProductId, k: int) -> list[tuple[ProductId, float]]:
        return self.similar_many([product_id], k)[0]

    def similar_many(self, product_ids: Sequence[ProductId], k: int) -> list[list[tuple[ProductId, float]]]:
        if not recording():
            return self._inner.similar_many(product_ids, k)
        attributes: dict[str, str | int] = {"vitrine.vectors.queries": len(product_ids), "vitrine.vectors.k": k}
        kind = getattr(self._inner, "index_kind", None)
        if kind:
            attributes["vitrine.vectors.index"] = kind
        with self._tracer.start_as_current_span("vector search", attributes=attributes):
            return self._inner.similar_many(product_ids, k)


class TracedEmbedder:
    """An embedder whose batches are spans (`python -m gateway index` with tracing on)."""

    def __init__(self, inner: Any, tracer: Tracer) -> None:
        self._inner = inner
        self._tracer = tracer
        self.name: str = inner.name
        self.dim: int = inner.dim

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> npt.NDArray[np.float32]:
        attributes: dict[str, str | int] = {"vitrine.embedding.model": self.name, "vitrine.embedding.texts": len(texts)}
        with self._tracer.start_as_current_span("embed", attributes=attributes):
            result: npt.NDArray[np.float32] = self._inner.encode(texts, batch_size=batch_size)
            return result
