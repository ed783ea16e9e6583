"""Probes: `/healthz` (the process is alive), `/startupz` (it has loaded what it serves) and
`/readyz` (it can serve: send it traffic).

Readiness is about this process, not its dependencies: once started it answers 200 even while
Redis or MongoDB is down, because the gateway still serves (personalization fails open, the
catalogue answers from its mirror). Taking every instance out of the load balancer when a
shared Redis blips would turn a degraded page into no page. The dependencies are reported in
the body (`checks`, `down`) for dashboards and alerts. Before the startup steps have all
succeeded (the catalogue and slot release loaded, ...) both `/startupz` and `/readyz` answer
503 with what is still `loading`.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.http.state import edge_of

JSON = "application/json"


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type=JSON)


async def startupz(request: Request) -> Response:
    loading = edge_of(request).loading()
    body = {"status": "starting" if loading else "started", "loading": loading}
    return Response(orjson.dumps(body), status_code=503 if loading else 200, media_type=JSON)


async def readyz(request: Request) -> Response:
    edge = edge_of(request)
    loading = edge.loading()
    if loading:
        return Response(orjson.dumps({"status": "starting", "loading": loading}), status_code=503, media_type=JSON)
    checks = await edge.readiness()
    down = sorted(name for name, state in checks.items() if state == "down")
    body = {"status": "degraded" if down else "ok", "checks": checks, "down": down}
    return Response(orjson.dumps(body), media_type=JSON)
