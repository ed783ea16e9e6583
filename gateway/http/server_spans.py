"""The server span of each HTTP request (only installed when tracing is on).

A pure ASGI middleware: it continues the caller's trace from the W3C `traceparent` header
(the global propagator: `OTEL_PROPAGATORS`, W3C trace context and baggage by default), names
the span after the mounted route (`POST /graphql`; unknown paths are `other`, so span names stay
few) and records method, route, status and the request id. Never the query string or a
header's value: GraphQL variables sent by GET could hold personal data. Health checks and
scrapes (`/healthz`, `/readyz`, `/metrics`) are not traced.
"""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.platform.logs import REQUEST_ID

TRACED_PATHS = frozenset({"/graphql", "/admin/graphql", "/v1/events"})
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _carrier(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


class ServerSpanMiddleware:
    def __init__(self, app: ASGIApp, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        route = path if path in TRACED_PATHS else "other"
        method = scope["method"]
        parent = propagate.extract(_carrier(scope))
        attributes = {"http.request.method": method, "http.route": route, "url.scheme": scope.get("scheme", "http")}
        with self.tracer.start_as_current_span(
            f"{method} {route}", context=parent, kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            if span.is_recording():
                request_id = REQUEST_ID.get()
                if request_id is not None:
                    span.set_attribute("vitrine.request_id", request_id)

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start" and span.is_recording():
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(StatusCode.ERROR)
                await send(message)

            await self.app(scope, receive, send_traced)
