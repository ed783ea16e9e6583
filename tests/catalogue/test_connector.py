"""Standalone mode: products from a commerce backend through the HTTP connector.

The backend is a real HTTP server on a loopback port (tests/support/upstream.py) with its own field
names and a bearer token; the gateway runs in process with VITRINE_CATALOG_URL pointing at it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from gateway.catalogue.connectors.catalog_store import ConnectorCatalogStore
from gateway.catalogue.connectors.http import HttpCommerceConnector, open_http_client
from gateway.catalogue.connectors.mapping import FieldMap
from gateway.catalogue.connectors.protocol import ConnectorUnavailable
from gateway.catalogue.values import ProductId
from tests.support.appclient import Gateway, running_gateway
from tests.support.asgiserver import serve_asgi
from tests.support.settings import make_settings
from tests.support.upstream import FIELD_MAP, TOKEN, Upstream

PAIR = (
    '{ a: product(id: "p-00003") { name } b: product(id: "p-00002") { name brand { name } } '
    'c: product(id: "p-00003") { sku } }'
)


@pytest.fixture
def upstream() -> Iterator[tuple[Upstream, str]]:
    backend = Upstream()
    with serve_asgi(backend.app()) as url:
        yield backend, f"{url}/api"


@asynccontextmanager
async def standalone(base_url: str, **overrides: Any) -> AsyncIterator[Gateway]:
    settings = make_settings(
        catalog_url=base_url,
        catalog_auth_header=f"Authorization: {TOKEN}",
        catalog_field_map=tuple(FIELD_MAP.items()),
        **overrides,
    )
    async with running_gateway(settings, products=()) as gw:
        yield gw


def connector_of(gw: Gateway) -> HttpCommerceConnector:
    store = gw.runtime.stores.catalog
    assert isinstance(store, ConnectorCatalogStore) and isinstance(store.connector, HttpCommerceConnector)
    return store.connector


def code_and_message(body: dict[str, Any]) -> tuple[str, str]:
    error = body["errors"][0]
    return error["extensions"]["code"], error["message"]


async def test_reads_are_mapped_batched_deduplicated_and_cached(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with standalone(url) as gw:
        body = await gw.gql(PAIR)
        assert body == {
            "data": {
                "a": {"name": "Trail runner 3"},
                "b": {"name": "Trail runner 2", "brand": {"name": "Nordvik"}},
                "c": {"sku": "SKU-00003"},
            }
        }
        # One request for both products (the duplicate id asked for once), one for the brand.
        assert backend.calls("products", "ids") == [{"ids": "p-00003,p-00002"}]
        assert backend.calls("brands") == [{"ids": "b-nordvik"}]
        # Within the cache TTL the same page costs the backend nothing.
        before = len(backend.log)
        assert await gw.gql(PAIR) == body
        assert len(backend.log) == before
        # Unknown ids are answered null (and cached as misses).
        missing = await gw.gql('{ product(id: "p-99999") { name } }')
        assert missing == {"data": {"product": None}}


async def test_filters_and_pages_go_to_the_backend_listing(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with standalone(url) as gw:
        body = await gw.gql(
            '{ products(filter: {search: "runner 1", inStock: true}, sort: PRICE_DESC, first: 2) '
            "{ totalCount nodes { id price { amount currency } } } }"
        )
        page = body["data"]["products"]
        assert page["totalCount"] == 10  # "runner 1" matches 1, 10-19; p-00010 is out of stock
        assert page["nodes"] == [
            {"id": "p-00019", "price": {"amount": "69.00", "currency": "PLN"}},
            {"id": "p-00018", "price": {"amount": "68.00", "currency": "PLN"}},
        ]
        (listing,) = [q for q in backend.calls("products") if q.get("q")]
        assert listing == {
            "q": "runner 1",
            "in_stock": "true",
            "sort": "price_desc",
            "locale": "en",
            "offset": "0",
            "limit": "2",
        }
        # Listed records fill the cache: the page's products needed no second request.
        assert backend.calls("products", "ids") == []


async def test_slow_backend_times_out_as_a_typed_error(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with standalone(url, catalog_timeout_ms=200) as gw:
        backend.mode = "slow"
        response = await gw.client.post("/graphql", json={"query": '{ product(id: "p-00003") { name } }'})
        assert response.status_code == 200
        body = response.json()
        assert body["data"] == {"product": None}
        code, message = code_and_message(body)
        assert code == "STORE_UNAVAILABLE" and "timeout" in message
        backend.mode = "ok"
        assert (await gw.gql('{ product(id: "p-00003") { name } }'))["data"]["product"]["name"] == "Trail runner 3"


async def test_failures_open_the_circuit_and_it_recovers(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with standalone(url) as gw:
        connector = connector_of(gw)
        connector.breaker.cooldown = 0.3
        backend.mode = "fail"
        for n in range(3, 3 + connector.breaker.threshold):
            body = await gw.gql(f'{{ product(id: "p-{n:05d}") {{ name }} }}')
            assert code_and_message(body)[0] == "STORE_UNAVAILABLE" and "http_status" in body["errors"][0]["message"]
        calls = len(backend.log)
        body = await gw.gql('{ product(id: "p-00015") { name } }')
        assert "circuit_open" in code_and_message(body)[1]
        assert len(backend.log) == calls  # failed fast, the backend was not called
        backend.mode = "ok"
        await asyncio.sleep(0.35)
        body = await gw.gql('{ product(id: "p-00015") { name } }')
        assert body == {"data": {"product": {"name": "Trail runner 15"}}}
        assert connector.breaker.state == "closed"


@pytest.mark.parametrize("mode", ["malformed_json", "wrong_shape"])
async def test_malformed_answers_are_typed_errors(upstream: tuple[Upstream, str], mode: str) -> None:
    backend, url = upstream
    async with standalone(url) as gw:
        backend.mode = mode
        response = await gw.client.post("/graphql", json={"query": '{ product(id: "p-00004") { name } }'})
        assert response.status_code == 200
        code, message = code_and_message(response.json())
        assert code == "STORE_UNAVAILABLE" and "malformed" in message


async def test_one_bad_record_does_not_spoil_the_batch(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with standalone(url) as gw:
        backend.mode = "bad_record"  # the first record of each answer has no price
        body = await gw.gql('{ a: product(id: "p-00005") { name } b: product(id: "p-00006") { name } }')
        assert body == {"data": {"a": None, "b": {"name": "Trail runner 6"}}}


async def test_wrong_credentials_are_a_typed_error(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    settings = make_settings(catalog_url=url, catalog_auth_header="Authorization: Bearer wrong")
    async with running_gateway(settings, products=()) as gw:
        body = await gw.gql('{ product(id: "p-00001") { name } }')
        assert code_and_message(body) == (
            "STORE_UNAVAILABLE",
            "commerce backend unavailable during get_products: http_status (HTTP 401)",
        )


async def test_concurrent_identical_fetches_share_one_request(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    backend.mode, backend.delay = "slow", 0.2
    async with open_http_client(url, f"Authorization: {TOKEN}") as client:
        connector = HttpCommerceConnector(client, field_map=FieldMap(FIELD_MAP))
        ids = [ProductId("p-00007"), ProductId("p-00008")]
        first, second = await asyncio.gather(connector.get_products(ids), connector.get_products(ids[::-1]))
        assert [p.id for p in first if p] == ids and [p.id for p in second if p] == ids[::-1]
        assert len(backend.calls("products", "ids")) == 1 and connector.requests == 1


async def test_connection_refused_is_a_typed_error() -> None:
    from gateway.testing.servers import free_port

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}/") as client:
        connector = HttpCommerceConnector(client)
        with pytest.raises(ConnectorUnavailable) as caught:
            await connector.get_products([ProductId("p-00001")])
        assert caught.value.reason == "connect" and caught.value.code.value == "STORE_UNAVAILABLE"


def test_field_map_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match="unknown fields"):
        FieldMap({"title": "name"})
    assert json.dumps(FIELD_MAP)
