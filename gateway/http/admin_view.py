"""The admin GraphQL endpoint (`/admin/graphql`): API-key authentication in front of strawberry.

Every request must carry a key (`Authorization: Bearer <key>` or `X-Vitrine-Api-Key`). A
missing, unknown or revoked key is refused before any GraphQL runs, with HTTP 401 and a
GraphQL-shaped error body (code UNAUTHENTICATED). Role checks happen per field
(`resolvers.access.auth.require_role`), which answer 403 with code FORBIDDEN. The GraphiQL page
itself (a GET for text/html without a query, outside production) is served without a key: it
holds no data, and the key goes into GraphiQL's headers tab. It is answered here, before
strawberry builds a context (which needs the key).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway.access import Principal
from gateway.execution.context import AdminContext
from gateway.http.console import graphiql_page
from gateway.http.encoding import dumps
from gateway.http.graphql_view import HTTP_ERROR_CODES, check_body_shape, read_body
from gateway.http.media import JSON, media_type
from gateway.http.state import admin_of, edge_of
from gateway.kernel import StoreUnavailable, Unauthenticated

log = logging.getLogger(__name__)

API_KEY_HEADER = "x-vitrine-api-key"
PRINCIPAL_SCOPE_KEY = "vitrine.principal"


def key_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get(API_KEY_HEADER) or None


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(dumps(body), status_code=status, media_type="application/json", headers=headers)


class AdminGraphQLView(GraphQL[AdminContext, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no subscriptions on the admin API
            return
        request = Request(scope, receive)
        wants_page = "text/html" in request.headers.get("accept", "") and "query" not in request.query_params
        if self.graphql_ide and request.method == "GET" and wants_page:
            await graphiql_page(request, admin=True)(scope, receive, send)
            return
        try:
            principal = await admin_of(request).api_keys.authenticate(key_of(request))
        except Unauthenticated as exc:
            response = _error(401, exc.code.value, exc.message, {"WWW-Authenticate": 'Bearer realm="vitrine-admin"'})
            await response(scope, receive, send)
            return
        except StoreUnavailable as exc:
            log.warning("admin authentication unavailable: %s", exc.message)
            await _error(503, exc.code.value, exc.message, {"Retry-After": "5"})(scope, receive, send)
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal
        try:
            if request.method == "POST":  # the body under the same size and time limits as /graphql
                settings = edge_of(request).settings
                request._body = await read_body(request, settings.graphql_max_body_bytes, settings.body_timeout_seconds)
            response = await self.run(request)
        except HTTPException as exc:  # GraphQL-shaped, like every other error of this endpoint
            response = _error(exc.status_code, HTTP_ERROR_CODES.get(exc.status_code, "BAD_REQUEST"), exc.reason)
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> AdminContext:
        principal: Principal = request.scope[PRINCIPAL_SCOPE_KEY]
        assert isinstance(response, Response)
        return AdminContext(admin_of(request), principal, response)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        if request.method == "POST" and media_type(request.content_type) == JSON:
            check_body_shape(self.parse_json(await request.get_body()))
        return await super().parse_http_body(request)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: Any) -> bytes:
        return dumps(data)
