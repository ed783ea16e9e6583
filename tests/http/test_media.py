"""`Accept` negotiation of the GraphQL endpoint."""

from __future__ import annotations

import pytest

from gateway.http.media import GRAPHQL_RESPONSE_JSON, JSON, negotiate


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),  # legacy clients
        ("", JSON),
        ("*/*", JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),  # Apollo Client 4
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),  # tie: the GraphQL type
        ("application/json;q=1, application/graphql-response+json;q=0.5", JSON),
        ("application/graphql-response+json;q=0, application/json", JSON),
        ("text/html, application/*;q=0.1", JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        ("text/html", None),
        ("application/json;q=abc", None),
    ],
)
def test_negotiate(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


@pytest.mark.parametrize(
    ("content_type", "parsed"),
    [
        ("application/json", "application/json"),
        ("Application/JSON; charset=utf-8", "application/json"),
        (" application/json ;x=1", "application/json"),
        ("text/plain; charset=application/json", "text/plain"),  # a parameter never counts
        ("application/json-patch+json", "application/json-patch+json"),
        ("application/jsonx", "application/jsonx"),
        ("application/json, text/plain", ""),  # two types: malformed
        ("application/json\x00", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_media_type_is_parsed_exactly(content_type: str | None, parsed: str) -> None:
    from gateway.http.media import media_type

    assert media_type(content_type) == parsed


def test_dumps_always_encodes() -> None:
    import orjson

    from gateway.http.encoding import dumps

    value = {"cost": 2**70, "low": -(2**70), "fine": 2**63, "nan": float("nan"), 3: object, "nested": [{"x": 10**30}]}
    assert orjson.loads(dumps(value)) == {
        "cost": str(2**70),
        "low": str(-(2**70)),
        "fine": 2**63,
        "nan": None,
        "3": str(object),
        "nested": [{"x": str(10**30)}],
    }
