"""Persisted documents in process: a bounded LRU for APQ (with expiry), a dict of trusted ones."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

APQ_MAX_ENTRIES = 2000


class MemoryPersistedQueryStore:
    def __init__(
        self,
        ttl_seconds: float = 86_400,
        max_entries: int = APQ_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._automatic: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._trusted: dict[str, str] = {}

    async def get_automatic(self, sha256: str) -> str | None:
        entry = self._automatic.get(sha256)
        if entry is None:
            return None
        document, expires = entry
        if expires <= self._clock():
            del self._automatic[sha256]
            return None
        self._automatic.move_to_end(sha256)
        return document

    async def put_automatic(self, sha256: str, document: str) -> None:
        self._automatic[sha256] = (document, self._clock() + self._ttl)
        self._automatic.move_to_end(sha256)
        while len(self._automatic) > self._max:
            self._automatic.popitem(last=False)  # least recently used: a client re-sends it if needed

    async def get_trusted(self, sha256: str) -> str | None:
        return self._trusted.get(sha256)

    async def register_trusted(self, documents: Mapping[str, str]) -> int:
        new = sum(1 for h in documents if h not in self._trusted)
        self._trusted.update(documents)
        return new

    async def count_trusted(self) -> int:
        return len(self._trusted)
