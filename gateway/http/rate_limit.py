"""Rate limiting per client IP and per visitor, in front of the API routes.

Fixed one-minute windows counted in the `RateLimitStore` (Redis, so every worker and
instance shares them; memory in embedded mode). Over the limit, a request is answered 429
with `Retry-After` (seconds to the end of the window) before any GraphQL work is done.

- Per IP: the connection's peer address. Behind a proxy, run uvicorn with
  `--proxy-headers --forwarded-allow-ips=<proxy>` so that is the client's address.
- Per visitor: only verified visitor ids count (a forged or absent id makes a new visitor,
  which the IP limit still covers).

The limiter fails open: if the counter store is down, requests are served.
"""

from __future__ import annotations

import logging

import orjson
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http.state import edge_of
from gateway.http.visitor_cookie import visitor_of
from gateway.kernel import StoreUnavailable

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
LIMITED_PATHS = ("/graphql", "/v1/events")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in LIMITED_PATHS or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        edge = edge_of(conn)
        settings = edge.settings
        keys: list[tuple[str, int]] = []
        if settings.rate_limit_ip_per_minute and conn.client is not None:
            keys.append((f"ip:{conn.client.host}", settings.rate_limit_ip_per_minute))
        if settings.rate_limit_visitor_per_minute:
            visitor = visitor_of(conn, settings)
            if not visitor.is_new:
                keys.append((f"v:{visitor.id}", settings.rate_limit_visitor_per_minute))
        for key, limit in keys:
            try:
                decision = await edge.rate_limits.hit(key, limit, WINDOW_SECONDS)
            except StoreUnavailable as exc:
                log.warning("rate limiting skipped: %s", exc.message)
                break
            if not decision.allowed:
                scope_kind = "address" if key.startswith("ip:") else "visitor"
                body = {
                    "errors": [
                        {
                            "message": f"too many requests from this {scope_kind}; retry in "
                            f"{decision.retry_after_seconds} s",
                            "extensions": {"code": "RATE_LIMITED", "retryAfter": decision.retry_after_seconds},
                        }
                    ]
                }
                response = Response(
                    orjson.dumps(body),
                    status_code=429,
                    media_type="application/json",
                    headers={"retry-after": str(decision.retry_after_seconds)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
