"""The federation subgraph surface served directly: `_service { sdl }` and `_entities`, in
owning mode (the default) and contributing mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

SCHEMA = Path(__file__).parent.parent.parent / "schema.graphql"


async def test_service_sdl_is_the_published_contract(gateway: Gateway) -> None:
    body = await gateway.gql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]
    assert '@link(url: "https://specs.apollo.dev/federation/v2.9"' in sdl
    assert 'type Product @key(fields: "id")' in sdl
    assert sdl.strip() == SCHEMA.read_text().strip()


async def test_entities_resolve_products_by_reference_in_one_batch(gateway: Gateway) -> None:
    calls_before = gateway.runtime.services.catalog.store_calls
    body = await gateway.gql(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name brand { name } } } }",
        {"r": [{"__typename": "Product", "id": i} for i in ("p-00002", "nope", "p-00007")]},
    )
    assert "errors" not in body, body
    assert body["data"]["_entities"] == [
        {"id": "p-00002", "name": "Trail runner 2", "brand": {"name": "Nordvik"}},
        None,
        {"id": "p-00007", "name": "Trail runner 7", "brand": {"name": "Nordvik"}},
    ]
    # Mirrored catalogue: no store calls at all; otherwise one batch for products, one for brands.
    assert gateway.runtime.services.catalog.store_calls - calls_before <= 2


CONTRIBUTING_SCHEMA = SCHEMA.parent / "schema-contributing.graphql"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }"


@pytest.fixture
async def contributing() -> AsyncIterator[Gateway]:
    # No mirror: every catalogue read would be a store call, so a test can see there are none.
    settings = make_settings(federation_mode="contributing", catalog_preload_max=0)
    async with running_gateway(settings) as gw:
        yield gw


async def test_contributing_service_sdl_is_its_published_contract(contributing: Gateway) -> None:
    body = await contributing.gql("{ _service { sdl } }")
    assert body["data"]["_service"]["sdl"].strip() == CONTRIBUTING_SCHEMA.read_text().strip()


async def test_contributing_entities_resolve_from_ids_alone(contributing: Gateway) -> None:
    calls_before = contributing.runtime.services.catalog.store_calls
    body = await contributing.gql(ENTITIES, {"r": [{"__typename": "Product", "id": i} for i in ("p-00002", "nope")]})
    assert body == {"data": {"_entities": [{"id": "p-00002"}, {"id": "nope"}]}}
    assert contributing.runtime.services.catalog.store_calls == calls_before

    # A product Vitrine never imported still gets its personal fields: the fallback chain.
    body = await contributing.gql(
        """query($r: [_Any!]!) { _entities(representations: $r) { ... on Product {
             recommendations(strategy: ALSO_VIEWED, first: 2) { strategy items { product { id } } }
             similar(first: 1) { fallbacks { step } } } } }""",
        {"r": [{"__typename": "Product", "id": "p-99999"}]},
    )
    assert "errors" not in body, body
    (entity,) = body["data"]["_entities"]
    assert entity["recommendations"]["strategy"] == "ALSO_VIEWED"
    assert len(entity["recommendations"]["items"]) == 2
    assert entity["similar"]["fallbacks"][-1]["step"] == "CATALOGUE"


async def test_contributing_entities_report_a_bad_representation_at_its_index(contributing: Gateway) -> None:
    body = await contributing.gql(
        ENTITIES, {"r": [{"__typename": "Product"}, {"__typename": "Product", "id": "p-00001"}, {"__typename": "X"}]}
    )
    assert body["data"] == {"_entities": [None, {"id": "p-00001"}, None]}
    first, third = sorted(body["errors"], key=lambda e: e["path"])
    assert first["path"] == ["_entities", 0] and first["extensions"]["code"] == "BAD_USER_INPUT"
    assert third["path"] == ["_entities", 2] and third["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'X' is not an entity of this subgraph" in third["message"]


async def test_contributing_mode_leaves_catalogue_roots_to_the_owner(contributing: Gateway) -> None:
    body = await contributing.gql('{ product(id: "p-00001") { id } }')
    assert "Cannot query field 'product' on type 'Query'" in body["errors"][0]["message"]
