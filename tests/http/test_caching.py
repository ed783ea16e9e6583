"""CDNs may cache hashed GETs that read only the catalogue; nothing personal is ever shared.

docs/clients.md says hashed (APQ / trusted) GETs are CDN-cacheable. They used to carry the
visitor's `Set-Cookie` and no `Cache-Control` or `Vary`, so a CDN would either not cache them or
hand one visitor's id to everyone. Now a hashed GET whose document selects only catalogue fields
answers `Cache-Control: public` with `Vary` and no cookie; anything personal, any POST, any
error answers `private, no-store`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from gateway.execution.persisted.documents import sha256_hex
from gateway.http.caching import VARY, catalogue_fields
from gateway.settings import Settings
from gateway.visitors import COOKIE_NAME
from resolvers.schema import build_schema
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

ACCEPT = {"accept": "application/graphql-response+json"}
CATALOGUE = """query Listing($first: Int!) {
  products(first: $first, filter: {category: "c-running"}) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name price { amount currency } brand { name } categories { id path { slug } } ...Pictures }
  }
  categories { id name children { id } }
}
fragment Pictures on Product { images { url alt } __typename }"""
PERSONAL = {
    "viewer": "{ viewer { visitorId } }",
    "slots": '{ slot(key: "home-hero") { __typename } }',
    "recommendations": "{ recommendations(strategy: TRENDING) { items { product { id } } } }",
    "a product's recommendations": '{ product(id: "p-00001") { id similar { items { product { id } } } } }',
    "a fragment reading the visitor": '{ product(id: "p-00001") { ...Mine } } '
    "fragment Mine on Product { id recommendations(strategy: SIMILAR) { items { product { id } } } }",
    "viewer beside the catalogue": '{ product(id: "p-00001") { id } viewer { visitorId } }',
}


def pq(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(document)}}


async def register(gw: Gateway, document: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    """The APQ round trip a client makes once: the text with its hash, by POST."""
    body = {"query": document, "variables": variables or {}, "extensions": pq(document)}
    response = await gw.client.post("/graphql", json=body, headers=ACCEPT)
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response


async def hashed_get(
    gw: Gateway, document: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    gw.client.cookies.clear()  # a CDN forwards whatever the first visitor sent; here: nothing
    params = {"extensions": json.dumps(pq(document)), "variables": json.dumps(variables or {})}
    return await gw.client.get("/graphql", params=params, headers={**ACCEPT, **headers})


def assert_private(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "private, no-store", response.headers


async def test_a_hashed_get_of_catalogue_fields_is_public_and_carries_no_visitor(backend_settings: Settings) -> None:
    async with running_gateway(backend_settings) as gw:
        posted = await register(gw, CATALOGUE, {"first": 2})
        assert_private(posted)  # a POST is never shared, and a new visitor gets a cookie there
        assert COOKIE_NAME in posted.cookies
        for locale in ("en", "pl"):
            response = await hashed_get(gw, CATALOGUE, {"first": 2}, **{"x-vitrine-locale": locale})
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            assert response.json()["data"]["products"]["totalCount"] == 40
            assert response.headers["cache-control"] == "public, max-age=60"
            assert response.headers["vary"] == VARY == "Accept, Accept-Language, X-Vitrine-Locale"
            assert "set-cookie" not in response.headers and "x-vitrine-visitor" not in response.headers
        # The same document by its text over GET is not "hashed": not shared.
        gw.client.cookies.clear()
        text_get = await gw.client.get("/graphql", params={"query": CATALOGUE, "variables": '{"first": 2}'})
        assert text_get.status_code == 200
        assert_private(text_get)


async def test_anything_that_reads_the_visitor_or_fails_stays_private(gateway: Gateway) -> None:
    for what, document in PERSONAL.items():
        await register(gateway, document)
        response = await hashed_get(gateway, document)
        assert response.status_code == 200 and "errors" not in response.json(), (what, response.text)
        assert_private(response)
        assert COOKIE_NAME in response.cookies, what  # a new visitor still gets an id
    unknown = await hashed_get(gateway, "{ categories { slug } }")  # never registered
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert_private(unknown)  # a CDN must not keep the retry signal
    failing = '{ product(id: "%s") { id } }' % ("x" * 200)
    await gateway.client.post("/graphql", json={"query": failing, "extensions": pq(failing)}, headers=ACCEPT)
    response = await hashed_get(gateway, failing)
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert_private(response)
    refused = await gateway.client.get("/graphql", params={"query": "mutation { resetVisitor { visitorId } }"})
    assert refused.status_code == 405
    assert_private(refused)


async def test_trusted_documents_are_public_too_unless_turned_off(tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha256_hex(CATALOGUE): CATALOGUE}))
    settings = make_settings(persisted_queries="trusted", trusted_documents=str(manifest))
    async with running_gateway(settings) as gw:
        response = await hashed_get(gw, CATALOGUE, {"first": 1})
        assert response.headers["cache-control"] == "public, max-age=60"
        assert "set-cookie" not in response.headers
    async with running_gateway(replace(settings, public_cache_seconds=0)) as gw:
        assert_private(await hashed_get(gw, CATALOGUE, {"first": 1}))


def test_the_catalogue_fields_are_the_ones_reviewed() -> None:
    """A new field of a catalogue type is public by default: if it reads the visitor, add it to
    PERSONAL_FIELDS in gateway/http/caching.py; either way, list it here."""
    assert sorted(catalogue_fields(build_schema()._schema)) == [
        "Attribute.name",
        "Attribute.value",
        "Brand.id",
        "Brand.name",
        "Brand.slug",
        "Category.children",
        "Category.id",
        "Category.name",
        "Category.parent",
        "Category.path",
        "Category.slug",
        "Image.alt",
        "Image.height",
        "Image.url",
        "Image.width",
        "Money.amount",
        "Money.currency",
        "PageInfo.endCursor",
        "PageInfo.hasNextPage",
        "PageInfo.hasPreviousPage",
        "PageInfo.startCursor",
        "Product.attributes",
        "Product.brand",
        "Product.categories",
        "Product.compareAtPrice",
        "Product.description",
        "Product.id",
        "Product.images",
        "Product.inStock",
        "Product.name",
        "Product.price",
        "Product.sku",
        "Product.slug",
        "Product.stock",
        "Product.url",
        "ProductConnection.edges",
        "ProductConnection.nodes",
        "ProductConnection.pageInfo",
        "ProductConnection.totalCount",
        "ProductEdge.cursor",
        "ProductEdge.node",
        "Query.categories",
        "Query.product",
        "Query.products",
    ]
