"""Sharding-ready MongoDB: every query the request path and the workers send names the shard key.

No sharded cluster can run here (no mongod installs on this machine; the test server is one
node), so this checks what a sharded cluster needs from the client side: a pymongo command
listener records every command a realistic scenario sends (events in, pages out, two devices
merged by a login, triggers fired and delivered, the intake journal drained, segments
re-evaluated), and each command on a large collection must name that collection's shard key
(`gateway.platform.sharding.SHARD_KEYS`) with an equality or `$in`, so mongos sends it to the
shards that hold those keys. The few broadcasts by design are listed below with the reason,
the same list as docs/operations.md; any other command without the key fails the test.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from pymongo import monitoring

from gateway.catalogue import ProductId
from gateway.platform.sharding import SHARD_KEYS
from gateway.recommendations import ProductVector, publish_vectors
from gateway.settings import Settings
from gateway.testing.servers import free_port
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, new_device
from tests.support.webhook_receiver import Receiver

on_real_servers = pytest.mark.parametrize("backend", ["real"])
SHARDED = {k.collection: k.field for k in SHARD_KEYS}
PAGE = """{ viewer { visitorId session { cart { itemCount } } profile { counters { name count } } segments { key } }
  recommendations(strategy: FOR_YOU, first: 4) { items { product { id } } } }"""

Filter = dict[str, Any]

# (collection, command, matches, why): broadcasts by design; docs/operations.md lists the same.
BROADCASTS: list[tuple[str, str, Callable[[Filter], bool], str]] = [
    (
        "events",
        "find",
        lambda f: f.get("applied") is False and "received_at" in f,
        "replaying unapplied events: a background scan of the partial `unapplied` index on each shard",
    ),
    (
        "profiles",
        "find",
        lambda f: "merged_into" in f and (set(f) - {"merged_into", "_id"} or isinstance(f.get("_id", {}), dict)),
        "segment re-evaluation and promotion fan-out scan live profiles (range of _id, or an interest/counter)",
    ),
    (
        "trigger_timers",
        "find",
        lambda f: "due_at" in f,
        "due timers: candidates from the due-time index of each shard, each then claimed by its _id",
    ),
    (
        "webhook_outbox",
        "find",
        lambda f: f.get("status") == "pending" and "profile_id" not in f,
        "due deliveries: candidates from each shard, each then claimed by (_id, profile_id)",
    ),
    (
        "product_vectors",
        "find",
        lambda f: set(f) == {"model"},
        "the vector index reads every vector of a model: at start-up and when the vectors change, never per request",
    ),
    (
        "identities",
        "*",
        lambda f: "profile_id" in f,
        "a person's identifiers by profile (merges, webhook payloads, erasure): once per merge or delivery",
    ),
]


@dataclass
class Sent:
    collection: str
    command: str
    filters: list[Filter]  # the filters (or inserted documents) the command carries
    write_concern: dict[str, Any] | None


class Recorder(monitoring.CommandListener):
    def __init__(self) -> None:
        self.database: str | None = None
        self.sent: list[Sent] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name != self.database:
            return
        cmd, name = event.command, event.command_name
        collection = cmd.get(name)
        if not isinstance(collection, str) or collection not in SHARDED:
            return
        filters: list[Filter]
        if name == "insert":
            filters = list(cmd.get("documents", []))
        elif name in ("update", "delete"):
            filters = [s["q"] for s in cmd.get("updates" if name == "update" else "deletes", [])]
        elif name in ("find", "count", "distinct"):
            filters = [cmd.get("filter" if name == "find" else "query") or {}]
        elif name == "findAndModify":
            filters = [cmd.get("query") or {}]
        elif name == "aggregate":
            first = (cmd.get("pipeline") or [{}])[0]
            filters = [first.get("$match", {})]
        else:  # getMore, killCursors, createIndexes, listIndexes: no routing of their own
            return
        self.sent.append(Sent(collection, name, copy.deepcopy(filters), copy.deepcopy(cmd.get("writeConcern"))))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


_RECORDER = Recorder()
monitoring.register(_RECORDER)  # process-wide; it records only while a test names its database


def names_key(f: Filter, field: str) -> bool:
    """The filter pins `field` to values (equality or $in), at the top or in a top-level $and."""
    if field in f:
        value = f[field]
        return not isinstance(value, dict) or set(value) <= {"$in", "$eq"}
    return any(names_key(clause, field) for clause in f.get("$and", []))


def explained(sent: Sent, f: Filter) -> str | None:
    for collection, command, matches, why in BROADCASTS:
        if collection == sent.collection and command in ("*", sent.command) and matches(f):
            return why
    return None


@pytest.fixture
def recorder(backend_settings: Settings) -> Iterator[Recorder]:
    _RECORDER.database, _RECORDER.sent = backend_settings.mongodb_database, []
    try:
        yield _RECORDER
    finally:
        _RECORDER.database = None


@pytest.fixture
async def hooked(backend_settings: Settings, recorder: Recorder) -> AsyncIterator[tuple[Gateway, int]]:
    port = free_port()
    settings = replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{port}/hooks",
        webhook_secret="shard-webhook-secret-0123456789-abcdefgh",
        trigger_holdout_percent=0.0,
    )
    async with running_gateway(settings) as gw:
        yield gw, port


@on_real_servers
async def test_requests_and_workers_name_the_shard_key(hooked: tuple[Gateway, int], recorder: Recorder) -> None:
    gw, port = hooked
    phone, laptop = await new_device(gw), await new_device(gw)
    add = {"messageId": "a1", "name": "Product Added", "properties": {"product_id": "p-00002"}}
    assert (await phone.gql(TRACK, {"events": [add]}))["track"]["accepted"] == 1
    await laptop.view("p-00001", "p-00003")
    await phone.gql(PAGE)
    assert (await phone.identify("c-1"))["accepted"]
    assert (await laptop.identify("c-1"))["accepted"]  # the second device merges into the first
    await laptop.gql(PAGE)

    services = gw.runtime.services
    assert services.webhooks is not None and services.journal_applier is not None
    receiver = Receiver(port)
    await receiver.start()
    try:
        now = datetime.now(UTC)
        assert await services.triggers.fire_due(now + timedelta(minutes=61)) >= 1  # the abandoned cart
        assert await services.webhooks.deliver_due(now + timedelta(minutes=62)) >= 1
    finally:
        await receiver.stop()
    await services.journal_applier.drain()
    await services.events.replay_unapplied(older_than_seconds=0)
    await services.segments.reevaluate_all()
    # An `index` run: vectors written, committed, then loaded by the instance.
    recs = gw.runtime.stores.recommendations
    unit = np.ones(8, dtype=np.float32) / np.sqrt(8)
    await recs.vectors.put([ProductVector(ProductId(f"p-0000{n}"), "shard-test", f"h{n}", unit) for n in (1, 2)])
    await publish_vectors(recs.vectors, recs.graphs, "shard-test", exact_max=100, threads=1)

    unexplained, seen_broadcasts = [], set()
    for sent in recorder.sent:
        for f in sent.filters:
            if names_key(f, SHARDED[sent.collection]):
                continue
            why = explained(sent, f)
            if why is None:
                unexplained.append(f"{sent.command} {sent.collection} {f}")
            else:
                seen_broadcasts.add(why)
    assert unexplained == []
    assert {s.collection for s in recorder.sent} == set(SHARDED)  # the scenario reached every large collection
    assert len(seen_broadcasts) >= 5, seen_broadcasts
    # The event log is written with majority write concern, journaled, whatever the URL says.
    log_writes = [s for s in recorder.sent if s.collection == "events" and s.command in ("insert", "update")]
    assert log_writes and all(s.write_concern == {"w": "majority", "j": True} for s in log_writes)


def test_read_preference_and_write_concern_come_from_the_connection_string() -> None:
    from gateway.platform.mongo import open_client
    from gateway.visitors.stores.mongo_events import MongoEventStore

    url = "mongodb://127.0.0.1:1/?w=2&journal=true&readPreference=secondaryPreferred&readConcernLevel=majority"
    client = open_client(url, 100)  # connects lazily: no server needed to read its options
    db = client["vitrine"]
    assert client.write_concern.document == {"w": 2, "j": True}
    assert client.read_preference.mongos_mode == "secondaryPreferred"
    assert client.read_concern.level == "majority"
    assert db.profiles.write_concern.document == {"w": 2, "j": True}  # stores inherit the URL's choice
    events = MongoEventStore(db)._events  # the event log alone insists on majority, journaled
    assert events.write_concern.document == {"w": "majority", "j": True}
    assert events.read_preference.mongos_mode == "secondaryPreferred"
