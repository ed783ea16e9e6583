"""`python -m gateway serve` as a real process on a free loopback port, for tests of what only a
real server does (signals, slow clients)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.testing.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class GatewayProcess:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def exits_within(self, seconds: float) -> float | None:
        """Seconds until the process exited, or None if it still runs after `seconds`."""
        started = time.monotonic()
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return None
        return time.monotonic() - started


@contextmanager
def gateway_process(**env: str) -> Iterator[GatewayProcess]:
    """The gateway with memory stores, no demo data and `env` (VITRINE_* variables) on top."""
    port = free_port()
    environment = {
        **os.environ,
        "VITRINE_DEMO_DATA": "false",
        "VITRINE_SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnop",
        "VITRINE_LOG_LEVEL": "WARNING",
        **env,
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the process is gone)
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle = GatewayProcess(process, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the gateway exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{handle.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the gateway did not answer /healthz within 60 s")
            time.sleep(0.1)
        yield handle
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        log.close()
