"""The worker's own small HTTP surface: `/healthz`, `/readyz` and `/metrics`.

`python -m gateway worker` serves no GraphQL, but Kubernetes probes it and Prometheus scrapes
what only it does (webhook attempts, trigger messages, background jobs): these three routes,
on `--port` (default 9100), answer as the gateway's do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.http.request_id import RequestIdMiddleware
from gateway.platform.metrics import Metrics

Readiness = Callable[[], Awaitable[dict[str, str]]]


def worker_app(metrics: Metrics, readiness: Readiness) -> Starlette:
    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    async def readyz(request: Request) -> Response:
        checks = await readiness()
        down = sorted(name for name, state in checks.items() if state == "down")
        body = {"status": "degraded" if down else "ok", "checks": checks, "down": down}
        return Response(orjson.dumps(body), status_code=503 if down else 200, media_type="application/json")

    async def serve_metrics(request: Request) -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    from starlette.middleware import Middleware

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", serve_metrics, methods=["GET"]),
        ],
        middleware=[Middleware(RequestIdMiddleware)],
    )
