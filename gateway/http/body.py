"""Reading a request body with a size cap and a time limit, shared by the GraphQL and events endpoints."""

from __future__ import annotations

import asyncio

from starlette.requests import Request


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is over {limit} bytes")
        self.limit = limit


class BodyTooSlow(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body did not arrive within {seconds:g} s")
        self.seconds = seconds


async def read_limited(request: Request, limit: int, seconds: float | None = None) -> bytes:
    """The whole body; BodyTooLarge as soon as the declared or received size passes `limit`, and
    BodyTooSlow when it has not all arrived `seconds` after the app started reading it (a
    client trickling its body would otherwise hold the request, and its memory, for ever)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise BodyTooLarge(limit)
    except TimeoutError:
        raise BodyTooSlow(seconds or 0.0) from None
    return bytes(body)
