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
