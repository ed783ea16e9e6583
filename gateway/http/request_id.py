"""Request ids: read from `X-Request-Id` or made up, kept for the request's logs, sent back.

A pure ASGI middleware, outermost, so every log line of the request (`gateway.platform.logs`)
and the response carry the same id. An incoming id is kept when it looks like one (1 to 128
characters of letters, digits and `-_.:@/+=`: what proxies and load balancers send); anything
else is replaced, so a client cannot write arbitrary text into the logs.
"""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.platform.logs import REQUEST_ID

HEADER = b"x-request-id"
_VALID = re.compile(rb"^[A-Za-z0-9\-_.:@/+=]{1,128}$")


def incoming_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == HEADER:
            return value.decode("ascii") if _VALID.match(value) else None
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_id(scope["headers"]) or uuid.uuid4().hex
        header = (HEADER, request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*(h for h in message.get("headers", ()) if h[0].lower() != HEADER), header]
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
