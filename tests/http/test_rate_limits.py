"""Rate limiting per IP and per visitor, counted in the real stores (memory and Redis)."""

from __future__ import annotations

from dataclasses import replace

from gateway.kernel.visitor import VisitorId
from gateway.settings import Settings
from gateway.visitors.tokens import sign
from tests.support.appclient import running_gateway

QUERY = {"query": "{ __typename }"}


async def test_per_ip_limit_answers_429_with_retry_after(backend_settings: Settings) -> None:
    settings = replace(backend_settings, rate_limit_ip_per_minute=3)
    async with running_gateway(settings, products=()) as gw:
        statuses = [(await gw.client.post("/graphql", json=QUERY)).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        limited = await gw.client.post("/graphql", json=QUERY)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        error = limited.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED" and "this address" in error["message"]
        # The events API shares the budget; health checks are never limited.
        assert (await gw.client.post("/v1/events", json={"events": []})).status_code == 429
        assert (await gw.client.get("/healthz")).status_code == 200


async def test_per_visitor_limit_counts_verified_visitors_only(backend_settings: Settings) -> None:
    settings = replace(backend_settings, rate_limit_visitor_per_minute=2)
    token = sign(VisitorId("v_ratelimitedaaaaaaaaaaa"), settings.secret_keys)
    other = sign(VisitorId("v_someoneelseaaaaaaaaaaa"), settings.secret_keys)
    async with running_gateway(settings, products=()) as gw:
        mine = {"x-vitrine-visitor": token}
        assert [(await gw.client.post("/graphql", json=QUERY, headers=mine)).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        limited = await gw.client.post("/graphql", json=QUERY, headers=mine)
        assert "this visitor" in limited.json()["errors"][0]["message"] and limited.headers["retry-after"]
        # Another visitor, and anonymous requests (a new id each time), are not affected.
        assert (await gw.client.post("/graphql", json=QUERY, headers={"x-vitrine-visitor": other})).status_code == 200
        for _ in range(4):
            gw.client.cookies.clear()  # a client that drops the cookie it was given
            assert (await gw.client.post("/graphql", json=QUERY)).status_code == 200


async def test_limits_are_off_by_default_in_development(backend_settings: Settings) -> None:
    async with running_gateway(backend_settings, products=()) as gw:
        assert {(await gw.client.post("/graphql", json=QUERY)).status_code for _ in range(30)} == {200}
