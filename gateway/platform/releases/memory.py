"""Drafts and releases in process (embedded mode), for any area's kinds of definitions."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from gateway.platform.releases import Kinds, Release, ReleaseInfo


class MemoryDraftStore:
    def __init__(self, kinds: Kinds) -> None:
        self._kinds = kinds
        self._items: dict[tuple[str, str], dict[str, Any]] = {}

    async def all(self) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = {k: [] for k in self._kinds.names}
        for (kind, _), definition in sorted(self._items.items()):
            result[kind].append(copy.deepcopy(definition))
        return result

    async def put(self, kind: str, key: str, definition: Mapping[str, Any], by: str) -> None:
        self._items[(kind, key)] = copy.deepcopy(dict(definition))

    async def delete(self, kind: str, key: str) -> bool:
        return self._items.pop((kind, key), None) is not None

    async def replace_all(self, definitions: Mapping[str, list[dict[str, Any]]], by: str) -> None:
        kinds = self._kinds
        self._items = {
            (kind, str(d[kinds.id_field[kind]])): copy.deepcopy(d)
            for kind in kinds.names
            for d in definitions.get(kind, [])
        }


class MemoryReleaseStore:
    def __init__(self) -> None:
        self._releases: dict[int, Release] = {}

    async def append(self, release: Release) -> bool:
        if release.version in self._releases:
            return False
        self._releases[release.version] = Release(release.info, copy.deepcopy(dict(release.definitions)))
        return True

    async def get(self, version: int) -> Release | None:
        return self._releases.get(version)

    async def latest(self) -> Release | None:
        return self._releases[max(self._releases)] if self._releases else None

    async def history(self, limit: int) -> list[ReleaseInfo]:
        return [self._releases[v].info for v in sorted(self._releases, reverse=True)[:limit]]
