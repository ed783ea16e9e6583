"""Recommendation lists kept between requests, for the same visitor state only.

A list depends on the visitor's stored state (its fingerprint: session, profile copy, the
person's other devices), the request, the catalogue snapshot, the loaded vector index, and the
collaborative signals every other visitor keeps moving. The key holds all of these, the last
as a time bucket (staggered per visitor, so lists do not all expire at once): another visitor's
events reach a cached list within `SIGNALS_FRESHNESS_SECONDS`,
the visitor's own next event at once (their fingerprint changes). A new recommendation id is
minted each time a list is served. Bounded: the least recently used list goes first.
"""

from __future__ import annotations

from gateway.platform.lru import Lru
from gateway.recommendations.values.recommendations import Fallback, Recommended

SIGNALS_FRESHNESS_SECONDS = 60.0
DEFAULT_SIZE = 20_000

Entry = tuple[tuple[Recommended, ...], tuple[Fallback, ...]]


class ListCache(Lru[Entry]):
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        super().__init__(size)
