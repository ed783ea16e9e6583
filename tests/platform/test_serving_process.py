"""What only a real serving process shows: slow clients are cut off, and SIGTERM always ends it.

Each test runs `python -m gateway serve` (uvicorn, httptools with the header timeout, the exit
guard) on a free loopback port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import httpx

from tests.execution.test_query_limits import fragment_bomb
from tests.support.gateway_process import gateway_process

SLOW_CLIENT = {"VITRINE_HEADER_TIMEOUT_SECONDS": "0.5", "VITRINE_BODY_TIMEOUT_SECONDS": "0.5"}


def half_sent(port: int, data: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(data)
    return sock


def answer(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_slow_or_huge_headers_and_slow_bodies_are_cut_off() -> None:
    with gateway_process(**SLOW_CLIENT) as gw:
        silent = half_sent(gw.port, b"")
        slow_headers = half_sent(gw.port, b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-")
        slow_body = half_sent(
            gw.port,
            b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
        )
        slow_events = half_sent(
            gw.port,
            b"POST /v1/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[",
        )
        try:  # httptools alone answered 200 to a 10 MB header
            huge = b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-pad: " + b"a" * 1_000_000 + b"\r\n\r\n"
            reply = answer(half_sent(gw.port, huge))
        except ConnectionResetError:  # closed while the rest was still arriving
            reply = b"HTTP/1.1 431 (reset before it could be read)"
        assert reply.startswith(b"HTTP/1.1 431 "), reply[:100]
        started = time.monotonic()
        for sock in (silent, slow_headers):
            assert answer(sock).startswith(b"HTTP/1.1 408 ")  # then closed: recv returned b""
        assert b"did not arrive within 0.5 s" in answer(slow_body).split(b"\r\n\r\n", 1)[1]
        assert answer(slow_events).startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < 5  # generous: each is cut off after 0.5 s
        ok = httpx.post(f"{gw.url}/graphql", json={"query": "{ __typename }"}, timeout=10)
        assert ok.json() == {"data": {"__typename": "Query"}}


def test_sigterm_ends_the_process_within_the_grace_period_whatever_it_is_doing() -> None:
    with gateway_process(VITRINE_SHUTDOWN_GRACE_SECONDS="3", VITRINE_BODY_TIMEOUT_SECONDS="600") as gw:
        bomb = httpx.post(f"{gw.url}/graphql", json={"query": fragment_bomb(30)}, timeout=10)
        assert bomb.status_code == 200 and bomb.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        stuck = half_sent(
            gw.port,
            b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
        )
        time.sleep(0.2)
        gw.process.send_signal(signal.SIGTERM)
        exited = gw.exits_within(3 + 3)
        stuck.close()
        assert exited is not None, "still running 6 s after SIGTERM"


GUARDED_SPIN = textwrap.dedent(
    """
    import signal, sys
    from gateway.exit_guard import install_exit_guard
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))  # like uvicorn: only sets a flag
    install_exit_guard(1.0)
    print("ready", flush=True)
    while True:  # an event loop held by synchronous work: the flag is never read
        pass
    """
)


def test_the_exit_guard_ends_a_process_whose_loop_never_comes_back() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", GUARDED_SPIN], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = process.wait(10)
        assert code == 70 and time.monotonic() - started < 5
        assert process.stderr is not None and b"did not finish within 1 s" in process.stderr.read()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
