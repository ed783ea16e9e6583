"""Differential tests on the real storefront schema with the real app's context.

A running gateway (memory stores, 40 products, a visitor with views and a cart) gives the
runtime; every run builds a fresh request context (fresh DataLoaders) as the HTTP view
does. A fixed corpus covers the home page, catalogue, viewer, federation and introspection;
faulty loaders make resolvers raise, time out and return None for non-null fields; and
hypothesis generates random operations against the schema. Compiled must equal standard,
byte for byte.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import graphql
import pytest
from aiodataloader import DataLoader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from bench.homepage import QUERY as HOME_PAGE
from gateway.app import request_state
from gateway.catalogue.values import LocalizedProduct, ProductId
from gateway.execution.context import RequestContext, build_context
from gateway.execution.loaders import Loaders
from gateway.kernel.errors import StoreUnavailable
from gateway.kernel.visitor import Visitor, VisitorId
from resolvers.schema import SNAPSHOT_TYPES, build_schema
from tests.support.appclient import Gateway, running_gateway
from tests.support.compiled_support import Differential, close_loop, explore, too_big
from tests.support.settings import make_settings

diff = Differential(build_schema(), SNAPSHOT_TYPES)

CARD = """fragment Card on Product { id sku name slug url inStock stock description
  price { amount currency } compareAtPrice { amount currency } images { url alt width height }
  attributes { name value } brand { id name slug } categories { id slug name parent { id } } }"""

CORPUS: list[tuple[str, str, dict[str, Any]]] = [
    ("home page", HOME_PAGE, {"featured": "c-shoes", "deals": "c-home"}),
    (
        "catalogue page",
        "query P($after: String) { products(first: 7, after: $after, sort: PRICE_DESC, filter: {inStock: true}) {"
        " totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ...Card } }"
        " nodes { id } } }\n" + CARD,
        {"after": None},
    ),
    ("second page", '{ products(first: 5, after: "bzo0") { edges { cursor node { id name } } } }', {}),
    ("bad cursor", '{ products(first: 2, after: "garbage") { totalCount } ok: categories { id } }', {}),
    ("search", '{ products(filter: {search: "p", priceRange: {min: "51", max: "60.5"}}) { totalCount } }', {}),
    ("product", 'query { p: product(id: "p-00002") { ...Card } none: product(id: "nope") { id } }\n' + CARD, {}),
    (
        "category tree",
        "{ categories { __typename id slug name children { id name path { id } parent { id name }"
        " children { id } } } }",
        {},
    ),
    (
        "viewer",
        "{ viewer { visitorId personalized degraded session { recentSearches lastActivity recentlyViewed(first: 3)"
        " { id name } cart { itemCount total { amount currency } totals { amount } lines { quantity unitPrice"
        " { amount } lineTotal { amount } product { id } } } } profile { traits firstSeen lastSeen"
        " counters { name count } interests(first: 4) { kind key } } } }",
        {},
    ),
    (
        "federation",
        '{ _service { sdl } _entities(representations: [{__typename: "Product", id: "p-00003"},'
        ' {__typename: "Product", id: "missing"}]) { __typename ... on Product { id name price { amount } } } }',
        {},
    ),
    ("too long id", '{ product(id: "' + "x" * 200 + '") { id } categories { id } }', {}),
    ("introspection", '{ __type(name: "Product") { name fields { name type { kind name ofType { name } } } } }', {}),
    (
        "skip and include",
        "query S($more: Boolean!) { products(first: 3) { edges { node { id name @include(if: $more)"
        " ... on Product @skip(if: $more) { sku } } } } }",
        {"more": True},
    ),
]


@pytest.fixture
async def storefront() -> AsyncIterator[tuple[Gateway, Visitor]]:
    async with running_gateway(make_settings()) as gw:
        first = await gw.client.post("/graphql", json={"query": "{ viewer { visitorId } }"})
        visitor = Visitor(VisitorId(first.json()["data"]["viewer"]["visitorId"]), is_new=False)
        events = [
            {"messageId": f"v{i}", "name": "Product Viewed", "properties": {"product_id": f"p-{i:05d}"}}
            for i in range(1, 6)
        ]
        events.append(
            {"messageId": "add", "name": "Product Added", "properties": {"product_id": "p-00002", "quantity": 2}}
        )
        tracked = await gw.client.post("/v1/events", json={"events": events})
        assert tracked.status_code in (200, 202), tracked.text
        yield gw, visitor


def contexts(gw: Gateway, visitor: Visitor) -> Callable[[], RequestContext]:
    return lambda: build_context(request_state(gw.runtime)["storefront"], visitor, "en")


@pytest.mark.parametrize(("name", "query", "variables"), CORPUS, ids=[c[0] for c in CORPUS])
async def test_corpus(storefront: tuple[Gateway, Visitor], name: str, query: str, variables: dict[str, Any]) -> None:
    gw, visitor = storefront
    answer = await diff.assert_same(query, variables, context=contexts(gw, visitor))
    assert answer["data"] is not None or answer["errors"], name


async def test_home_page_corpus_entry_is_personalized(storefront: tuple[Gateway, Visitor]) -> None:
    gw, visitor = storefront
    answer = await diff.assert_same(HOME_PAGE, CORPUS[0][2], context=contexts(gw, visitor))
    viewer = answer["data"]["viewer"]
    assert [p["id"] for p in viewer["session"]["recentlyViewed"]][:2] == ["p-00005", "p-00004"]
    assert viewer["session"]["cart"]["itemCount"] == 2 and len(answer["data"]["featured"]["edges"]) > 0


contributing = Differential(build_schema(federation="contributing"), SNAPSHOT_TYPES)


async def test_contributing_mode_compiles_to_the_same_answers(storefront: tuple[Gateway, Visitor]) -> None:
    # Entities from ids alone (one Vitrine never imported, one bad representation), their
    # personal lists, and the session without prices.
    gw, visitor = storefront
    query = """{ _entities(representations: [{__typename: "Product", id: "p-00003"}, {__typename: "Product",
      id: "never-imported"}, {__typename: "Product"}]) { __typename ... on Product { id
      recommendations(strategy: ALSO_VIEWED, first: 2) { items { product { id } } } similar(first: 1) { strategy } } }
      viewer { session { recentlyViewed(first: 2) { id } cart { itemCount lines { quantity product { id } } } } } }"""
    answer = await contributing.assert_same(query, context=contexts(gw, visitor))
    assert [e and e["id"] for e in answer["data"]["_entities"]] == ["p-00003", "never-imported", None]
    assert answer["data"]["viewer"]["session"]["cart"]["itemCount"] == 2


class NoCache:
    """Every product read goes through the (faulty) loader."""

    def cached_products(self, ids: Sequence[ProductId], locale: str) -> None:
        return None


def faulty_context(gw: Gateway, visitor: Visitor) -> Callable[[], RequestContext]:
    """Loaders that misbehave per product: a store error, a timeout, a product with no name,
    a brand with no name (a non-null violation one level down)."""
    catalog = gw.runtime.services.catalog

    async def products(ids: Sequence[ProductId]) -> list[LocalizedProduct | Exception | None]:
        found: list[LocalizedProduct | Exception | None] = list(await catalog.get_products(ids, "en"))
        for i, product_id in enumerate(ids):
            product = found[i]
            if product_id.endswith("3"):
                found[i] = StoreUnavailable("catalog", "the catalogue store did not answer")
            elif product_id.endswith("4"):
                try:
                    await asyncio.wait_for(asyncio.sleep(1), timeout=0.001)
                except TimeoutError as exc:
                    found[i] = exc
            elif product_id.endswith("5") and isinstance(product, LocalizedProduct):
                found[i] = dataclasses.replace(product, name=None)  # type: ignore[arg-type]
            elif product_id.endswith("2") and isinstance(product, LocalizedProduct) and product.brand:
                broken = dataclasses.replace(product.brand, name=None)  # type: ignore[arg-type]
                found[i] = dataclasses.replace(product, brand=broken)
        return found

    def build() -> RequestContext:
        ctx = build_context(request_state(gw.runtime)["storefront"], visitor, "en")
        loaders = Loaders(products=DataLoader(products), visitors=ctx.loaders.visitors, catalog=NoCache(), locale="en")
        return RequestContext(ctx.services, ctx.visitor, ctx.locale, loaders)

    return build


@pytest.mark.parametrize(("name", "query", "variables"), CORPUS[:2] + CORPUS[5:6] + CORPUS[7:9], ids=str)
async def test_corpus_with_failing_resolvers(
    storefront: tuple[Gateway, Visitor], name: str, query: str, variables: dict[str, Any]
) -> None:
    gw, visitor = storefront
    answer = await diff.assert_same(query, variables, context=faulty_context(gw, visitor))
    assert answer.get("errors"), f"{name}: the faults did not reach this operation"


async def test_failures_cover_raise_timeout_and_null_for_non_null(storefront: tuple[Gateway, Visitor]) -> None:
    gw, visitor = storefront
    query = """{ p2: product(id: "p-00002") { id brand { name } } p3: product(id: "p-00003") { id }
      p4: product(id: "p-00004") { id } p5: product(id: "p-00005") { id name } }"""
    answer = await diff.assert_same(query, context=faulty_context(gw, visitor))
    messages = [e["message"] for e in answer["errors"]]
    assert "Cannot return null for non-nullable field Product.name." in messages
    assert "Cannot return null for non-nullable field Brand.name." in messages
    assert "An unknown error occurred." in messages  # the bare TimeoutError
    assert any("did not answer" in m for m in messages)
    assert answer["data"] == {"p2": {"id": "p-00002", "brand": None}, "p3": None, "p4": None, "p5": None}
    # A non-null root field that fails nulls `data`, and errors below it that come later are dropped.
    rooted = await diff.assert_same(
        query[:-1] + " list: products(first: 6) { edges { node { id } } } }", context=faulty_context(gw, visitor)
    )
    assert rooted["data"] is None and "brand store timed out" not in [e["message"] for e in rooted["errors"]]


def _storefront_strategy() -> st.SearchStrategy[str]:
    schema = diff.schema

    def decimal_node(value: float) -> graphql.StringValueNode:
        return graphql.StringValueNode(value=f"{value:.2f}")

    custom = {
        "Decimal": st.floats(min_value=0, max_value=500, allow_nan=False).map(decimal_node),
        "DateTime": st.just(graphql.StringValueNode(value="2024-01-01T00:00:00+00:00")),
        "JSON": st.just(graphql.StringValueNode(value="x")),
    }
    return from_schema(  # type: ignore[no-any-return]
        schema, fields=["products", "product", "categories", "viewer"], custom_scalars=custom, allow_x00=False
    )


RECOMMENDATION_ID = re.compile(r"rec_[A-Z_]+_[0-9a-f]{16}")


def test_random_operations_on_the_storefront_schema() -> None:
    """hypothesis-generated operations, bounded so the suite stays fast; reproducible in CI
    (VITRINE_HYPOTHESIS_RANDOM=1 explores new ones)."""
    loop = asyncio.new_event_loop()
    try:
        gateway = running_gateway(make_settings())
        gw = loop.run_until_complete(gateway.__aenter__())
        visitor = Visitor(VisitorId("v-hypothesis"), is_new=False)
        compiled = 0

        @settings(
            max_examples=int(os.environ.get("VITRINE_HYPOTHESIS_EXAMPLES", "150")),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=not explore(),
        )
        @given(query=_storefront_strategy(), faulty=st.booleans())
        def check(query: str, faulty: bool) -> None:
            nonlocal compiled
            document = graphql.parse(query)
            if graphql.validate(diff.schema, document) or too_big(diff.schema, document, query):
                return  # the generator can exceed what validation allows; only valid operations execute
            context = faulty_context(gw, visitor) if faulty else contexts(gw, visitor)
            answers = loop.run_until_complete(diff.run_both(query, context=context))
            # A recommendation list's id is new for every list served (click attribution).
            standard, first, again = (RECOMMENDATION_ID.sub("rec_<id>", a) for a in answers)
            assert first == standard, f"{query}\n  standard {standard}\n  compiled {first}"
            assert again == standard
            compiled += 1

        check()
        assert compiled >= 20, "too few generated operations were valid to mean anything"
    finally:
        loop.run_until_complete(gateway.__aexit__(None, None, None))
        close_loop(loop)
