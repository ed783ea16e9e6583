"""The GraphQL endpoint: strawberry's ASGI view with our context, cookie and JSON encoder."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway.container import Container
from gateway.context import LOCALE_HEADER, RequestContext, build_context, pick_locale
from gateway.http.visitor_cookie import issue_cookie, visitor_of


class GraphQLView(GraphQL[RequestContext, None]):
    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        container: Container = request.app.state.container
        visitor = visitor_of(request, container.settings)
        if isinstance(response, Response):
            issue_cookie(response, visitor, container.settings)
        locale = pick_locale(request.headers.get(LOCALE_HEADER), request.headers.get("accept-language"))
        return build_context(container, visitor, locale)

    def encode_json(self, data: Any) -> bytes:
        return orjson.dumps(data)
