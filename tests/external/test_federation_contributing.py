"""Contributing mode: a commerce subgraph owns Product, Vitrine adds what is personal.

The commerce subgraph (tests/external/node/commerce.graphql, commerce-subgraph.mjs) owns names,
prices, brands and stock, with its own `Money` and `Brand` shapes and names that differ from
Vitrine's imported copy of the catalogue, so every answer shows which subgraph resolved it.
Vitrine runs with VITRINE_FEDERATION_MODE=contributing (schema-contributing.graphql).

- Offline and live composition succeed with both @apollo/composition and
  @theguild/federation-composition.
- Through @apollo/gateway and Hive Gateway: a new client learns its visitor id from the
  response header; its personal data joins the owner's fields both ways (Vitrine's session ->
  the owner's names and prices; the owner's list -> Vitrine's lists -> the owner's names); a
  product Vitrine never imported still gets its personal fields; `track` routes to Vitrine.
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

ROOT = Path(__file__).parent.parent.parent
CONTRIBUTING_SDL = ROOT / "schema-contributing.graphql"
COMMERCE_SDL = NODE_DIR / "commerce.graphql"

TRACK_VIEW = """mutation {
  track(events: [{messageId: "federated-view-1", name: "Product Viewed", properties: {product_id: "p-00003"}}]) {
    accepted
    viewer { session { recentlyViewed { id name } } }
  }
}"""
# Vitrine's root, joined with the owner's fields.
SESSION = "{ viewer { session { recentlyViewed { id name price { amount currencyCode } } } } }"
# The owner's root, joined with Vitrine's personal lists, joined again with the owner's names.
OWNER_LIST = """{
  products(first: 2) {
    id name
    recommendations(strategy: RECENTLY_VIEWED, first: 1) { items { product { id name } } }
  }
}"""
# A product only the owner has: Vitrine answers its lists from the fallback chain.
OWNER_ONLY = """{
  product(id: "p-09999") { id name similar(first: 2) { items { product { id name } } fallbacks { step } } }
}"""


@pytest.mark.parametrize("library", ["apollo", "guild"])
async def test_contributing_subgraph_composes_with_a_commerce_owner(library: str, tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    assert await compose(library, out, vitrine=CONTRIBUTING_SDL, commerce=COMMERCE_SDL) == {"ok": True, "errors": []}
    supergraph = " ".join(out.read_text().replace("'", '"').split())
    assert '@join__type(graph: COMMERCE, key: "id") @join__type(graph: VITRINE, key: "id")' in supergraph
    assert "name: String! @join__field(graph: COMMERCE)" in supergraph
    assert "similar(first: Int! = 10): RecommendationList! @join__field(graph: VITRINE)" in supergraph
    # The owner's value types are the only ones: Vitrine's contributing subgraph has no Money or Brand.
    assert "type Money @join__type(graph: COMMERCE) {" in supergraph
    assert "type Brand @join__type(graph: COMMERCE) {" in supergraph


@pytest.mark.parametrize("library", ["apollo", "guild"])
async def test_owning_mode_cannot_compose_with_a_commerce_owner(library: str, tmp_path: Path) -> None:
    # Why contributing mode exists: in owning mode both subgraphs resolve the catalogue fields.
    result = await compose(library, tmp_path / "no.graphql", vitrine=ROOT / "schema.graphql", commerce=COMMERCE_SDL)
    assert result["ok"] is False
    assert any('Non-shareable field "Product.name"' in e for e in result["errors"]), result


async def test_gateways_join_personal_fields_with_the_owners_catalogue(tmp_path: Path) -> None:
    commerce_port = free_port()
    with (
        serving(make_settings(federation_mode="contributing"), seed) as vitrine,
        node_server("commerce-subgraph.mjs", str(commerce_port), port=commerce_port),
    ):
        supergraphs = await compose_both(
            tmp_path, vitrine=f"{vitrine}/graphql", commerce=f"http://127.0.0.1:{commerce_port}/"
        )
        await through_gateways(supergraphs, check_personalized_queries)


async def check_personalized_queries(url: str, _gateway: str) -> None:
    async with httpx.AsyncClient(timeout=20) as client:
        visitor = await new_visitor(client, url)

        tracked = await gql(client, url, TRACK_VIEW, visitor=visitor)
        assert tracked["data"]["track"] == {
            "accepted": 1,
            "viewer": {"session": {"recentlyViewed": [{"id": "p-00003", "name": "Nordvik Trail 3"}]}},
        }

        session = await gql(client, url, SESSION, visitor=visitor)
        assert session["data"]["viewer"]["session"]["recentlyViewed"] == [
            {"id": "p-00003", "name": "Nordvik Trail 3", "price": {"amount": 103.5, "currencyCode": "EUR"}}
        ]

        listed = await gql(client, url, OWNER_LIST, visitor=visitor)
        recent = {"items": [{"product": {"id": "p-00003", "name": "Nordvik Trail 3"}}]}
        assert listed["data"]["products"] == [
            {"id": "p-00001", "name": "Nordvik Trail 1", "recommendations": recent},
            {"id": "p-00002", "name": "Nordvik Trail 2", "recommendations": recent},
        ]

        # A product Vitrine never imported: its list comes from the fallback chain (the product
        # the visitor above viewed is trending), the names from the owner.
        unknown = await gql(client, url, OWNER_ONLY)
        assert unknown["data"]["product"] == {
            "id": "p-09999",
            "name": "Nordvik Trail 9999",
            "similar": {
                "items": [
                    {"product": {"id": "p-00003", "name": "Nordvik Trail 3"}},
                    {"product": {"id": "p-00001", "name": "Nordvik Trail 1"}},
                ],
                "fallbacks": [{"step": "TRENDING"}, {"step": "CATALOGUE"}],
            },
        }
