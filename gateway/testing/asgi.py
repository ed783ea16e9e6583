"""Calling the app in-process, as a server would: each request gets a copy of the lifespan's state.

uvicorn copies the state the lifespan yielded into every request's scope; httpx's ASGITransport
runs no lifespan. `with_state(app, state)` does what the server would, for tests and benchmarks
that enter `app.router.lifespan_context(app)` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send


def with_state(app: ASGIApp, state: Mapping[str, Any] | None) -> ASGIApp:
    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and state is not None:
            scope = {**scope, "state": dict(state)}
        await app(scope, receive, send)

    return call
