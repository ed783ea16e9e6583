"""A corpus of hostile requests: each gets a clear 4xx, and the next normal request succeeds.

Clients here accept `application/graphql-response+json` (as Apollo Client and urql do), under
which documents that fail parsing or validation are answered 400 without `data`.

The hostile cases that need something other than one request live beside their subject:
slow headers and bodies, and SIGTERM during an attack (tests/platform/test_serving_process.py,
a real `python -m gateway serve`); extreme values on every error path
(tests/http/test_error_sweep.py); frozen stores (tests/platform/test_store_timeouts.py); random
JSON through the intake on both backends (tests/visitors/test_storable_values.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson

from tests.support.appclient import running_gateway
from tests.support.nodetools import seed, serving
from tests.support.settings import make_settings

GQL = "application/graphql-response+json"
NORMAL = '{ product(id: "p-00001") { name price { amount } } }'


def post_json(document: str, **extra: Any) -> dict[str, Any]:
    return {"json": {"query": document, **extra}}


def deep_nesting() -> dict[str, Any]:
    inner = "id"
    for _ in range(30):
        inner = f"children {{ {inner} }}"
    return post_json(f"{{ categories {{ {inner} }} }}")


def alias_bomb() -> dict[str, Any]:
    return post_json("{ " + " ".join(f"a{i}: products(first: 1) {{ totalCount }}" for i in range(80)) + " }")


def costly_within_alias_limit() -> dict[str, Any]:
    page = "products(first: 100) { nodes { id name price { amount currency } brand { name } } }"
    return post_json("{ " + " ".join(f"p{i}: {page}" for i in range(40)) + " }")


def fragment_bomb() -> dict[str, Any]:
    fragments = ["fragment F0 on Category { id slug }"]
    for k in range(1, 40):
        fragments.append(f"fragment F{k} on Category {{ children {{ ...F{k - 1} }} parent {{ ...F{k - 1} }} }}")
    return post_json("{ categories { ...F39 } } " + " ".join(fragments))


def fragment_bomb_3_30() -> dict[str, Any]:
    """Fragments on Query, each spreading the previous one three times: 3^30 spreads in 1.4 KB."""
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [f"fragment F{k} on Query {{ ...F{k - 1} ...F{k - 1} ...F{k - 1} }}" for k in range(1, 31)]
    return post_json("{ ...F30 } " + " ".join(fragments))


def nested_recommendations() -> dict[str, Any]:
    """25 nested pages of 50: a cost above 2^64, which once made the error itself unencodable."""
    inner = "id"
    for _ in range(25):
        inner = f"recommendations(strategy: SIMILAR, first: 50) {{ items {{ product {{ {inner} }} }} }}"
    return post_json('{ product(id: "p-00001") { ' + inner + " } }")


def many_entities() -> dict[str, Any]:
    """`_entities` is costed like a page of its representations (it was not: 88 KB asked for 8.5 MB)."""
    representations = ", ".join(f'{{__typename: "Product", id: "p-{i:05d}"}}' for i in range(300))
    selection = "... on Product { id name similar(first: 50) { items { product { id name } } } }"
    return post_json(f"{{ _entities(representations: [{representations}]) {{ {selection} }} }}")


def json_null() -> dict[str, Any]:
    return {"content": b"null", "headers": {"content-type": "application/json"}}


def json_number() -> dict[str, Any]:
    return {"content": b"42", "headers": {"content-type": "application/json"}}


def json_true() -> dict[str, Any]:
    return {"content": b"true", "headers": {"content-type": "application/json"}}


def json_in_a_parameter() -> dict[str, Any]:
    return {
        "content": b'{"query": "{ __typename }"}',
        "headers": {"content-type": "text/plain; charset=application/json"},
    }


def circular_fragments() -> dict[str, Any]:
    return post_json(
        "{ categories { ...A } } fragment A on Category { id children { ...B } } "
        "fragment B on Category { id parent { ...A } }"
    )


def token_flood() -> dict[str, Any]:
    return post_json("{ " + "__typename " * 6000 + "}")


def deeply_nested_variables() -> dict[str, Any]:
    body = b'{"query": "query($v: JSON) { __typename }", "variables": {"v": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    return {"content": body, "headers": {"content-type": "application/json"}}


def huge_variables() -> dict[str, Any]:
    return post_json("query($id: ID!) { product(id: $id) { id } }", variables={"id": "x" * 400_000})


def malformed_json() -> dict[str, Any]:
    return {"content": b'{"query": "{ __typename }"', "headers": {"content-type": "application/json"}}


def invalid_utf8() -> dict[str, Any]:
    return {"content": b'{"query": "{ __typename \xff\xfe }"}', "headers": {"content-type": "application/json"}}


def text_plain() -> dict[str, Any]:
    return {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}}


def form_urlencoded() -> dict[str, Any]:
    return {"content": b"query=%7B__typename%7D", "headers": {"content-type": "application/x-www-form-urlencoded"}}


def oversized_declared() -> dict[str, Any]:
    return {"content": b"{" + b" " * 300_000 + b"}", "headers": {"content-type": "application/json"}}


def oversized_chunked() -> dict[str, Any]:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(100):
            yield b"x" * 4096
        yield b'"}'

    return {"content": chunks(), "headers": {"content-type": "application/json"}}


def batch() -> dict[str, Any]:
    return {"json": [{"query": "{ __typename }"}] * 50}


def query_not_a_string() -> dict[str, Any]:
    return {"json": {"query": {"$ne": None}}}


CORPUS: list[tuple[str, Callable[[], dict[str, Any]], int, str]] = [
    ("deep nesting", deep_nesting, 400, "exceeds maximum operation depth"),
    ("alias bomb", alias_bomb, 400, "aliases found"),
    ("cost within the alias limit", costly_within_alias_limit, 400, "more than the 20000 allowed"),
    # The depth rule reports every too-deep path; graphql-core stops validating after 100 errors.
    ("fragment bomb", fragment_bomb, 400, "exceeds maximum operation depth"),
    ("fragment bomb of 3^30 spreads", fragment_bomb_3_30, 400, "more than 20000 fields or 1000 fragment spreads"),
    ("pages nested 25 deep", nested_recommendations, 400, "exceeds maximum operation depth"),
    ("300 costly entity representations", many_entities, 400, "may resolve up to 60901 fields"),
    ("circular fragments", circular_fragments, 400, "Cannot spread fragment"),
    ("token flood", token_flood, 400, "more than 4000 tokens"),
    ("deeply nested variables", deeply_nested_variables, 400, "JSON"),
    ("huge variables", huge_variables, 413, "over 262144 bytes"),
    ("malformed JSON", malformed_json, 400, "JSON"),
    ("invalid UTF-8", invalid_utf8, 400, "JSON"),
    ("text/plain body", text_plain, 415, "Content-Type: application/json"),
    ("form body", form_urlencoded, 415, "Content-Type: application/json"),
    ("oversized body", oversized_declared, 413, "over 262144 bytes"),
    ("oversized chunked body", oversized_chunked, 413, "over 262144 bytes"),
    ("batch of operations", batch, 400, "Batching is not enabled"),
    ("JSON null body", json_null, 400, "must be a JSON object"),
    ("JSON number body", json_number, 400, "must be a JSON object"),
    ("JSON true body", json_true, 400, "must be a JSON object"),
    ("JSON named only in a parameter", json_in_a_parameter, 415, "Content-Type: application/json"),
    ("query that is not a string", query_not_a_string, 400, "must be a string"),
]


async def normal_request_succeeds(client: httpx.AsyncClient) -> None:
    response = await asyncio.wait_for(client.post("/graphql", json={"query": NORMAL}, headers={"accept": GQL}), 10)
    assert response.status_code == 200
    assert response.json() == {"data": {"product": {"name": "Trail runner 1", "price": {"amount": "51.00"}}}}


async def run_corpus(client: httpx.AsyncClient) -> None:
    for name, build, status, fragment in CORPUS:
        request = build()
        headers = {"accept": GQL, **request.pop("headers", {})}
        response = await asyncio.wait_for(client.post("/graphql", headers=headers, **request), 30)
        assert response.status_code == status, (name, response.status_code, response.text[:300])
        body = orjson.loads(response.content)
        assert "data" not in body, name
        messages = " ".join(e["message"] for e in body["errors"])
        assert any(f in messages for f in fragment.split("|")), (name, messages[:300])
        assert response.headers["content-type"].startswith(GQL), name
        await normal_request_succeeds(client)


async def test_each_hostile_request_gets_a_clear_4xx_and_the_server_stays_healthy() -> None:
    async with running_gateway(make_settings()) as gw:
        await run_corpus(gw.client)


async def test_the_same_over_real_http_with_uvicorn() -> None:
    with serving(make_settings(), seed) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            await run_corpus(client)


async def test_mutations_over_get_are_405_and_unacceptable_media_406() -> None:
    async with running_gateway(make_settings()) as gw:
        response = await gw.client.get(
            "/graphql", params={"query": "mutation { track(events: []) { accepted } }"}, headers={"accept": GQL}
        )
        assert response.status_code == 405 and response.headers["allow"] == "POST"
        assert "send them with POST" in response.json()["errors"][0]["message"]
        response = await gw.client.post("/graphql", json={"query": NORMAL}, headers={"accept": "text/html"})
        assert response.status_code == 406
        ide = await gw.client.get("/graphql", headers={"accept": "text/html"})  # a browser opening GraphiQL
        assert ide.status_code == 200 and ide.headers["content-type"].startswith("text/html")
        await normal_request_succeeds(gw.client)


async def test_legacy_json_clients_get_200_with_errors_as_the_spec_asks() -> None:
    async with running_gateway(make_settings()) as gw:
        response = await gw.client.post("/graphql", json=deep_nesting()["json"], headers={"accept": "application/json"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["data"] is None and "maximum operation depth" in body["errors"][0]["message"]


async def test_introspection_can_be_disabled_without_breaking_federation() -> None:
    async with running_gateway(make_settings(introspection=False)) as gw:
        response = await gw.client.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}, headers={"accept": GQL}
        )
        assert response.status_code == 400 and "introspection" in response.json()["errors"][0]["message"]
        ok = await gw.gql("{ __typename _service { sdl } }")
        assert ok["data"]["__typename"] == "Query" and "type Product" in ok["data"]["_service"]["sdl"]
    async with running_gateway(make_settings()) as gw:
        body = await gw.gql("{ __schema { queryType { name } } }")
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_cors_allows_only_configured_origins() -> None:
    async with running_gateway(make_settings(cors_origins=("https://shop.example",))) as gw:
        preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
        allowed = await gw.client.options("/graphql", headers={"origin": "https://shop.example", **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        denied = await gw.client.options("/graphql", headers={"origin": "https://evil.example", **preflight})
        assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers
        simple = await gw.client.post("/graphql", json={"query": NORMAL}, headers={"origin": "https://shop.example"})
        assert simple.headers["access-control-allow-origin"] == "https://shop.example"
        assert "x-vitrine-visitor" in simple.headers["access-control-expose-headers"]


async def test_entities_from_a_variable_are_capped_at_the_count_the_cost_rule_assumed() -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }"
    many = [{"__typename": "Product", "id": f"p-{i:05d}"} for i in range(1, 102)]
    async with running_gateway(make_settings()) as gw:
        body = await gw.gql(query, {"r": many})
        assert body["data"] is None
        assert body["errors"][0]["message"] == "at most 100 representations per _entities call; got 101"
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        ok = await gw.gql(query, {"r": many[:100]})
        assert len(ok["data"]["_entities"]) == 100


async def test_validation_over_its_cpu_budget_is_abandoned_and_the_worker_keeps_serving() -> None:
    # 300 copies of one field: graphql-core's OverlappingFieldsCanBeMerged compares every pair
    # (about half a second of CPU here; bench/validation.py); a 10 ms budget abandons it.
    heavy = "{ " + 'product(id: "p-00001") { id name } ' * 300 + "}"
    async with running_gateway(make_settings(validation_budget_ms=10)) as gw:
        refused, _ = await asyncio.gather(
            gw.client.post("/graphql", json={"query": heavy}, headers={"accept": GQL}),
            normal_request_succeeds(gw.client),
        )
        assert refused.status_code == 400
        (error,) = refused.json()["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert "more than 10 ms of CPU to validate" in error["message"]
        await normal_request_succeeds(gw.client)
        # The refusal is remembered: the same text costs no second budget.
        again = await gw.client.post("/graphql", json={"query": heavy}, headers={"accept": GQL})
        assert again.json() == refused.json()


async def test_poison_values_in_events_are_rejected_alone_on_both_backends(gateway: Any) -> None:
    # 2^63 made PyMongo raise OverflowError: a 500, and the batch's other events were lost.
    body = (
        b'[{"messageId": "ok-1", "name": "Cart Viewed"},'
        b' {"messageId": "big", "type": "page", "properties": {"n": 9223372036854775808}},'
        b' {"messageId": "nul", "type": "page", "properties": {"a\\u0000b": 1}},'
        b' {"messageId": "late", "type": "page", "timestamp": "9999-12-31T23:59:59-23:59"},'
        b' {"messageId": "ok-2", "type": "page"}]'
    )
    response = await gateway.client.post("/v1/events", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [
        "ACCEPTED",
        "REJECTED",
        "REJECTED",
        "REJECTED",
        "ACCEPTED",
    ]
    smuggled = await gateway.client.post(
        "/v1/events", content=b"[]", headers={"content-type": "text/plain; charset=application/json"}
    )
    assert smuggled.status_code == 415


async def test_an_apq_flood_is_bounded_in_size_and_rate() -> None:
    from gateway.execution.persisted.documents import sha256_hex

    async with running_gateway(make_settings()) as gw:
        store = gw.runtime.stores.persisted
        # 95 KB documents (the measured flood): they run, nothing is kept.
        padding = " " * 95_000
        for i in range(5):
            text = f'query Big{i} {{ product(id: "p-00001") {{ id }} }}{padding}'
            extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(text)}}
            response = await gw.client.post("/graphql", json={"query": text, "extensions": extensions})
            assert response.json()["data"]["product"]["id"] == "p-00001"
            assert await store.get_automatic(sha256_hex(text)) is None
        # Small ones: 30 a minute from one address are kept, the rest are not.
        kept = 0
        for i in range(40):
            text = f'query Small{i} {{ product(id: "p-00001") {{ id }} }}'
            extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(text)}}
            await gw.client.post("/graphql", json={"query": text, "extensions": extensions})
            kept += await store.get_automatic(sha256_hex(text)) is not None
        assert kept == 30
        await normal_request_succeeds(gw.client)
