"""`/healthz` (the process is alive) and `/readyz` (which dependencies answer)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.http.state import edge_of


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


async def readyz(request: Request) -> Response:
    checks = await edge_of(request).readiness()
    down = sorted(name for name, state in checks.items() if state == "down")
    body = {"status": "degraded" if down else "ok", "checks": checks, "down": down}
    # 503 tells a load balancer to prefer other instances; the gateway still serves (fails open).
    return Response(orjson.dumps(body), status_code=503 if down else 200, media_type="application/json")
