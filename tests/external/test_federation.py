"""Vitrine as an Apollo Federation v2 subgraph, checked with tools from other teams.

- Composition of Vitrine's `schema.graphql` with a sample products subgraph
  (tests/external/node/products.graphql) succeeds with both @apollo/composition and
  @theguild/federation-composition, offline from files and live from `_service { sdl }`.
- Real gateways (@apollo/gateway on @apollo/server, and Hive Gateway) run cross-subgraph
  queries both ways:
  Vitrine's list -> the products subgraph's review fields, and the products subgraph's list
  -> Vitrine's names, prices and brands (through `_entities`), plus the `track` mutation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.kernel.visitor import VisitorId
from gateway.testing.servers import free_port
from gateway.visitors.tokens import sign
from tests.support.nodetools import NODE_DIR, node_server, requires_node, run_node, seed, serving
from tests.support.settings import make_settings

pytestmark = requires_node

SCHEMA = Path(__file__).parent.parent.parent / "schema.graphql"
PRODUCTS_SDL = NODE_DIR / "products.graphql"
HIVE = "hive-gateway.mjs"


@pytest.mark.parametrize("library", ["apollo", "guild"])
async def test_offline_composition(library: str, tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    result = await run_node("compose.mjs", library, str(out), f"vitrine={SCHEMA}", f"products={PRODUCTS_SDL}")
    assert result.returncode == 0, result.stderr
    assert result.json() == {"ok": True, "errors": []}
    supergraph = out.read_text()
    # Both subgraphs contribute to one Product entity.
    assert 'join__type(graph: VITRINE, key: "id")' in supergraph.replace("'", '"')
    assert 'join__type(graph: PRODUCTS, key: "id")' in supergraph.replace("'", '"')
    assert "reviewsCount: Int!" in supergraph and "topRated" in supergraph


async def _gql(client: httpx.AsyncClient, url: str, query: str, **kwargs: Any) -> dict[str, Any]:
    response = await client.post(url, json={"query": query, **kwargs})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


async def test_live_composition_and_gateway_cross_subgraph_queries(tmp_path: Path) -> None:
    products_port, gateway_port = free_port(), free_port()
    with (
        serving(make_settings(), seed) as vitrine,
        node_server("products-subgraph.mjs", str(products_port), port=products_port),
    ):
        products = f"http://127.0.0.1:{products_port}/"
        supergraphs = {}
        for library in ("apollo", "guild"):
            out = tmp_path / f"{library}.graphql"
            result = await run_node(
                "compose.mjs", library, str(out), f"vitrine={vitrine}/graphql", f"products={products}"
            )
            assert result.json() == {"ok": True, "errors": []}, result.stderr
            supergraphs[library] = out

        # Each gateway runs on its own vendor's composition.
        with node_server("apollo-gateway.mjs", str(supergraphs["apollo"]), str(gateway_port), port=gateway_port):
            await check_cross_subgraph_queries(f"http://127.0.0.1:{gateway_port}/", "fed-apollo")
            # The gateway forwards the visitor header: Vitrine answers for that visitor.
            token = sign(VisitorId("v_federatedvisitoraaaaaa"), make_settings().secret_keys)
            async with httpx.AsyncClient(timeout=20) as client:
                response = await client.post(
                    f"http://127.0.0.1:{gateway_port}/",
                    json={"query": "{ viewer { visitorId } }"},
                    headers={"x-vitrine-visitor": token},
                )
            assert response.json() == {"data": {"viewer": {"visitorId": "v_federatedvisitoraaaaaa"}}}
        hive_port = free_port()
        hive_args = ("supergraph", str(supergraphs["guild"]), "--host", "127.0.0.1", "--port", str(hive_port))
        with node_server(HIVE, *hive_args, port=hive_port):
            await check_cross_subgraph_queries(f"http://127.0.0.1:{hive_port}/graphql", "fed-hive")


async def check_cross_subgraph_queries(url: str, message_id: str) -> None:
    async with httpx.AsyncClient(timeout=20) as client:
        # Vitrine's root list, joined with the products subgraph's review fields.
        forward = await _gql(
            client, url, "{ products(first: 5) { nodes { id name price { amount } rating reviewsCount } } }"
        )
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

        # The products subgraph's root list, joined with Vitrine's entity fields.
        reverse = await _gql(
            client, url, "{ topRated(first: 2) { id rating name price { amount currency } brand { name } } }"
        )
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

        # Mutations route to Vitrine.
        tracked = await _gql(
            client,
            url,
            f'mutation {{ track(events: [{{messageId: "{message_id}", name: "Product Viewed", '
            f'properties: {{product_id: "p-00004"}}}}]) '
            f"{{ accepted viewer {{ session {{ recentlyViewed {{ id }} }} }} }} }}",
        )
        assert tracked["data"]["track"]["accepted"] == 1
        assert tracked["data"]["track"]["viewer"]["session"]["recentlyViewed"] == [{"id": "p-00004"}]
