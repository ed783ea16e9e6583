"""The automation workspace and its releases, in process (embedded mode)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from gateway.triggers.values.automation import ID_FIELD, KINDS
from gateway.triggers.values.releases import Release, ReleaseInfo


class MemoryAutomationDraftStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], dict[str, Any]] = {}

    async def all(self) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        for (kind, _), definition in sorted(self._items.items()):
            result[kind].append(copy.deepcopy(definition))
        return result

    async def put(self, kind: str, key: str, definition: Mapping[str, Any], by: str) -> None:
        self._items[(kind, key)] = copy.deepcopy(dict(definition))

    async def delete(self, kind: str, key: str) -> bool:
        return self._items.pop((kind, key), None) is not None

    async def replace_all(self, definitions: Mapping[str, list[dict[str, Any]]], by: str) -> None:
        self._items = {
            (kind, str(d[ID_FIELD[kind]])): copy.deepcopy(d) for kind in KINDS for d in definitions.get(kind, [])
        }


class MemoryAutomationReleaseStore:
    def __init__(self) -> None:
        self._releases: dict[int, Release] = {}

    async def append(self, release: Release) -> bool:
        if release.version in self._releases:
            return False
        self._releases[release.version] = Release(release.info, copy.deepcopy(dict(release.definitions)))
        return True

    async def get(self, version: int) -> Release | None:
        return self._releases.get(version)

    async def history(self, limit: int) -> list[ReleaseInfo]:
        return [self._releases[v].info for v in sorted(self._releases, reverse=True)[:limit]]
