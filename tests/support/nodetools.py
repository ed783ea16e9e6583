"""Running the Node-based checks: the real gateway on a loopback port, node scripts, skips.

The Node tests (graphql-http audit, federation composition and gateway, Apollo Client and
urql) need Node >= 20 and the pinned packages in tests/external/node (`scripts/test` runs `npm ci`
there). They are skipped, with the reason, only when `node` is missing or too old; with Node
present but the packages missing they fail, telling you the command to run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from tests.support.asgiserver import serve_asgi

NODE_DIR = Path(__file__).parent.parent / "external" / "node"
MIN_NODE_MAJOR = 20


def _node_problem() -> str | None:
    node = shutil.which("node")
    if node is None:
        return "node is not installed (the Node-based GraphQL checks need Node >= 20)"
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
        major = int(version.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return "node --version failed"
    if major < MIN_NODE_MAJOR:
        return f"node {version} is older than {MIN_NODE_MAJOR}"
    return None


NODE_PROBLEM = _node_problem()
requires_node = pytest.mark.skipif(NODE_PROBLEM is not None, reason=NODE_PROBLEM or "")


def ensure_packages() -> None:
    if not (NODE_DIR / "node_modules" / "graphql").is_dir():
        pytest.fail("the Node packages are not installed: run `npm ci` in tests/external/node (scripts/test does it)")


@dataclass
class NodeResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout.strip().splitlines()[-1])


async def run_node(script: str, *args: str, limit_s: float = 120.0) -> NodeResult:
    """Run `node tests/external/node/<script> args...`; killed after `limit_s` seconds."""
    ensure_packages()
    process = await asyncio.create_subprocess_exec(
        "node",
        script,
        *args,
        cwd=NODE_DIR,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), limit_s)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"node {script} did not finish within {limit_s}s") from None
    return NodeResult(process.returncode or 0, out.decode(), err.decode())


@contextmanager
def serving(settings: Settings, prepare: Any = None) -> Iterator[str]:
    """Serve the real app with uvicorn on a free loopback port; yields its base URL.

    `prepare(runtime)` (async), if given, runs inside the server's loop before it is used.
    """
    app = create_app(settings, background=False, freeze_gc=False)

    async def ready() -> None:
        if prepare is not None:
            await prepare(app.state.runtime)

    with serve_asgi(app, ready) as url:
        yield url


async def seed(runtime: Any) -> None:
    """The test catalogue (tests.support.appclient.HOME_PAGE_PRODUCTS), loaded into a running gateway."""
    from tests.support.appclient import HOME_PAGE_PRODUCTS
    from tests.support.factories import BRANDS, CATEGORIES

    await runtime.stores.catalog.upsert(HOME_PAGE_PRODUCTS, BRANDS, CATEGORIES)
    await runtime.services.catalog.refresh()


@contextmanager
def node_server(script: str, *args: str, port: int, limit_s: float = 60.0) -> Iterator[subprocess.Popen[bytes]]:
    """Start a long-running node script that listens on `port`; stopped when the block ends.

    The scripts exit by themselves when their stdin closes, and after 5 minutes at most.
    """
    ensure_packages()
    process = subprocess.Popen(
        ["node", script, *args],
        cwd=NODE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + limit_s
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"node {script} exited with {process.returncode}: {err[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"node {script} did not listen on {port} within {limit_s}s") from None
                time.sleep(0.05)
        yield process
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(2)
        except subprocess.TimeoutExpired:
            # The whole process group: a gateway may have started workers of its own.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        if process.stderr:
            process.stderr.close()
