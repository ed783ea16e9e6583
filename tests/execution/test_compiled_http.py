"""Compiled execution through the real app: HTTP responses, persisted queries, limits, masking, metrics."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from bench.homepage import QUERY as HOME_PAGE
from gateway.execution.compiler.integration import (
    compile_policy,
    compiled_executor_class,
    execution_report,
    executor_policy,
)
from gateway.execution.compiler.plan import Compiler
from tests.support.appclient import BRANDS, CATEGORIES, Gateway, running_gateway
from tests.support.factories import product
from tests.support.settings import make_settings

HOME_VARIABLES = {"featured": "c-shoes", "deals": "c-home"}
GRAPHQL_RESPONSE = "application/graphql-response+json"


async def post(gw: Gateway, body: dict[str, Any], accept: str = "application/json") -> tuple[int, dict[str, Any]]:
    response = await gw.client.post("/graphql", json=body, headers={"accept": accept})
    return response.status_code, response.json()


async def both(gw: Gateway, body: dict[str, Any], accept: str = "application/json") -> tuple[Any, Any]:
    """The same request on the standard and the compiled executor, `extensions.vitrine` removed."""
    answers = []
    for compile_it in (False, True):
        extensions = {**body.get("extensions", {}), "vitrine": {"compile": compile_it}}
        status, answer = await post(gw, {**body, "extensions": extensions}, accept)
        execution = answer.get("extensions", {}).pop("vitrine", None)
        if not answer.get("extensions"):
            answer.pop("extensions", None)
        answers.append((status, answer, execution))
    (s1, a1, e1), (s2, a2, e2) = answers
    assert (s1, a1) == (s2, a2)
    return e1, e2


@pytest.fixture
async def gw() -> AsyncIterator[Gateway]:
    async with running_gateway(make_settings()) as gateway:
        yield gateway


async def test_home_page_over_http_is_identical_and_reports_the_executor(gw: Gateway) -> None:
    standard, compiled = await both(gw, {"query": HOME_PAGE, "variables": HOME_VARIABLES})
    assert standard == {"execution": "standard"} and compiled == {"execution": "compiled"}


async def test_masked_and_expected_errors_and_request_errors_are_unchanged(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_cursor = '{ categories { id } products(first: 2, after: "nope") { totalCount } }'
    await both(gw, {"query": bad_cursor})
    _, answer = await post(gw, {"query": bad_cursor, "extensions": {"vitrine": {"compile": True}}})
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    def broken() -> None:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(gw.runtime.services.catalog, "roots", broken)
    query = "{ categories { id } products(first: 1) { totalCount } }"
    await both(gw, {"query": query})
    _, masked = await post(gw, {"query": query, "extensions": {"vitrine": {"compile": True}}})
    assert masked["errors"][0]["message"] == "Unexpected error." and masked["data"] is None
    assert masked["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"

    await both(gw, {"query": "query($n: Int!) { products(first: $n) { totalCount } }", "variables": {"n": "x"}})
    status, request_error = await post(
        gw,
        {"query": "query($n: Int!) { products(first: $n) { totalCount } }", "extensions": {"vitrine": {"compile": 1}}},
        GRAPHQL_RESPONSE,
    )
    assert status == 400 and "data" not in request_error


async def test_query_limits_still_apply(gw: Gateway) -> None:
    deep = "{ categories { " + "children { " * 14 + "id" + " }" * 14 + " } }"
    await both(gw, {"query": deep})
    _, answer = await post(gw, {"query": deep, "extensions": {"vitrine": {"compile": True}}})
    assert "exceeds maximum operation depth" in answer["errors"][0]["message"]


async def test_federation_entities_compiled(gw: Gateway) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Product { id name sku } } }"""
    variables = {"r": [{"__typename": "Product", "id": "p-00002"}, {"__typename": "Product", "id": "gone"}]}
    _, compiled = await both(gw, {"query": query, "variables": variables})
    assert compiled == {"execution": "compiled"}
    _, answer = await post(gw, {"query": query, "variables": variables})
    product = {"__typename": "Product", "id": "p-00002", "name": "Trail runner 2", "sku": "SKU-00002"}
    assert answer["data"]["_entities"] == [product, None]


async def test_persisted_queries_run_compiled_by_default(gw: Gateway) -> None:
    digest = hashlib.sha256(HOME_PAGE.encode()).hexdigest()
    persisted = {"version": 1, "sha256Hash": digest}
    body = {"query": HOME_PAGE, "variables": HOME_VARIABLES, "extensions": {"persistedQuery": persisted, "vitrine": {}}}
    _, registered = await post(gw, body)
    assert registered["extensions"]["vitrine"] == {"execution": "compiled"}
    hash_only = {"variables": HOME_VARIABLES, "extensions": {"persistedQuery": persisted, "vitrine": {}}}
    _, answer = await post(gw, hash_only)
    assert answer["extensions"]["vitrine"] == {"execution": "compiled"}
    assert answer["data"] == registered["data"]
    # A plain request of the same text is not persisted: it runs on the standard executor.
    _, plain = await post(gw, {"query": HOME_PAGE, "variables": HOME_VARIABLES, "extensions": {"vitrine": {}}})
    assert plain["extensions"]["vitrine"] == {"execution": "standard"} and plain["data"] == answer["data"]


async def test_mode_all_compiles_everything_and_counts_it() -> None:
    async with running_gateway(make_settings(compiled_execution="all")) as gw:
        _, answer = await post(gw, {"query": "{ categories { id } }", "extensions": {"vitrine": {}}})
        assert answer["extensions"]["vitrine"] == {"execution": "compiled"}
        await post(gw, {"query": "{ categories { id } }", "extensions": {"vitrine": {"compile": False}}})
        metrics = (await gw.client.get("/metrics")).text
        assert 'vitrine_graphql_executions_total{executor="compiled"} 1.0' in metrics
        assert 'vitrine_graphql_executions_total{executor="standard"} 1.0' in metrics


async def test_mode_off_ignores_opt_in() -> None:
    async with running_gateway(make_settings(compiled_execution="off")) as gw:
        _, answer = await post(gw, {"query": "{ categories { id } }", "extensions": {"vitrine": {"compile": True}}})
        assert answer["extensions"]["vitrine"] == {"execution": "standard"}


class ResolveMiddleware(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        return _next(root, info, *args, **kwargs)


async def test_unsupported_operation_falls_back_once_logged_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    @strawberry.type
    class Query:
        hello: str = "hi"

    compiler = Compiler(executor_policy(compile_policy("all")))
    schema = strawberry.Schema(
        query=Query,
        execution_context_class=compiled_executor_class(compiler),
        extensions=[execution_report(None), ResolveMiddleware],
    )
    caplog.set_level(logging.INFO, "vitrine.compiler")
    for _ in range(3):
        result = await schema.execute("{ hello }", root_value=Query(), operation_extensions={"vitrine": {}})
        assert result.data == {"hello": "hi"}
        assert result.extensions is not None
        report = result.extensions["vitrine"]
        assert report["execution"] == "standard" and "middleware" in report["fallback"]
    assert len([r for r in caplog.records if "standard executor" in r.getMessage()]) == 1
    assert compiler.fallbacks == 3 and compiler.compiled == 0


async def test_trusted_documents_run_compiled(tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({hashlib.sha256(HOME_PAGE.encode()).hexdigest(): HOME_PAGE}))
    settings = make_settings(persisted_queries="trusted", trusted_documents=str(manifest))
    async with running_gateway(settings) as gw:
        _, answer = await post(gw, {"query": HOME_PAGE, "variables": HOME_VARIABLES, "extensions": {"vitrine": {}}})
        assert answer["extensions"]["vitrine"] == {"execution": "compiled"}
        assert answer["data"]["featured"]["totalCount"] > 0
        _, refused = await post(gw, {"query": "{ categories { id } }"})
        assert refused["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_a_new_catalogue_snapshot_is_never_answered_from_the_memo(gw: Gateway) -> None:
    """Compiled plans reuse the JSON of immutable catalogue values (the snapshot memo) and the
    views of product pages: after the catalogue changes, both paths show the new data."""
    query = '{ product(id: "p-00002") { name price { amount } } products(first: 3) { edges { node { id name } } } }'
    body = {"query": query, "extensions": {"vitrine": {"compile": True}}}
    for _ in range(2):  # the second answer comes from the memo
        _, before = await post(gw, body)
    assert before["data"]["product"] == {"name": "Trail runner 2", "price": {"amount": "52.00"}}
    changed = product(2, price="49.00", name="Trail runner 2 (new)")
    await gw.runtime.stores.catalog.upsert([changed], BRANDS, CATEGORIES)
    assert await gw.runtime.services.catalog.refresh()
    _, compiled = await both(gw, {"query": query})  # both paths answer the same new data
    assert compiled == {"execution": "compiled"}
    _, after = await post(gw, body)
    assert after["data"]["product"] == {"name": "Trail runner 2 (new)", "price": {"amount": "49.00"}}
    assert {"id": "p-00002", "name": "Trail runner 2 (new)"} in [e["node"] for e in after["data"]["products"]["edges"]]
