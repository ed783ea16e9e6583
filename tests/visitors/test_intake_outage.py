"""Events accepted through a MongoDB outage: the server hangs (SIGSTOP), dies (SIGKILL) and comes back.

A dedicated MongoDB-protocol server with its data on disk (so a restart keeps what it had
acknowledged as journaled) and the session's Redis. The gateway's connection string asks for
`w=majority&journal=true`, as docs/operations.md recommends: the event log is always written so,
and profile updates must be as durable as the log's "applied" marks, or a crash between the
two could lose an increment the log says was made. Four visitors send batches to `POST /v1/events` the
whole time. Every batch must be answered 200 within a bounded time, and afterwards every
accepted messageId must be in the event log once, applied, and counted once in its profile.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from gateway.kernel import StoreUnavailable
from gateway.testing.servers import ServerHandle, free_port, start_mongo
from gateway.visitors.tokens import COOKIE_NAME
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

VISITORS = 4
BATCH = 5


@dataclass
class Load:
    accepted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # visitor -> messageIds
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    during_outage: int = 0
    outage: bool = False
    stop: bool = False


async def send(gw: Gateway, n: int, load: Load) -> None:
    token: str | None = None
    batch_no = 0
    while not load.stop:
        events = [
            {"messageId": f"c{n}-b{batch_no}-e{i}", "name": "Product Viewed", "properties": {"product_id": "p-00001"}}
            for i in range(BATCH)
        ]
        headers = {"x-vitrine-visitor": token} if token else {}
        start = time.monotonic()
        response = await gw.client.post("/v1/events", json={"events": events}, headers=headers)
        load.latencies.append(time.monotonic() - start)
        load.statuses.append(response.status_code)
        if response.status_code != 200:  # a client retries the same batch later
            await asyncio.sleep(0.05)
            continue
        token = token or response.cookies[COOKIE_NAME]
        visitor = token.split(".")[0]
        for result in response.json()["results"]:
            if result["status"] == "ACCEPTED":
                load.accepted[visitor].add(result["messageId"])
                load.during_outage += load.outage
        gw.client.cookies.clear()
        batch_no += 1
        await asyncio.sleep(0.02)


def signal_group(server: ServerHandle, sig: signal.Signals) -> None:
    os.killpg(server.process.pid, sig)


async def test_events_accepted_while_mongodb_hangs_and_restarts_are_applied_exactly_once(
    redis_url: str, unique: str, tmp_path: Path
) -> None:
    port, data = free_port(), tmp_path / "mongo-data"
    data.mkdir()
    mongo = start_mongo(port, storage_path=str(data))
    settings = make_settings(
        f"{mongo.url}&w=majority&journal=true",
        redis_url,
        mongodb_database=f"t_{unique}",
        redis_prefix=f"t{unique}:",
        store_timeout_ms=500,
        intake_apply_budget_ms=200,
    )
    load = Load()
    try:
        async with running_gateway(settings) as gw:
            senders = [asyncio.create_task(send(gw, n, load)) for n in range(VISITORS)]
            await asyncio.sleep(1.0)
            signal_group(mongo, signal.SIGSTOP)  # MongoDB hangs: connections open, no answers
            load.outage = True
            await asyncio.sleep(2.0)
            signal_group(mongo, signal.SIGKILL)  # ... then dies
            mongo.process.wait(10)
            await asyncio.sleep(0.5)
            mongo = await asyncio.to_thread(start_mongo, port, storage_path=str(data))  # and comes back
            load.outage = False
            await asyncio.sleep(1.0)
            load.stop = True
            await asyncio.gather(*senders)

            assert set(load.statuses) == {200}, load.statuses
            assert load.during_outage > 0  # the outage really took events
            assert max(load.latencies) < 2.5, max(load.latencies)  # bounded: never a wait for MongoDB

            services = gw.runtime.services
            journal, applier = gw.runtime.stores.visitors.journal, services.journal_applier
            assert journal is not None and applier is not None
            deadline = time.monotonic() + 60
            skipped = 0
            while time.monotonic() < deadline:
                # As the background jobs do: a catch-up round that meets a store timeout (the
                # restarted server is slow at first; every wait is bounded by the store timeout
                # and the circuit breaker then fails calls at once for a while) is skipped and run again.
                try:
                    await applier.drain()
                    await services.events.replay_unapplied(older_than_seconds=0)
                    if (await journal.backlog()).events == 0 and await services.events.replay_unapplied(0) == 0:
                        break
                except StoreUnavailable:
                    skipped += 1
                await asyncio.sleep(0.2)
            assert (await journal.backlog()).events == 0
            print(  # for the record (pytest -s): what the outage did to the senders
                f"\n{sum(map(len, load.accepted.values()))} events accepted, {load.during_outage} while MongoDB was "
                f"stopped or dead; {len(load.latencies)} batches, latency max {max(load.latencies) * 1000:.0f} ms, "
                f"median {sorted(load.latencies)[len(load.latencies) // 2] * 1000:.1f} ms; "
                f"{skipped} catch-up rounds skipped on a store timeout"
            )

            profiles = gw.runtime.stores.visitors.profiles
            client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo.url, tz_aware=True)
            try:
                log = client[settings.mongodb_database].events
                for visitor, ids in load.accepted.items():
                    keys = [f"{visitor}:{m}" for m in ids]
                    stored = [d async for d in log.find({"visitor_id": visitor, "_id": {"$in": keys}})]
                    assert len(stored) == len(ids) and all(d["applied"] for d in stored)
                    (profile,) = await profiles.get_many([visitor])  # type: ignore[list-item]
                    assert profile is not None and profile.counters["Product Viewed"] == len(ids), visitor
            finally:
                await client.close()
    finally:
        mongo.stop()


pytestmark = pytest.mark.real
