"""Shared fixtures: real servers for the whole session, stores parametrized over backends.

The real Redis and MongoDB-protocol servers start once per test session on free loopback
ports and stop at the end, unless VITRINE_TEST_REDIS_URL / VITRINE_TEST_MONGODB_URL point
at servers you run yourself. Every test gets its own database name and key prefix.

A Redis Cluster of three masters (the same redis-server binary in cluster mode) starts once,
the first time a test asks for it (or VITRINE_TEST_REDIS_CLUSTER_URL names one): the contracts
of Redis-backed stores run on it too, with `pytestmark = REDIS_BACKENDS` ("cluster" beside
"memory" and "real").
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack

import pytest

from gateway.settings import Settings
from gateway.testing.servers import ClusterHandle, start_mongo, start_redis, start_redis_cluster
from gateway.testing.store_calls import StoreCalls
from tests.support.settings import make_settings


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    external = os.environ.get("VITRINE_TEST_REDIS_URL")
    if external:
        yield external
        return
    server = start_redis()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    external = os.environ.get("VITRINE_TEST_MONGODB_URL")
    if external:
        yield external
        return
    server = start_mongo()
    try:
        yield server.url
    finally:
        server.stop()


# Redis-backed contract suites run on memory, one Redis server and a Redis Cluster.
REDIS_BACKENDS = pytest.mark.parametrize("backend", ["memory", "real", "cluster"])


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[ClusterHandle | None]:
    """The session's 3-master cluster (None when VITRINE_TEST_REDIS_CLUSTER_URL names an outside one)."""
    if os.environ.get("VITRINE_TEST_REDIS_CLUSTER_URL"):
        yield None
        return
    cluster = start_redis_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def redis_cluster_url(request: pytest.FixtureRequest) -> str:
    external = os.environ.get("VITRINE_TEST_REDIS_CLUSTER_URL")
    if external:
        return external
    cluster: ClusterHandle = request.getfixturevalue("redis_cluster")
    return cluster.url


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture(params=["memory", "real"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend_settings(backend: str, request: pytest.FixtureRequest, unique: str) -> Settings:
    """Settings for the parametrized backend: all memory, or real MongoDB + Redis (one server or a cluster)."""
    if backend == "memory":
        return make_settings()
    mongo = request.getfixturevalue("mongodb_url")
    redis = request.getfixturevalue("redis_cluster_url" if backend == "cluster" else "redis_url")
    return make_settings(mongo, redis, mongodb_database=f"t_{unique}", redis_prefix=f"t{unique}:")


@pytest.fixture
async def stores(backend_settings: Settings) -> AsyncIterator[object]:
    from gateway.wiring import connect

    async with AsyncExitStack() as stack:
        yield await connect(backend_settings, stack)


@pytest.fixture
async def gateway(backend_settings: Settings) -> AsyncIterator[object]:
    from tests.support.appclient import running_gateway

    async with running_gateway(backend_settings) as gw:
        yield gw


@pytest.fixture
def store_calls() -> Iterator[StoreCalls]:
    """MongoDB commands and Redis round trips, counted at the clients: `with store_calls.measure() as t:`.

    Request it before opening a gateway: MongoDB clients created earlier are not seen.
    """
    with StoreCalls() as calls:
        yield calls
