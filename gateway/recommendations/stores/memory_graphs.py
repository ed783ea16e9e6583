"""Prebuilt vector index graphs in process (single instance, tests): the file's bytes per model."""

from __future__ import annotations

import asyncio
from pathlib import Path


class MemoryGraphStore:
    def __init__(self) -> None:
        self._graphs: dict[str, tuple[str, bytes]] = {}  # model -> (digest, graph file)

    async def publish(self, model: str, digest: str, path: Path) -> None:
        self._graphs[model] = (digest, await asyncio.to_thread(path.read_bytes))

    async def fetch(self, model: str, digest: str, path: Path) -> bool:
        found = self._graphs.get(model)
        if found is None or found[0] != digest:
            return False
        await asyncio.to_thread(path.write_bytes, found[1])
        return True

    async def digest(self, model: str) -> str | None:
        found = self._graphs.get(model)
        return found[0] if found else None
