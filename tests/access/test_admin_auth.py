"""The admin API's keys and roles: 401 without a known key, 403 with a too-weak role."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from gateway.access.values import Role
from gateway.settings import Settings
from tests.support.appclient import Gateway, running_gateway

BOOTSTRAP = "bootstrap-admin-key-0123456789-abcdefghijkl"

CREATE = """mutation($name: String!, $role: Role!) {
  createApiKey(name: $name, role: $role) { secret apiKey { id name role revoked createdBy } } }"""
ME = "{ me { keyId name role } }"
KEYS = "{ apiKeys { id role revoked } }"


@pytest.fixture
async def admin_gw(backend_settings: Settings) -> AsyncIterator[Gateway]:
    from dataclasses import replace

    async with running_gateway(replace(backend_settings, admin_api_key=BOOTSTRAP), products=()) as gw:
        yield gw


async def create_key(gw: Gateway, role: Role, name: str = "someone") -> tuple[str, str]:
    body = await gw.admin(CREATE, {"name": name, "role": role.name}, key=BOOTSTRAP)
    created = body["data"]["createApiKey"]
    return created["apiKey"]["id"], created["secret"]


async def test_no_key_or_unknown_key_is_401(admin_gw: Gateway) -> None:
    for key in (None, "vk_nothere_0123456789"):
        body = await admin_gw.admin(ME, key=key, status=401)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "API key" in error["message"]
    response = await admin_gw.client.post("/admin/graphql", json={"query": ME})
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_bootstrap_admin_creates_keys_that_work_with_their_role(admin_gw: Gateway) -> None:
    key_id, secret = await create_key(admin_gw, Role.EDITOR, "Anna (content)")
    assert secret.startswith(f"vk_{key_id}_")
    me = await admin_gw.admin(ME, key=secret)
    assert me["data"]["me"] == {"keyId": key_id, "name": "Anna (content)", "role": "EDITOR"}
    # X-Vitrine-Api-Key works as well as a bearer token.
    response = await admin_gw.client.post("/admin/graphql", json={"query": ME}, headers={"x-vitrine-api-key": secret})
    assert response.json()["data"]["me"]["keyId"] == key_id
    listed = await admin_gw.admin(KEYS, key=BOOTSTRAP)
    assert listed["data"]["apiKeys"] == [{"id": key_id, "role": "EDITOR", "revoked": False}]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
async def test_wrong_role_is_403_with_the_role_needed(admin_gw: Gateway, role: Role) -> None:
    _, secret = await create_key(admin_gw, role)
    body = await admin_gw.admin(KEYS, key=secret, status=403)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "needs the admin role" in error["message"] and role.value in error["message"]
    body = await admin_gw.admin(CREATE, {"name": "x", "role": "ADMIN"}, key=secret, status=403)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_admin_key_manages_keys_and_revocation_is_immediate(admin_gw: Gateway) -> None:
    admin_id, admin_secret = await create_key(admin_gw, Role.ADMIN, "ops")
    viewer_id, viewer_secret = await create_key(admin_gw, Role.VIEWER, "analyst")
    revoke = "mutation($id: ID!) { revokeApiKey(id: $id) }"
    assert (await admin_gw.admin(revoke, {"id": viewer_id}, key=admin_secret))["data"]["revokeApiKey"] is True
    await admin_gw.admin(ME, key=viewer_secret, status=401)
    missing = await admin_gw.admin(revoke, {"id": "nope"}, key=admin_secret)
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    bad_name = await admin_gw.admin(CREATE, {"name": "  ", "role": "VIEWER"}, key=admin_secret)
    assert "name" in bad_name["errors"][0]["message"]
    assert admin_id != viewer_id


async def test_keys_never_reach_the_logs(admin_gw: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, secret = await create_key(admin_gw, Role.EDITOR)
    await admin_gw.admin(ME, key=secret)
    await admin_gw.admin(ME, key="vk_wrong_key", status=401)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert BOOTSTRAP not in logged and secret not in logged
    assert BOOTSTRAP not in repr(admin_gw.runtime.settings)


async def test_no_bootstrap_key_means_nobody_gets_in(backend_settings: Settings) -> None:
    async with running_gateway(backend_settings, products=()) as gw:
        await gw.admin(ME, key=BOOTSTRAP, status=401)


async def test_admin_schema_is_not_federated(admin_gw: Gateway) -> None:
    body = await admin_gw.admin("{ __schema { queryType { fields { name } } } }", key=BOOTSTRAP)
    names = {f["name"] for f in body["data"]["__schema"]["queryType"]["fields"]}
    assert "_service" not in names and "_entities" not in names and "me" in names
