"""The federation subgraph surface served directly: `_service { sdl }` and `_entities`."""

from __future__ import annotations

from pathlib import Path

from tests.support.appclient import Gateway

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
