"""ApiKeyStore contract, run against the memory store and MongoDB."""

from __future__ import annotations

from datetime import timedelta

from gateway.access.values import ApiKey, Role, digest
from gateway.wiring import Stores
from tests.support.factories import NOW


def key(key_id: str, role: Role = Role.EDITOR, minutes: int = 0) -> ApiKey:
    return ApiKey(key_id, f"key {key_id}", role, digest(f"secret-{key_id}"), NOW + timedelta(minutes=minutes), "boot")


async def test_create_then_find_by_digest_only(stores: Stores) -> None:
    await stores.api_keys.create(key("k1", Role.VIEWER))
    found = await stores.api_keys.by_digest(digest("secret-k1"))
    assert found == key("k1", Role.VIEWER)
    assert await stores.api_keys.by_digest(digest("secret-k2")) is None
    assert await stores.api_keys.by_digest("secret-k1") is None  # the raw key is not what is stored


async def test_list_oldest_first_and_revoke(stores: Stores) -> None:
    await stores.api_keys.create(key("k2", minutes=5))
    await stores.api_keys.create(key("k1", Role.ADMIN))
    assert [k.id for k in await stores.api_keys.list()] == ["k1", "k2"]
    assert await stores.api_keys.revoke("k2") is True
    assert await stores.api_keys.revoke("nope") is False
    revoked = await stores.api_keys.by_digest(digest("secret-k2"))
    assert revoked is not None and revoked.revoked
    assert [k.revoked for k in await stores.api_keys.list()] == [False, True]
