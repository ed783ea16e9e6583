"""A bounded least-recently-used map, for what a process keeps between requests.

Keys must name everything the value depends on (callers document their keys); the bound keeps
memory flat however many visitors come by. Hits and misses are counted for the metrics.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


def staggered_bucket(now: float, owner: str, seconds: float) -> int:
    """A time bucket of `seconds` for what one owner's kept entries may lag behind, each owner's
    boundaries shifted by a phase of its own: entries of many visitors then expire spread over
    the period, not all at the same instant (which made every visitor's next page a miss at
    once: a burst of recomputation each period). Any `seconds` of time still moves the bucket."""
    phase = (zlib.crc32(owner.encode()) % 1000) / 1000 * seconds
    return int((now + phase) // seconds)


class Lru(Generic[V]):
    def __init__(self, size: int) -> None:
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._size = size
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
