"""Every error path answers a valid response, whatever extreme value the client sends.

A sweep over the endpoints' error paths with values at and past the edges (integers beyond 64
bits, 5,000-digit literals, infinities, NUL, huge strings, JSON that is not an object, costs
above 2^64), on both backends. Each answer must be below 500, JSON, and GraphQL-shaped where it
comes from a GraphQL endpoint: `errors` a non-empty list of objects with a string `message`, or
`data`. Numbers in `extensions` must be JSON numbers within 64 bits, or strings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import orjson
import pytest

from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway

ADMIN = "bootstrap-admin-key-0123456789-abcdefghijkl"
GQL = "application/graphql-response+json"
BIG = 2**70  # JSON text: orjson reads it as a float (1.18e21); in a GraphQL literal it stays an integer
INT64_PAST = 2**63  # JSON text: orjson reads it as an integer, which BSON cannot hold
DIGITS = "9" * 5000


def nested_pages(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"recommendations(strategy: SIMILAR, first: 50) {{ items {{ product {{ {inner} }} }} }}"
    return '{ product(id: "p-00001") { ' + inner + " } }"


def raw(body: bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {"content": body, "headers": {"content-type": content_type}}


def json_text(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()  # the standard library writes any integer as digits


GRAPHQL_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "Int variable beyond 64 bits",
        raw(json_text({"query": "query($n: Int!) { products(first: $n) { totalCount } }", "variables": {"n": BIG}})),
    ),
    ("Int literal of 5,000 digits", raw(json_text({"query": "{ products(first: " + DIGITS + ") { totalCount } }"}))),
    ("Int literal just past 32 bits", raw(json_text({"query": "{ products(first: 2147483648) { totalCount } }"}))),
    (
        "Float literal 1e999",
        raw(json_text({"query": "{ recommendations(strategy: POPULAR, first: 1e999) { strategy } }"})),
    ),
    ("cost above 2^64", raw(json_text({"query": nested_pages(25)}))),
    (
        "50 aliased pages of 100",
        raw(
            json_text(
                {"query": "{ " + " ".join(f"a{i}: products(first: 100) {{ nodes {{ id }} }}" for i in range(50)) + " }"}
            )
        ),
    ),
    ("NUL in the document", raw(json_text({"query": "{ __typename \u0000 }"}))),
    (
        "an ID of 200 KB",
        raw(json_text({"query": "query($id: ID!) { product(id: $id) { id } }", "variables": {"id": "x" * 200_000}})),
    ),
    (
        "an enum name of 10 KB",
        raw(json_text({"query": "{ recommendations(strategy: " + "X" * 10_000 + ") { strategy } }"})),
    ),
    ("operationName that is a number", raw(json_text({"query": "{ __typename }", "operationName": BIG}))),
    ("variables that are a number", raw(json_text({"query": "{ __typename }", "variables": BIG}))),
    ("extensions that are a string", raw(json_text({"query": "{ __typename }", "extensions": "x"}))),
    (
        "an APQ hash that is a number",
        raw(json_text({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": BIG}}})),
    ),
    (
        "an APQ version beyond 64 bits",
        raw(json_text({"extensions": {"persistedQuery": {"version": BIG, "sha256Hash": "0" * 64}}})),
    ),
    ("body null", raw(b"null")),
    ("body 42", raw(b"42")),
    ("body true", raw(b"true")),
    ("body a huge number", raw(DIGITS.encode())),
    ("body a string", raw(b'"{ __typename }"')),
    ("a lone surrogate", raw(b'{"query": "{ __typename }", "variables": {"x": "\\ud800"}}')),
    ("infinity spelled out", raw(b'{"query": "{ __typename }", "variables": {"x": 1e999}}')),
    (
        "track with values no store holds",
        raw(
            json_text(
                {
                    "query": "mutation($e: [EventInput!]!) { track(events: $e) { accepted rejected } }",
                    "variables": {
                        "e": [
                            {
                                "messageId": "m" * 200,
                                "timestamp": "9999-12-31T23:59:59-23:59",
                                "properties": {"n": BIG, "\u0000": 1},
                            }
                        ]
                    },
                }
            )
        ),
    ),
    (
        "identify with traits beyond 64 bits",
        raw(
            json_text(
                {
                    "query": 'mutation { identify(customerId: "c", traits: {n: '
                    + DIGITS[:30]
                    + ", x: 1e999}) { accepted code reason } }"
                }
            )
        ),
    ),
    (
        "first beyond 64 bits in a variable default",
        raw(json_text({"query": "query($n: Int = " + DIGITS[:40] + ") { products(first: $n) { totalCount } }"})),
    ),
]

EVENT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("body null", raw(b"null")),
    ("body 42", raw(b"42")),
    ("body a 5,000-digit number", raw(DIGITS.encode())),
    ("an events field that is a number", raw(json_text({"events": BIG}))),
    ("JSON named in a parameter", raw(b"[]", "text/plain; charset=application/json")),
    ("no content type", {"content": b"[]"}),
    (
        "events of extreme values",
        raw(
            json_text(
                [
                    {"messageId": "a", "type": "page", "properties": {"n": INT64_PAST}},
                    {"messageId": "b", "type": "page", "timestamp": "0001-01-01T00:00:00+23:59"},
                    {"messageId": "c", "type": "page", "properties": {"x": "\u0000" * 9000}},
                    {"messageId": BIG},
                    {"messageId": "d", "type": BIG, "channel": [1], "name": {"a": 1}},
                    "x",
                    None,
                    7,
                ]
            )
        ),
    ),
]

ADMIN_CASES: list[tuple[str, dict[str, Any]]] = [
    ("body null", raw(b"null")),
    (
        "a segment whose value is beyond 64 bits",
        raw(
            json_text(
                {
                    "query": 'mutation($d: JSON!) { saveSegment(key: "big", name: "Big", definition: $d) { ok } }',
                    "variables": {"d": {"field": "profile.purchases", "op": "gte", "value": INT64_PAST}},
                }
            )
        ),
    ),
    (
        "a segment with a NUL key",
        raw(
            json_text(
                {
                    "query": 'mutation($d: JSON!) { saveSegment(key: "nul", name: "Nul", definition: $d) { ok } }',
                    "variables": {"d": {"field": "profile.purchases", "op": "gte", "value": 1, "\u0000": 1}},
                }
            )
        ),
    ),
    (
        "60 aliases",
        raw(json_text({"query": "{ " + " ".join(f"a{i}: segments {{ key }}" for i in range(60)) + " }"})),
    ),
]


def assert_encodes_numbers_safely(value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        assert -(2**63) <= value < 2**64, value
    elif isinstance(value, dict):
        for inner in value.values():
            assert_encodes_numbers_safely(inner)
    elif isinstance(value, list):
        for inner in value:
            assert_encodes_numbers_safely(inner)


def assert_graphql_shaped(name: str, status: int, body: Any) -> None:
    assert status < 500, (name, status, body)
    assert isinstance(body, dict) and ("errors" in body or "data" in body), (name, body)
    if "errors" in body:
        assert body["errors"] and all(isinstance(e.get("message"), str) for e in body["errors"]), (name, body)
        for error in body["errors"]:
            assert_encodes_numbers_safely(error.get("extensions", {}))


@pytest.fixture
async def gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    async with running_gateway(replace(backend_settings, admin_api_key=ADMIN)) as gateway:
        yield gateway


async def test_graphql_error_paths_answer_graphql_with_extreme_values(gw: Gateway) -> None:
    for name, request in GRAPHQL_CASES:
        for accept in (GQL, "application/json"):
            headers = {"accept": accept, **request.get("headers", {})}
            response = await gw.client.post("/graphql", content=request["content"], headers=headers)
            assert response.headers["content-type"].startswith(accept), (name, response.headers["content-type"])
            assert_graphql_shaped(name, response.status_code, orjson.loads(response.content))


async def test_events_error_paths_answer_json_with_extreme_values(gw: Gateway) -> None:
    for name, request in EVENT_CASES:
        response = await gw.client.post("/v1/events", **request)
        assert response.status_code < 500, (name, response.status_code, response.text[:300])
        body = orjson.loads(response.content)
        assert "error" in body or "results" in body, (name, body)
    batch = await gw.client.post("/v1/events", **EVENT_CASES[-1][1])
    assert batch.status_code == 200 and batch.json()["rejected"] == 8  # each rejected alone, with a reason


async def test_admin_error_paths_answer_graphql_with_extreme_values(gw: Gateway) -> None:
    for name, request in ADMIN_CASES:
        headers = {"authorization": f"Bearer {ADMIN}", **request["headers"]}
        response = await gw.client.post("/admin/graphql", content=request["content"], headers=headers)
        assert_graphql_shaped(name, response.status_code, orjson.loads(response.content))
        if "segment" in name:
            (error,) = response.json()["errors"]
            assert "Expected value of type 'JSON'" in error["message"] or "got invalid value" in error["message"]
