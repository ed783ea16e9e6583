"""External checks against the real gateway served by uvicorn: graphql-http's
GraphQL-over-HTTP audits, and Apollo Client / urql (query, `track`, APQ over POST and GET)."""

from __future__ import annotations

from typing import Any

from tests.support.nodetools import requires_node, run_node, seed, serving
from tests.support.settings import make_settings

pytestmark = requires_node

PRODUCT = "p-00003"


async def test_graphql_over_http_audits_all_ok() -> None:
    with serving(make_settings(), seed) as url:
        result = await run_node("audit.mjs", f"{url}/graphql")
    assert result.returncode == 0, result.stderr
    report = result.json()
    assert report["failures"] == []
    assert (report["total"], report["ok"]) == (61, 61)


def _assert_apq_wire(wire: list[dict[str, Any]], retry_method: str) -> None:
    """Hash only -> PersistedQueryNotFound (200) -> retry with text and hash -> hash only, served."""
    first, retry, later = wire
    assert (first["hasQuery"], first["hasHash"], first["notFound"], first["status"]) == (False, True, True, 200)
    assert (retry["hasQuery"], retry["hasHash"], retry["notFound"], retry["method"]) == (
        True,
        True,
        False,
        retry_method,
    )
    assert (later["hasQuery"], later["hasHash"], later["notFound"], later["status"]) == (False, True, False, 200)


async def test_apollo_client_and_urql_query_track_and_apq() -> None:
    with serving(make_settings(), seed) as url:
        result = await run_node("clients.mjs", f"{url}/graphql", PRODUCT)
    assert result.returncode == 0, result.stderr
    out = result.json()
    apollo, urql = out["apollo"], out["urql"]
    assert "error" not in apollo, apollo.get("error")
    assert "error" not in urql, urql.get("error")

    for client in (apollo, urql):
        assert client["query"]["id"] == PRODUCT
        assert client["query"]["name"] == "Trail runner 3"
        assert client["query"]["price"] == {"amount": "53.00", "currency": "PLN", **_typename(client, "Money")}
        track = client["track"]
        assert (track["accepted"], track["rejected"]) == (1, 0)
        assert [p["id"] for p in track["viewer"]["session"]["recentlyViewed"]] == [PRODUCT]
        # The id the gateway issued is the one the client carried into the mutation.
        assert client["visitorHeader"].startswith(track["viewer"]["visitorId"] + ".")

    # Apollo Client kept the visitor between requests: the next query sees the event.
    assert apollo["viewerAfter"]["visitorId"] == apollo["track"]["viewer"]["visitorId"]
    assert [p["id"] for p in apollo["viewerAfter"]["session"]["recentlyViewed"]] == [PRODUCT]
    # Modern clients negotiate the GraphQL media type.
    assert all(w["contentType"].startswith("application/graphql-response+json") for w in apollo["plainWire"])

    _assert_apq_wire(apollo["apqPost"]["wire"], "POST")
    _assert_apq_wire(apollo["apqGet"]["wire"], "POST")  # Apollo retries a GET miss with POST
    assert apollo["apqGet"]["wire"][2]["method"] == "GET"
    _assert_apq_wire(urql["apq"]["wire"], "GET")
    for run in (apollo["apqPost"], apollo["apqGet"], urql["apq"]):
        assert run["first"]["id"] == run["second"]["id"] == PRODUCT


def _typename(client: dict[str, Any], name: str) -> dict[str, str]:
    """Apollo Client adds __typename to selections; urql's core client does not."""
    return {"__typename": name} if "__typename" in client["query"]["price"] else {}
