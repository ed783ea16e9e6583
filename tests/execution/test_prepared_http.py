"""Prepared queries (gateway.execution.compiler.prepared): the same HTTP responses as strawberry's whole pipeline."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bench.homepage import QUERY as HOME_PAGE
from gateway.execution.compiler.prepared import PreparedOperations
from gateway.http.graphql_view import GraphQLView
from resolvers.schema import build_schema
from tests.support.appclient import Gateway, running_gateway
from tests.support.settings import make_settings

HOME_VARIABLES = {"featured": "c-shoes", "deals": "c-home"}
GRAPHQL_RESPONSE = "application/graphql-response+json"
COMPILE = {"vitrine": {"compile": True}}


def view_of(gw: Gateway) -> GraphQLView:
    view = next(r.endpoint for r in gw.app.routes if getattr(r, "path", "") == "/graphql")  # type: ignore[attr-defined]
    assert isinstance(view, GraphQLView)
    return view


class Lane:
    """The app's prepared operations, with a count of the requests they answered."""

    def __init__(self, gw: Gateway) -> None:
        self.view = view_of(gw)
        prepared = self.view.prepared
        assert prepared is not None
        self.prepared: PreparedOperations = prepared
        self.answered = 0
        execute = prepared.execute

        async def counting(*args: Any, **kwargs: Any) -> Any:
            self.answered += 1
            return await execute(*args, **kwargs)

        prepared.execute = counting  # type: ignore[method-assign]


@pytest.fixture
async def gw() -> AsyncIterator[Gateway]:
    async with running_gateway(make_settings()) as gateway:
        yield gateway


async def raw(gw: Gateway, body: dict[str, Any], token: str, accept: str = "application/json") -> tuple[Any, ...]:
    response = await gw.client.post("/graphql", json=body, headers={"accept": accept, "x-vitrine-visitor": token})
    return response.status_code, response.headers.get("content-type"), response.content


async def visitor(gw: Gateway) -> str:
    response = await gw.client.post("/graphql", json={"query": "{ viewer { visitorId } }"})
    token: str = response.headers["x-vitrine-visitor"]
    events = [{"messageId": "m1", "name": "Product Viewed", "properties": {"product_id": "p-00002"}}]
    await gw.client.post("/v1/events", json={"events": events}, headers={"x-vitrine-visitor": token})
    return token


async def whole_pipeline(gw: Gateway, lane: Lane, body: dict[str, Any], token: str, accept: str) -> tuple[Any, ...]:
    """The response strawberry's whole pipeline gives (the prepared lane switched off)."""
    prepared, lane.view.prepared = lane.view.prepared, None
    try:
        return await raw(gw, body, token, accept)
    finally:
        lane.view.prepared = prepared


CASES = [
    ("home page", {"query": HOME_PAGE, "variables": HOME_VARIABLES, "extensions": COMPILE}, "application/json"),
    (
        "home page, GraphQL media type",
        {"query": HOME_PAGE, "variables": HOME_VARIABLES, "extensions": COMPILE},
        GRAPHQL_RESPONSE,
    ),
    (
        "an expected error (bad cursor)",
        {"query": '{ categories { id } products(first: 2, after: "nope") { totalCount } }', "extensions": COMPILE},
        "application/json",
    ),
    (
        "variables that do not coerce (a request error: 400 for the GraphQL media type)",
        {
            "query": "query($n: Int!) { products(first: $n) { totalCount } }",
            "variables": {"n": "x"},
            "extensions": COMPILE,
        },
        GRAPHQL_RESPONSE,
    ),
    (
        "variables that do not coerce, legacy JSON media type",
        {
            "query": "query($n: Int!) { products(first: $n) { totalCount } }",
            "variables": {"n": "x"},
            "extensions": COMPILE,
        },
        "application/json",
    ),
]
REGISTER = {  # a request that prepares the document of each case (it must run compiled without a request error)
    "query($n: Int!) { products(first: $n) { totalCount } }": {"n": 2},
}


@pytest.mark.parametrize(("name", "body", "accept"), CASES, ids=[c[0] for c in CASES])
async def test_prepared_responses_are_byte_identical_to_the_whole_pipeline(
    gw: Gateway, name: str, body: dict[str, Any], accept: str
) -> None:
    lane = Lane(gw)
    token = await visitor(gw)
    expected = await whole_pipeline(gw, lane, body, token, accept)
    register = {**body, "variables": REGISTER.get(body["query"], body.get("variables"))}
    await raw(gw, register, token)
    assert lane.prepared.lookup(body["query"], None, COMPILE) is not None, "the document was not prepared"
    before = lane.answered
    answer = await raw(gw, body, token, accept)
    assert lane.answered == before + 1, "the prepared lane did not answer"
    assert answer == expected


async def test_masked_errors_are_masked_on_the_prepared_lane(gw: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    lane = Lane(gw)
    token = await visitor(gw)
    body = {"query": "{ categories { id } products(first: 1) { totalCount } }", "extensions": COMPILE}
    await raw(gw, body, token)  # prepares it

    def broken() -> None:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(gw.runtime.services.catalog, "roots", broken)
    expected = await whole_pipeline(gw, lane, body, token, "application/json")
    answer = await raw(gw, body, token)
    assert lane.answered == 1 and answer == expected
    assert b"Unexpected error." in answer[2] and b"internal detail" not in answer[2]


async def test_persisted_hash_only_requests_take_the_prepared_lane(gw: Gateway) -> None:
    lane = Lane(gw)
    token = await visitor(gw)
    persisted = {"version": 1, "sha256Hash": hashlib.sha256(HOME_PAGE.encode()).hexdigest()}
    first = await raw(
        gw, {"query": HOME_PAGE, "variables": HOME_VARIABLES, "extensions": {"persistedQuery": persisted}}, token
    )
    hash_only = {"variables": HOME_VARIABLES, "extensions": {"persistedQuery": persisted}}
    expected = await whole_pipeline(gw, lane, hash_only, token, "application/json")
    answer = await raw(gw, hash_only, token)
    assert lane.answered == 1 and answer == expected == first


async def test_unusual_requests_take_the_whole_pipeline(gw: Gateway) -> None:
    lane = Lane(gw)
    token = await visitor(gw)
    body = {"query": "{ categories { id } }", "extensions": COMPILE}
    await raw(gw, body, token)
    assert lane.prepared.lookup(body["query"], None, COMPILE) is not None
    await raw(gw, {**body, "extensions": {**COMPILE, "tracing": True}}, token)  # an extension it does not know
    await raw(gw, [body], token)  # type: ignore[arg-type]  # a batch
    await raw(gw, {**body, "variables": [1]}, token)  # variables that are not an object: 400 from strawberry
    await raw(gw, body, token, accept="multipart/mixed, application/json")
    await raw(gw, {**body, "extensions": {"vitrine": {"compile": False}}}, token)  # asks for the standard path
    assert lane.answered == 0
    await raw(gw, body, token)
    assert lane.answered == 1


def test_only_queries_are_prepared() -> None:
    prepared = build_schema().prepared
    assert prepared is not None
    prepared.remember("mutation { track(events: []) { accepted } }", None)
    prepared.remember("query A { categories { id } } query B { products { totalCount } }", "B")
    prepared.remember("query A { categories { id } } query B { products { totalCount } }", "C")  # no such operation
    assert prepared.lookup("mutation { track(events: []) { accepted } }", None, COMPILE) is None
    assert prepared.lookup("query A { categories { id } } query B { products { totalCount } }", "B", COMPILE)
    # A request that does not ask for compilation (mode "persisted", no persistedQuery) is not prepared.
    assert prepared.lookup("query A { categories { id } } query B { products { totalCount } }", "B") is None
    assert len(prepared) == 1


def test_no_prepared_lane_without_compiled_execution() -> None:
    assert build_schema(compiled_execution="off").prepared is None


async def test_a_persisted_document_is_resolved_once_per_request(gw: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    token = await visitor(gw)
    persisted = {"version": 1, "sha256Hash": hashlib.sha256(HOME_PAGE.encode()).hexdigest()}
    await raw(gw, {"query": HOME_PAGE, "variables": HOME_VARIABLES, "extensions": {"persistedQuery": persisted}}, token)
    calls = 0
    resolve = gw.runtime.services.persisted.resolve

    async def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return await resolve(*args)

    monkeypatch.setattr(gw.runtime.services.persisted, "resolve", counting)
    standard = {"persistedQuery": persisted, "vitrine": {"compile": False}}  # the lane resolves it, then declines
    status, _, body = await raw(gw, {"variables": HOME_VARIABLES, "extensions": standard}, token)
    assert status == 200 and b'"featured"' in body
    assert calls == 1
