"""Nearest-neighbour answers of one loaded vector index, kept for the products asked most.

An embedding neighbour list only changes when the index does, and every refresh puts a new
index in place with a new, empty cache: so a cached answer is never stale. A FOR_YOU request
asks about the visitor's 3 newest products, which are mostly the shop's popular products and
the same ones as in the visitor's previous request; the HNSW search is most of its CPU time
(about 0.6 ms of 1 ms at 1M products, docs/recommendations.md).

Bounded: the least recently used answers go first. Used from the event loop thread only.
"""

from __future__ import annotations

from collections import OrderedDict

from gateway.catalogue import ProductId

DEFAULT_SIZE = 10_000  # answers of ~50 neighbours: about 4 KB each, ~40 MB when full
MIN_K = 50  # smaller k are answered from (and stored as) a 50-neighbour answer, so they share entries

Neighbours = list[tuple[ProductId, float]]


class NeighbourCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._answers: OrderedDict[tuple[int, int], Neighbours] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, row: int, k: int) -> Neighbours | None:
        """The cached `k` nearest others of `row`, or None; the caller may keep the list it gets."""
        key = (row, max(k, MIN_K))
        found = self._answers.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._answers.move_to_end(key)
        return found[:k]

    def put(self, row: int, k: int, neighbours: Neighbours) -> None:
        """Keep an answer that was searched with `query_k(k)` neighbours."""
        if self._size <= 0:
            return
        self._answers[(row, max(k, MIN_K))] = neighbours
        if len(self._answers) > self._size:
            self._answers.popitem(last=False)


def query_k(k: int) -> int:
    """How many neighbours to search for when `k` are wanted, so the answer can be cached."""
    return max(k, MIN_K)
