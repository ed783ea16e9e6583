"""Traces of a personalized page and of tracked events, read from the SDK's in-memory exporter.

On real servers (Redis and the MongoDB-protocol server), so the driver spans are the official
instrumentations' own: redis-py's per-client instrumentation and pymongo's command monitoring.
The page is the home page of tests/execution/test_home_page_store_calls.py: viewer, slots
(an audience banner and a FOR_YOU carousel), FOR_YOU recommendations and a category list.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.app import create_app
from gateway.platform.tracing import Tracing, sampler_for
from gateway.settings import Settings
from gateway.testing.servers import free_port
from tests.execution.test_home_page_store_calls import DEFINITIONS, FULL, KEY, PAGE, PUBLISH, SAVE, adds, track, views
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import Device, new_device
from tests.support.settings import make_settings
from tests.support.webhook_receiver import Receiver

real = pytest.mark.parametrize("backend", ["real"])
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@dataclass
class Traced:
    gw: Gateway
    exporter: InMemorySpanExporter
    shopper: Device


class Tree:
    """Finished spans by id, with their children in start order."""

    def __init__(self, spans: tuple[ReadableSpan, ...]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start_time or 0)
        self.by_id = {s.context.span_id: s for s in self.spans}

    def children(self, span: ReadableSpan) -> list[ReadableSpan]:
        return [s for s in self.spans if s.parent is not None and s.parent.span_id == span.context.span_id]

    def below(self, span: ReadableSpan) -> Iterator[ReadableSpan]:
        for child in self.children(span):
            yield child
            yield from self.below(child)

    def one(self, name: str) -> ReadableSpan:
        found = [s for s in self.spans if s.name == name]
        assert len(found) == 1, (name, [s.name for s in self.spans])
        return found[0]

    def names_below(self, span: ReadableSpan) -> list[str]:
        return [s.name for s in self.below(span)]

    def outline(self) -> str:
        """The tree as indented names (shown when an assertion fails)."""
        lines: list[str] = []

        def walk(span: ReadableSpan, depth: int) -> None:
            lines.append("  " * depth + span.name)
            for child in self.children(span):
                walk(child, depth + 1)

        for root in (s for s in self.spans if s.parent is None or s.parent.span_id not in self.by_id):
            walk(root, 0)
        return "\n".join(lines)


def in_memory_tracing(ratio: float | None = None) -> tuple[Tracing, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    sampler = sampler_for("parentbased_traceidratio", ratio) if ratio is not None else sampler_for("always_on", 1)
    return Tracing.with_exporters([exporter], sampler=sampler, batch=False), exporter


@pytest.fixture
async def traced(backend_settings: Settings) -> AsyncIterator[Traced]:
    tracing, exporter = in_memory_tracing()
    async with running_gateway(replace(backend_settings, admin_api_key=KEY), tracing=tracing) as gw:
        for kind, definition in DEFINITIONS:
            assert (await gw.admin(SAVE[kind], {"d": definition}, key=KEY))["data"]["r"]["ok"]
        assert "errors" not in await gw.admin(PUBLISH, key=KEY)
        for n in range(3):
            await track(await new_device(gw), views(f"o{n}-", 1, 2, 3))
        shopper = await new_device(gw)
        await track(shopper, views("v", 1, 4, 5, 6) + adds("a", 7, 8))
        await shopper.gql(PAGE, FULL)  # warm: what every later request costs
        exporter.clear()
        yield Traced(gw, exporter, shopper)


def attributes_of(spans: list[ReadableSpan]) -> list[str]:
    return [str(v) for s in spans for v in (s.attributes or {}).values()]


@pytest.mark.real
@real
async def test_a_personalized_page_is_one_trace_continuing_the_callers(traced: Traced) -> None:
    headers = {"x-vitrine-visitor": traced.shopper.token, "traceparent": TRACEPARENT, "x-request-id": "req-42"}
    response = await traced.gw.client.post("/graphql", json={"query": PAGE, "variables": FULL}, headers=headers)
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers["x-request-id"] == "req-42"
    tree = Tree(traced.exporter.get_finished_spans())
    outline = tree.outline()

    # One trace, the caller's: the server span's parent is the span named in `traceparent`.
    assert {format(s.context.trace_id, "032x") for s in tree.spans} == {TRACE_ID}, outline
    server = tree.one("POST /graphql")
    assert server.kind is SpanKind.SERVER and server.parent is not None and server.parent.is_remote
    assert format(server.parent.span_id, "016x") == PARENT_ID
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["vitrine.request_id"] == "req-42"

    # The operation: name, type, executor, the document's hash (never its text).
    (operation,) = tree.children(server)
    assert operation.name == "query Home", outline
    assert operation.attributes is not None
    assert operation.attributes["graphql.operation.name"] == "Home"
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["vitrine.graphql.executor"] == "standard"
    assert operation.attributes["vitrine.graphql.document_sha256"] == hashlib.sha256(PAGE.encode()).hexdigest()

    # Root fields under the operation; store calls under the fields; driver spans under the stores.
    # (The FOR_YOU carousel's products field is not a root field: its list's store calls and
    # vector searches sit directly under the operation.)
    roots = [s.name for s in tree.children(operation) if s.name.startswith("Query.")]
    assert roots == ["Query.viewer", "Query.slots", "Query.recommendations", "Query.products"], outline
    viewer = tree.one("Query.viewer")
    sessions = [s for s in tree.below(viewer) if s.name == "store visitors.sessions.get_many"]
    assert len(sessions) == 1, outline
    assert [s.name for s in tree.children(sessions[0])] == ["EVALSHA"], outline  # one Redis round trip
    redis_span = tree.children(sessions[0])[0]
    assert redis_span.kind is SpanKind.CLIENT and redis_span.attributes is not None
    assert redis_span.attributes["db.system"] == "redis"

    # A warm visitor whose state has not changed: slot decisions and the FOR_YOU list come from
    # the visitor cache (keyed by the state version the sessions read returned), no vector search.
    assert "store audiences.memberships.memberships" not in tree.names_below(tree.one("Query.slots")), outline
    assert tree.names_below(tree.one("Query.recommendations")) == [], outline

    # The visitor's next event changes the state: the same page computes everything again, and
    # each store call sits under the field that made it.
    await track(traced.shopper, views("w", 9))
    traced.exporter.clear()
    response = await traced.gw.client.post("/graphql", json={"query": PAGE, "variables": FULL}, headers=headers)
    assert response.status_code == 200 and "errors" not in response.json()
    tree = Tree(traced.exporter.get_finished_spans())
    outline = tree.outline()
    slots = tree.names_below(tree.one("Query.slots"))
    assert "store audiences.memberships.memberships" in slots, outline
    mongo = [s for s in tree.below(tree.one("Query.slots")) if s.name.endswith(".find")]
    assert mongo and all(s.attributes and s.attributes["db.system"] == "mongodb" for s in mongo), outline
    assert any(n.startswith("store slots.behaviour.") for n in slots), outline
    recommendations = tree.names_below(tree.one("Query.recommendations"))
    assert "store recommendations.signals.histories" in recommendations, outline
    assert "vector search" in recommendations, outline

    # Nothing personal: no span carries the visitor's id or token.
    values = attributes_of(tree.spans)
    assert not [v for v in values if traced.shopper.visitor_id in v], outline


@pytest.mark.real
@real
async def test_a_tracked_event_shows_intake_stores_and_listeners(traced: Traced) -> None:
    await traced.shopper.gql(
        "mutation Track($e: [EventInput!]!) { track(events: $e) { accepted } }",
        {"e": views("t", 9)},
    )
    tree = Tree(traced.exporter.get_finished_spans())
    outline = tree.outline()
    operation = tree.one("mutation Track")
    assert operation.attributes is not None and operation.attributes["graphql.operation.type"] == "mutation"
    (field,) = tree.children(operation)
    assert field.name == "Mutation.track", outline
    below = tree.names_below(field)
    # Stored once in the event log, applied to the profile and the session, heard by the signals.
    for name in (
        "store visitors.events.append",
        "store visitors.profiles.apply",
        "store visitors.sessions.apply",
        "store visitors.events.mark_applied",
    ):
        assert name in below, outline
    assert any(n.startswith("store recommendations.signals.") for n in below), outline
    assert any(s.attributes and s.attributes.get("db.system") == "mongodb" for s in tree.below(field)), outline
    assert any(s.attributes and s.attributes.get("db.system") == "redis" for s in tree.below(field)), outline

    # The events API: the same stores under the server span.
    traced.exporter.clear()
    event = {"messageId": "api-1", "name": "Product Viewed", "properties": {"product_id": "p-00002"}}
    response = await traced.gw.client.post(
        "/v1/events", json={"events": [event]}, headers={"x-vitrine-visitor": traced.shopper.token}
    )
    assert response.status_code == 200, response.text
    tree = Tree(traced.exporter.get_finished_spans())
    server = tree.one("POST /v1/events")
    assert "store visitors.events.append" in tree.names_below(server), tree.outline()


async def test_a_sampled_out_trace_records_nothing_unless_the_caller_sampled_it() -> None:
    tracing, exporter = in_memory_tracing(ratio=0.0)  # OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG=0
    async with running_gateway(make_settings(), tracing=tracing) as gw:
        await gw.gql("{ viewer { visitorId } }")
        assert exporter.get_finished_spans() == ()
        await gw.gql("{ viewer { visitorId } }", headers={"traceparent": TRACEPARENT})
        names = [s.name for s in exporter.get_finished_spans()]
        assert "POST /graphql" in names and "Query.viewer" in names


def test_tracing_off_installs_nothing() -> None:
    app = create_app(make_settings(), background=False, freeze_gc=False)
    assert [m.cls.__name__ for m in app.user_middleware] == ["RequestIdMiddleware", "MetricsMiddleware"]
    view = next(r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql")  # type: ignore[attr-defined]
    fields = view.schema._schema.query_type.fields
    assert fields["viewer"].resolve.__name__ == "_async_resolver"  # strawberry's own, unwrapped
    traced_app = create_app(make_settings(), background=False, freeze_gc=False, tracing=in_memory_tracing()[0])
    assert "ServerSpanMiddleware" in [m.cls.__name__ for m in traced_app.user_middleware]


async def test_webhooks_carry_the_trace_of_their_delivery() -> None:
    port = free_port()
    settings = make_settings(
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_holdout_percent=0.0,
    )
    tracing, exporter = in_memory_tracing()
    receiver = Receiver(port)
    await receiver.start()
    try:
        async with running_gateway(settings, tracing=tracing) as gw:
            device = await new_device(gw)
            await track(device, adds("c", 1))
            services = gw.runtime.services
            assert services.webhooks is not None
            later = datetime.now(UTC) + timedelta(minutes=61)
            assert await services.triggers.fire_due(later) == 1
            assert await services.webhooks.deliver_due(later) == 1
    finally:
        await receiver.stop()
    (request,) = receiver.received
    version, trace_id, span_id, flags = request.headers["traceparent"].split("-")
    (client,) = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT and s.name == "POST"]
    assert (trace_id, span_id) == (format(client.context.trace_id, "032x"), format(client.context.span_id, "016x"))
    assert version == "00" and int(flags, 16) & 1  # sampled


@pytest.mark.real
@real
async def test_compiled_operations_keep_their_root_field_spans(traced: Traced) -> None:
    headers = {"x-vitrine-visitor": traced.shopper.token}
    body = {"query": PAGE, "variables": FULL, "extensions": {"vitrine": {"compile": True}}}
    for _ in range(2):  # the second run takes the prepared lane (no parsing, no validation)
        traced.exporter.clear()
        response = await traced.gw.client.post("/graphql", json=body, headers=headers)
        assert response.json()["extensions"]["vitrine"] == {"execution": "compiled"}
        tree = Tree(traced.exporter.get_finished_spans())
        operation = tree.one("query Home")
        assert operation.attributes is not None and operation.attributes["vitrine.graphql.executor"] == "compiled"
        roots = [s.name for s in tree.children(operation) if s.name.startswith("Query.")]
        assert roots == ["Query.viewer", "Query.slots", "Query.recommendations", "Query.products"], tree.outline()
        assert "store visitors.sessions.get_many" in tree.names_below(tree.one("Query.viewer")), tree.outline()
