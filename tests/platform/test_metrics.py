"""/metrics: parseable by Prometheus' own parser, with the series a dashboard needs, bounded labels."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from gateway.execution.operations import OperationNames
from gateway.execution.persisted.documents import sha256_hex
from tests.support.appclient import Gateway, running_gateway
from tests.support.identity_helpers import TRACK, new_device
from tests.support.settings import make_settings

PAGE = "query Page { viewer { visitorId } recommendations(strategy: TRENDING, first: 5) { items { product { id } } } }"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample by (name, sorted labels), parsed by prometheus_client's text parser."""
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(gw: Gateway) -> dict[Any, float]:
    response = await gw.client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_metrics_parse_and_hold_operations_stores_events_recommendations_and_caches() -> None:
    async with running_gateway(make_settings()) as gw:
        device = await new_device(gw)
        events = [
            {"messageId": "m1", "name": "Product Viewed", "properties": {"product_id": "p-00001"}},
            {"messageId": "m1", "name": "Product Viewed", "properties": {"product_id": "p-00001"}},
            {"messageId": "m2", "name": "Product Viewed", "properties": {"product_id": "p-99999"}},
            {"messageId": "m3", "name": "No Such Event"},
        ]
        await device.gql(TRACK, {"events": events})
        apq = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(PAGE)}}
        # APQ: a persisted document, so its name is a label. Registered with its text, then sent by
        # hash alone (the in-process cache knows it); the second run reuses the compiled plan.
        for body in ({"query": PAGE, "extensions": apq}, {"extensions": apq}):
            response = await gw.client.post("/graphql", json=body)
            assert response.status_code == 200 and "errors" not in response.json(), response.text
        await gw.gql("query Adhoc { viewer { visitorId } }")  # not persisted: "other"
        await gw.gql("{ products(first: 2) { edges { node { id } } } }")
        await gw.gql("{ products(first: 2) { edges { node { id } } } }")
        found = await scrape(gw)

    assert value(found, "vitrine_graphql_operation_seconds_count", operation="Page", executor="compiled") == 2
    assert (
        value(found, "vitrine_graphql_operation_seconds_count", operation="other", executor="standard") == 5
    )  # + new device, track
    assert not [k for k in found if dict(k[1]).get("operation") == "Adhoc"]
    assert value(found, "vitrine_events_total", status="ACCEPTED") == 1
    assert value(found, "vitrine_events_total", status="DUPLICATE") == 1
    assert value(found, "vitrine_events_rejected_total", reason="UNKNOWN_PRODUCT") == 1
    assert value(found, "vitrine_events_rejected_total", reason="UNKNOWN_EVENT") == 1
    store = {"store": "visitors.events", "backend": "memory", "operation": "append"}
    assert value(found, "vitrine_store_call_seconds_count", **store) == 1
    assert value(found, "vitrine_store_errors_total", **store) == 0
    assert value(found, "vitrine_recommendation_lists_total", strategy="TRENDING") == 2
    fallbacks = {k: v for k, v in found.items() if k[0] == "vitrine_recommendation_fallbacks_total"}
    assert fallbacks and all(dict(k[1])["strategy"] == "TRENDING" for k in fallbacks)  # one signal seen
    assert value(found, "vitrine_cache_lookups_total", cache="compiled_plans", result="hit") == 1
    assert value(found, "vitrine_cache_lookups_total", cache="compiled_plans", result="miss") == 1
    assert value(found, "vitrine_cache_lookups_total", cache="page_views", result="hit") >= 1
    assert value(found, "vitrine_cache_lookups_total", cache="persisted_documents", result="hit") == 1
    assert ("vitrine_cache_lookups_total", (("cache", "neighbours"), ("result", "hit"))) in found


async def test_store_failures_are_counted_by_store_and_backend() -> None:
    from gateway.kernel import StoreUnavailable

    async with running_gateway(make_settings()) as gw:
        sessions = gw.runtime.stores.visitors.sessions

        async def down(*_: Any, **__: Any) -> Any:
            raise StoreUnavailable("Redis", "get_many")

        sessions.get_many = down  # type: ignore[method-assign]
        body = await gw.gql("{ viewer { visitorId personalized degraded } }")
        assert body["data"]["viewer"]["degraded"] == ["sessions"]
        found = await scrape(gw)
    labels = {"store": "visitors.sessions", "backend": "memory", "operation": "get_many"}
    assert value(found, "vitrine_store_errors_total", **labels) == 1
    assert value(found, "vitrine_degraded_answers_total", store="sessions") == 1


def test_operation_names_stay_bounded() -> None:
    names = OperationNames(limit=2)
    assert [names.label(n, True) for n in ("A", "B", "C", "A")] == ["A", "B", "other", "A"]
    assert names.label("A", False) == "other" and names.label(None, True) == "other"
