"""Calling the app in-process, as a server would: each request gets a copy of the lifespan's state.

uvicorn copies the state the lifespan yielded into every request's scope; httpx's ASGITransport
runs no lifespan. `with_state(app, state)` does what the server would, for tests and benchmarks
that enter `app.router.lifespan_context(app)` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send


def with_state(app: ASGIApp, state: Mapping[str, Any] | None) -> ASGIApp:
    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and state is not None:
            scope = {**scope, "state": dict(state)}
        await app(scope, receive, send)

    return call


async def post_in_process(
    app: ASGIApp,
    path: str,
    body: bytes,
    headers: Iterable[tuple[bytes, bytes]] = (),
    extra: Mapping[str, Any] | None = None,
) -> tuple[int, bytes]:
    """One JSON POST straight into an ASGI app, as a server calls it: no HTTP client, no socket
    (so a measurement sees only the app's own objects and time). `extra`: more scope keys."""
    sent: list[Mapping[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        **(extra or {}),
    }
    await app(scope, receive, send)
    status: int = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
