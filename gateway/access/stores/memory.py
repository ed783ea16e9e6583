"""In-process admin API keys."""

from __future__ import annotations

from dataclasses import replace

from gateway.access.values import ApiKey


class MemoryApiKeyStore:
    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    async def create(self, key: ApiKey) -> None:
        self._keys[key.id] = key

    async def by_digest(self, digest: str) -> ApiKey | None:
        return next((k for k in self._keys.values() if k.digest == digest), None)

    async def list(self) -> list[ApiKey]:
        return sorted(self._keys.values(), key=lambda k: (k.created_at, k.id))

    async def revoke(self, key_id: str) -> bool:
        key = self._keys.get(key_id)
        if key is None:
            return False
        self._keys[key_id] = replace(key, revoked=True)
        return True
