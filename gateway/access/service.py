"""Authenticating admin API callers and managing their keys.

`authenticate` turns the key a request carries into a `Principal` or raises
`Unauthenticated`. The bootstrap key (VITRINE_ADMIN_API_KEY) is an admin key that lives only
in the environment: it lets an operator create the first stored keys, and can be rotated by
changing the variable. Keys are compared by digest in constant time and never logged.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime

from gateway.access.stores.protocol import ApiKeyStore
from gateway.access.values import BOOTSTRAP_KEY_ID, ApiKey, Principal, Role, digest, new_key
from gateway.kernel import InputError, NotFound, Unauthenticated

log = logging.getLogger(__name__)

MAX_NAME = 80
BOOTSTRAP_NAME = "bootstrap (VITRINE_ADMIN_API_KEY)"


class ApiKeyService:
    def __init__(self, store: ApiKeyStore, bootstrap_key: str | None) -> None:
        self._store = store
        self._bootstrap_digest = digest(bootstrap_key) if bootstrap_key else None

    async def authenticate(self, raw_key: str | None) -> Principal:
        """The caller behind `raw_key`; Unauthenticated when it is missing, unknown or revoked."""
        if not raw_key:
            raise Unauthenticated(
                "this endpoint needs an API key: send 'Authorization: Bearer <key>' (or 'X-Vitrine-Api-Key')"
            )
        found = digest(raw_key)
        if self._bootstrap_digest is not None and hmac.compare_digest(found, self._bootstrap_digest):
            return Principal(BOOTSTRAP_KEY_ID, BOOTSTRAP_NAME, Role.ADMIN)
        key = await self._store.by_digest(found)  # StoreUnavailable propagates: the caller answers 503
        if key is None or key.revoked:
            raise Unauthenticated("unknown or revoked API key; ask an admin for a new one")
        return Principal(key.id, key.name, key.role)

    async def create(self, name: str, role: Role, by: Principal) -> tuple[ApiKey, str]:
        """A new key and its secret value, which is returned only this once."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InputError(f"give the key a name of 1 to {MAX_NAME} characters (who or what uses it)", field="name")
        key_id, raw = new_key()
        key = ApiKey(key_id, name, role, digest(raw), datetime.now(UTC), by.key_id)
        await self._store.create(key)
        log.info("API key %s (%s, role %s) created by %s", key_id, name, role.value, by.key_id)
        return key, raw

    async def list(self) -> list[ApiKey]:
        return await self._store.list()

    async def names(self) -> dict[str, str]:
        """Key id -> the key's name, revoked keys too: who published, for audit lists."""
        return {BOOTSTRAP_KEY_ID: BOOTSTRAP_NAME, **{k.id: k.name for k in await self._store.list()}}

    async def revoke(self, key_id: str, by: Principal) -> None:
        if not await self._store.revoke(key_id):
            raise NotFound(f"no API key with id {key_id!r}")
        log.info("API key %s revoked by %s", key_id, by.key_id)
