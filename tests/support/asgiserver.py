"""Serving an ASGI app with uvicorn on a free loopback port, in a thread, for one test."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from gateway.testing.servers import free_port


@contextmanager
def serve_asgi(app: Any, prepare: Callable[[], Awaitable[None]] | None = None) -> Iterator[str]:
    """Yields `http://127.0.0.1:PORT`; the server stops (bounded wait) when the block ends.

    `prepare()`, if given, runs inside the server's event loop once it has started.
    """
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the server did not start within 30 s")
        time.sleep(0.02)
    try:
        if prepare is not None:
            loop: asyncio.AbstractEventLoop = server.servers[0].get_loop()
            asyncio.run_coroutine_threadsafe(prepare(), loop).result(30)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
