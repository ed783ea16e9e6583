"""Probes: a starting process is alive but not ready, a started one stays ready while its
dependencies fail, and SIGTERM during a long startup ends the process at once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
import pytest

from gateway.app import create_app
from gateway.runtime import Runtime
from gateway.settings import Settings
from gateway.testing.asgi import with_state
from gateway.testing.servers import free_port
from tests.support.settings import make_settings


@contextmanager
def silent_mongodb() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: a MongoDB that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"mongodb://127.0.0.1:{listener.getsockname()[1]}/?directConnection=true"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The app as `serve` runs it: startup in the background."""
    app = create_app(settings, background=True, freeze_gc=False)
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=with_state(app, state))
        async with httpx.AsyncClient(transport=transport, base_url="http://vitrine.test") as client:
            yield client, app.state.runtime


async def test_alive_but_not_ready_while_the_catalogue_cannot_load_and_shutdown_is_prompt() -> None:
    with silent_mongodb() as url:
        settings = make_settings(mongodb_url=url, store_timeout_ms=60_000)
        async with serving(settings) as (client, runtime):
            assert (await client.get("/healthz")).status_code == 200
            startup = await client.get("/startupz")
            assert startup.status_code == 503
            assert startup.json() == {"status": "starting", "loading": ["indexes", "slots", "automation", "catalogue"]}
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "starting"
            assert not runtime.started
        # Leaving the lifespan cancelled the startup stuck on MongoDB (its timeout is a minute).


async def test_ready_once_started_and_stays_ready_with_redis_down() -> None:
    settings = make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", store_timeout_ms=300)
    async with serving(settings) as (client, runtime):
        for _ in range(400):  # the background startup: memory stores, a few milliseconds
            if runtime.started:
                break
            await asyncio.sleep(0.01)
        assert (await client.get("/startupz")).json() == {"status": "started", "loading": []}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "degraded", "checks": {"redis": "down", "catalog": "ok"}, "down": ["redis"]}
        body = (await client.post("/graphql", json={"query": "{ products(first: 1) { totalCount } }"})).json()
        assert body == {"data": {"products": {"totalCount": 0}}}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_startup_stops_a_real_server() -> None:
    port = free_port()
    with silent_mongodb() as url:
        env = {
            **os.environ,
            "VITRINE_MONGODB_URL": url,
            "VITRINE_STORE_TIMEOUT_MS": "60000",  # the startup would wait a minute for MongoDB
            "VITRINE_REDIS_URL": "memory://",
            "VITRINE_LOG_LEVEL": "INFO",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            alive = False
            for _ in range(600):  # importing the app takes a few seconds on a busy machine
                try:
                    alive = httpx.get(f"{base}/healthz", timeout=1).status_code == 200
                except httpx.TransportError:
                    alive = False
                if alive or server.poll() is not None:
                    break
                time.sleep(0.1)
            assert alive, server.communicate(timeout=10)[0]
            assert httpx.get(f"{base}/startupz", timeout=5).status_code == 503
            assert httpx.get(f"{base}/readyz", timeout=5).status_code == 503

            server.send_signal(signal.SIGTERM)
            output, _ = server.communicate(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
                server.communicate()
    # A graceful shutdown; uvicorn then re-raises the signal it caught, so the status may say SIGTERM.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output and "Finished server process" in output
