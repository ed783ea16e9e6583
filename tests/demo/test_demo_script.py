"""`scripts/demo` as a newcomer runs it: the console's address and an admin key that works, a
demo ready well within a minute, SIMILAR lists from the first request."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).parents[2]
READY_WITHIN_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_demo(env: dict[str, str], port: int) -> tuple[subprocess.Popen[str], float, list[str]]:
    """Start scripts/demo; answer the process, seconds until /readyz is 200, and the banner lines."""
    started = time.monotonic()
    process = subprocess.Popen(
        ["scripts/demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    while time.monotonic() - started < READY_WITHIN_S * 2:
        if process.poll() is not None:
            out = process.stdout.read() if process.stdout else ""
            pytest.fail(f"scripts/demo exited with {process.returncode}: {out[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    banner: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:  # the banner is printed before the server starts
        banner.append(line.rstrip())
        if line.startswith("Editor console:"):
            break
    return process, elapsed, banner


def stop(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="needs the project's .venv")
def test_the_demo_prints_the_console_and_a_key_that_works() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITRINE_")}
    process, elapsed, banner = run_demo(env, port)
    try:
        text = "\n".join(banner)
        assert f"Editor console:  http://127.0.0.1:{port}/console/" in text
        match = re.search(r"Admin API key:\s+(\S+)\s+\(a new random key for this run", text)
        assert match, text
        key = match.group(1)
        assert elapsed < READY_WITHIN_S, f"the demo took {elapsed:.1f} s to answer /readyz"
        me = httpx.post(
            f"http://127.0.0.1:{port}/admin/graphql",
            json={"query": '{ me { role } experimentResults(key: "promo-copy") { totalExposures } }'},
            headers={"authorization": f"Bearer {key}"},
            timeout=10,
        ).json()
        assert me["data"] == {"me": {"role": "ADMIN"}, "experimentResults": {"totalExposures": 4000}}
        assert httpx.get(f"http://127.0.0.1:{port}/console/", timeout=10).status_code == 200
        similar = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={
                "query": '{ recommendations(strategy: SIMILAR, productId: "p-00002", first: 3) { fallbacks { step } } }'
            },
            timeout=10,
        ).json()
        assert similar["data"]["recommendations"]["fallbacks"] == []  # embeddings from the first request
    finally:
        stop(process)
    # A key given in the environment is used as is (and said so).
    port = free_port()
    given = "given-demo-key-0123456789-abcdefghijklmn"
    process, _, banner = run_demo({**env, "VITRINE_ADMIN_API_KEY": given}, port)
    try:
        assert f"Admin API key:   {given}   (from VITRINE_ADMIN_API_KEY" in "\n".join(banner)
    finally:
        stop(process)


def test_the_demo_refuses_a_production_environment() -> None:
    """The demo prints an admin key and loads demo data: never where VITRINE_ENV says production."""
    env = {**os.environ, "VITRINE_ENV": "production"}
    done = subprocess.run(["scripts/demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "VITRINE_ENV is production" in done.stderr
