"""Three gateway instances and three workers on one Redis and one MongoDB.

The instances are three complete runtimes in this process (each with its own clients, its own
slot snapshot, catalogue mirror and caches; they share only what the stores share); the
workers are real `python -m gateway worker` processes, so one can be killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import orjson
import pytest

import gateway.runtime
from gateway.app import create_app
from gateway.execution.persisted.documents import sha256_hex
from gateway.settings import Settings
from gateway.testing.asgi import with_state
from gateway.testing.servers import free_port
from gateway.triggers.values import DeliveryStatus
from tests.support.appclient import HOME_PAGE_PRODUCTS, Gateway
from tests.support.factories import BRANDS, CATEGORIES, product
from tests.support.identity_helpers import TRACK, new_device
from tests.support.slot_fixtures import HERO

on_real_servers = pytest.mark.parametrize("backend", ["real"])
ROOT = Path(__file__).resolve().parent.parent.parent
SECRET = "many-instances-webhook-secret-0123456789"


@asynccontextmanager
async def instance(settings: Settings) -> AsyncIterator[Gateway]:
    """One gateway instance with its background jobs running, as `serve` runs it."""
    app = create_app(settings, background=True, freeze_gc=False)
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=with_state(app, state))
        async with httpx.AsyncClient(transport=transport, base_url="http://vitrine.test") as client:
            # Traffic comes once the startup probe says so (/startupz): the steps run in the background.
            async with asyncio.timeout(60):
                while (await client.get("/startupz")).status_code != 200:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            yield Gateway(app, client)


@pytest.fixture
async def three(backend_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[Gateway]]:
    monkeypatch.setattr(gateway.runtime, "CATALOG_REFRESH_SECONDS", 0.5)  # 10 s in production
    settings = replace(backend_settings, workers_in_process=False, rate_limit_ip_per_minute=7)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(instance(settings))
        await first.runtime.stores.catalog.upsert(HOME_PAGE_PRODUCTS, BRANDS, CATEGORIES)
        gateways = [first] + [await stack.enter_async_context(instance(settings)) for _ in range(2)]
        for gw in gateways:
            await gw.runtime.services.catalog.refresh()
        yield gateways


async def until(check: object, within: float, what: str) -> float:
    """Seconds until `check()` is true (polled every 10 ms); fails after `within` seconds."""
    start = time.monotonic()
    while not await check():  # type: ignore[operator]
        if time.monotonic() - start > within:
            raise AssertionError(f"{what}: not within {within} s")
        await asyncio.sleep(0.01)
    return time.monotonic() - start


@on_real_servers
async def test_a_slot_release_reaches_every_instance_within_a_second(three: list[Gateway]) -> None:
    editor = three[0].runtime.services.slot_definitions
    await editor.put("slots", HERO, "editor")
    before = [gw.runtime.services.slot_definitions.snapshot.version for gw in three]
    release = await editor.publish("hero", "editor")
    assert release.version > max(before)

    async def everywhere() -> bool:
        return all(gw.runtime.services.slot_definitions.snapshot.version == release.version for gw in three)

    # Through Redis pub/sub: the poll that backs it up runs only every 5 s.
    assert await until(everywhere, 1.0, "release on every instance") <= 1.0


@on_real_servers
async def test_a_catalogue_import_reaches_every_instance_mirror(three: list[Gateway]) -> None:
    await three[1].runtime.stores.catalog.upsert([product(77, price="77.00")], BRANDS, CATEGORIES)

    async def everywhere() -> bool:
        found = [await gw.runtime.services.catalog.get_raw([product(77).id]) for gw in three]
        return all(f[0] is not None for f in found) and all(gw.runtime.services.catalog.mirrored for gw in three)

    await until(everywhere, 10.0, "the imported product in every mirror")
    query = '{ product(id: "p-00077") { id price { amount } } }'
    for gw in three:
        assert (await gw.gql(query))["data"]["product"] == {"id": "p-00077", "price": {"amount": "77.00"}}


@on_real_servers
async def test_persisted_queries_and_rate_limits_are_shared(three: list[Gateway]) -> None:
    doc = 'query Two { product(id: "p-00002") { id } }'
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(doc)}}
    registered = await three[0].client.post("/graphql", json={"query": doc, "extensions": apq})
    assert registered.json()["data"]["product"] == {"id": "p-00002"}
    for gw in three[1:]:  # the other instances know it by its hash alone
        assert (await gw.client.post("/graphql", json={"extensions": apq})).json()["data"]["product"]["id"] == "p-00002"
    # 7 requests per minute per address, counted across the instances (3 were spent above).
    statuses = [
        (await three[n % 3].client.post("/graphql", json={"query": "{ __typename }"})).status_code for n in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]


# --- workers ---------------------------------------------------------------------------------


@dataclass
class SlowReceiver:
    """A webhook receiver that takes `hold` seconds to answer each request, so deliveries are in flight."""

    port: int
    hold: float
    keys: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))  # answered requests
    arrivals: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # every request, answered or not
    in_flight: int = 0
    broken: int = 0  # requests cut off while being sent
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                await reader.readline()
                headers: dict[str, str] = {}
                while (line := (await reader.readline()).decode()) not in ("\r\n", "\n", ""):
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
            except (ConnectionError, asyncio.IncompleteReadError):
                self.broken += 1  # the sender died while sending
                return
            key = headers.get("idempotency-key")
            if key is None:
                self.broken += 1
                return
            self.arrivals[key] += 1
            self.in_flight += 1
            self.arrived.set()
            await asyncio.sleep(self.hold)  # "processing"; the receiver keeps what it processed
            self.in_flight -= 1
            self.keys[key].append(body)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            with contextlib.suppress(ConnectionError):  # the sender died waiting for the answer
                await writer.drain()
        finally:
            writer.close()


def worker_env(settings: Settings, hook_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "VITRINE_MONGODB_URL": settings.mongodb_url,
        "VITRINE_MONGODB_DATABASE": settings.mongodb_database,
        "VITRINE_REDIS_URL": settings.redis_url,
        "VITRINE_REDIS_PREFIX": settings.redis_prefix,
        "VITRINE_DEMO_DATA": "false",
        "VITRINE_LOG_LEVEL": "WARNING",
        "VITRINE_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/hooks",
        "VITRINE_WEBHOOK_SECRET": SECRET,
        "VITRINE_TRIGGER_ABANDONED_CART_MINUTES": "0.01",
        "VITRINE_TRIGGER_HOLDOUT_PERCENT": "0",
        "VITRINE_WEBHOOK_CLAIM_SECONDS": "2",  # what a dead worker holds is retried after 2 s
        "VITRINE_TRIGGER_CLAIM_SECONDS": "2",
    }


def spawn_workers(env: dict[str, str], n: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            # No probe port: three workers on one host would all ask for the default (9100).
            [sys.executable, "-m", "gateway", "worker", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(n)
    ]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(15)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait(5)


def connected_to(pids: list[int], port: int) -> int | None:
    """The worker process with an open TCP connection to `port` on loopback (Linux /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if int(parts[2].split(":")[1], 16) == port and parts[3] == "01":  # ESTABLISHED to the receiver
            inodes.add(parts[9])
    for pid in pids:
        try:
            fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if any(link == f"socket:[{inode}]" for link in fds for inode in inodes):
            return pid
    return None


@on_real_servers
async def test_with_a_worker_killed_mid_delivery_every_trigger_arrives_once_per_key(
    backend_settings: Settings,
) -> None:
    hook_port = free_port()
    settings = replace(
        backend_settings,
        workers_in_process=False,
        webhook_url=f"http://127.0.0.1:{hook_port}/hooks",
        webhook_secret=SECRET,
        trigger_abandoned_cart_minutes=0.01,
        trigger_holdout_percent=0.0,
    )
    receiver = SlowReceiver(hook_port, hold=0.4)
    await receiver.start()
    workers: list[subprocess.Popen[bytes]] = []
    try:
        async with AsyncExitStack() as stack:
            first = await stack.enter_async_context(instance(settings))
            await first.runtime.stores.catalog.upsert(HOME_PAGE_PRODUCTS, BRANDS, CATEGORIES)
            gateways = [first] + [await stack.enter_async_context(instance(settings)) for _ in range(2)]
            for gw in gateways:
                await gw.runtime.services.catalog.refresh()
            shoppers = [await new_device(gateways[i % 3]) for i in range(12)]
            for i, shopper in enumerate(shoppers):  # twelve abandoned carts, one timer each
                add = {"messageId": f"a{i}", "name": "Product Added", "properties": {"product_id": "p-00001"}}
                assert (await shopper.gql(TRACK, {"events": [add]}))["track"]["accepted"] == 1
            await asyncio.sleep(1.0)  # the carts are abandoned (0.6 s)

            workers += spawn_workers(worker_env(settings, hook_port), 3)
            await asyncio.wait_for(receiver.arrived.wait(), 60)
            victim = None
            for _ in range(200):  # find the worker whose request the receiver is holding
                victim = connected_to([w.pid for w in workers], hook_port)
                if victim is not None:
                    break
                await asyncio.sleep(0.01)
            assert victim is not None, "no worker was delivering"
            os.kill(victim, signal.SIGKILL)

            outbox = first.runtime.stores.triggers.outbox

            async def all_delivered() -> bool:
                done = await outbox.find(status=DeliveryStatus.DELIVERED)
                return len(done) == len(shoppers) and len(receiver.keys) == len(shoppers)

            await until(all_delivered, 60.0, "every delivery made")
            timers = first.runtime.stores.triggers.timers
            assert await timers.claim_due(time_now(), "check", 1, 100) == []  # none left to fire
            deliveries = await outbox.find(limit=1000)
    finally:
        await asyncio.to_thread(stop_workers, workers)
        await receiver.stop()

    # Each timer fired once: one delivery (one idempotency key) per abandoned cart ...
    assert sorted(d.profile_id for d in deliveries) == sorted(s.visitor_id for s in shoppers)
    assert {d.rule for d in deliveries} == {"abandoned_cart"}  # the default rule of the trigger
    # ... and each key reached the receiver with one payload; a repeat (the killed worker's
    # request, sent again by another) carries the same key and body, so the receiver drops it.
    assert set(receiver.keys) == {d.id for d in deliveries}
    for bodies in receiver.keys.values():
        assert len({orjson.loads(b)["id"] for b in bodies}) == 1 and len(set(bodies)) == 1
    assert any(w.returncode == -signal.SIGKILL for w in workers)
    # The kill hit a delivery: its request was cut off while being sent, or answered too late
    # for the dead worker; either way another worker sent it again, with the same key.
    assert receiver.broken or max(receiver.arrivals.values()) >= 2


def time_now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)
