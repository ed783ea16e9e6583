"""Owning mode (the default): Vitrine's subgraph owns Product, checked with tools from other teams.

- Composition of Vitrine's `schema.graphql` with a sample products subgraph that adds review
  fields (tests/external/node/products.graphql) succeeds with both @apollo/composition and
  @theguild/federation-composition, offline from files and live from `_service { sdl }`.
- Real gateways (@apollo/gateway on @apollo/server, and Hive Gateway) run cross-subgraph
  queries both ways:
  Vitrine's list -> the products subgraph's review fields, and the products subgraph's list
  -> Vitrine's names, prices and brands (through `_entities`), plus the `track` mutation.
- Through both gateways the visitor id travels both ways as a header: a new client learns it,
  a returning one is answered as itself.

Contributing mode (another subgraph owns Product) is tests/external/test_federation_contributing.py.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gateway.testing.servers import free_port
from tests.support.federation import compose, compose_both, gql, new_visitor, through_gateways
from tests.support.nodetools import NODE_DIR, node_server, requires_node, seed, serving
from tests.support.settings import make_settings

pytestmark = requires_node

SCHEMA = Path(__file__).parent.parent.parent / "schema.graphql"
PRODUCTS_SDL = NODE_DIR / "products.graphql"

# Vitrine's list, joined with the products subgraph's fields.
FORWARD = "{ products(first: 5) { nodes { id name price { amount } rating reviewsCount } } }"
# The products subgraph's list, joined with Vitrine's fields through _entities.
REVERSE = "{ topRated(first: 2) { id rating name price { amount currency } brand { name } } }"


@pytest.mark.parametrize("library", ["apollo", "guild"])
async def test_offline_composition(library: str, tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    assert await compose(library, out, vitrine=SCHEMA, products=PRODUCTS_SDL) == {"ok": True, "errors": []}
    supergraph = out.read_text()
    # Both subgraphs contribute to one Product entity.
    assert 'join__type(graph: VITRINE, key: "id")' in supergraph.replace("'", '"')
    assert 'join__type(graph: PRODUCTS, key: "id")' in supergraph.replace("'", '"')
    assert "reviewsCount: Int!" in supergraph and "topRated" in supergraph


async def test_live_composition_and_gateway_cross_subgraph_queries(tmp_path: Path) -> None:
    products_port = free_port()
    with (
        serving(make_settings(), seed) as vitrine,
        node_server("products-subgraph.mjs", str(products_port), port=products_port),
    ):
        supergraphs = await compose_both(
            tmp_path, vitrine=f"{vitrine}/graphql", products=f"http://127.0.0.1:{products_port}/"
        )
        await through_gateways(supergraphs, check_cross_subgraph_queries)


async def check_cross_subgraph_queries(url: str, gateway: str) -> None:
    async with httpx.AsyncClient(timeout=20) as client:
        forward = await gql(client, url, FORWARD)
        nodes = forward["data"]["products"]["nodes"]
        assert [n["id"] for n in nodes] == [f"p-0000{i}" for i in range(1, 6)]
        assert nodes[1] == {
            "id": "p-00002",
            "name": "Trail runner 2",
            "price": {"amount": "52.00"},
            "rating": 4.6,
            "reviewsCount": 31,
        }
        assert nodes[2]["rating"] is None and nodes[2]["reviewsCount"] == 0

        reverse = await gql(client, url, REVERSE)
        assert reverse["data"]["topRated"] == [
            {
                "id": "p-00004",
                "rating": 4.8,
                "name": "Trail runner 4",
                "price": {"amount": "54.00", "currency": "PLN"},
                "brand": {"name": "Nordvik"},
            },
            {
                "id": "p-00002",
                "rating": 4.6,
                "name": "Trail runner 2",
                "price": {"amount": "52.00", "currency": "PLN"},
                "brand": {"name": "Nordvik"},
            },
        ]

        # A new client learns its visitor id through the gateway; mutations route to Vitrine,
        # and the returning visitor's session answers with Vitrine's product fields.
        visitor = await new_visitor(client, url)
        tracked = await gql(
            client,
            url,
            f'mutation {{ track(events: [{{messageId: "fed-{gateway}", name: "Product Viewed", '
            f'properties: {{product_id: "p-00004"}}}}]) {{ accepted }} }}',
            visitor=visitor,
        )
        assert tracked["data"]["track"]["accepted"] == 1
        session = await gql(
            client, url, "{ viewer { session { recentlyViewed { id name rating } } } }", visitor=visitor
        )
        assert session["data"]["viewer"]["session"]["recentlyViewed"] == [
            {"id": "p-00004", "name": "Trail runner 4", "rating": 4.8}
        ]
