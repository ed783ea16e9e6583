"""Collaborative signals in process (one instance, tests, offline evaluation)."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from operator import itemgetter

from gateway.catalogue import ProductId
from gateway.kernel import VisitorId
from gateway.recommendations.values.signals import (
    HistoryEntry,
    SignalConfig,
    SignalUpdate,
    cap_of,
    per_key,
    push_history,
    trimmed,
)

_BY_SCORE_THEN_ID = itemgetter(1, 0)  # Redis' ZREVRANGE order
APPLIED_KEYS_CAP = 1_000_000  # remembered event keys (Redis expires them after 35 days instead)


class MemorySignalStore:
    def __init__(self, config: SignalConfig | None = None) -> None:
        self._config = config or SignalConfig()
        self._lists: dict[str, dict[str, float]] = defaultdict(dict)
        self._history: dict[VisitorId, tuple[HistoryEntry, ...]] = {}
        self._applied: OrderedDict[str, None] = OrderedDict()
        self._clicks: dict[str, int] = defaultdict(int)
        self._ranked: dict[str, list[tuple[ProductId, float]]] = {}  # read cache, dropped on write

    def _apply(self, update: SignalUpdate) -> bool:
        if update.event_key in self._applied:
            return False
        self._applied[update.event_key] = None
        if len(self._applied) > APPLIED_KEYS_CAP:
            self._applied.popitem(last=False)
        touched: set[str] = set()
        for key, member, amount in update.increments:
            scores = self._lists[key]
            scores[member] = scores.get(member, 0.0) + amount
            touched.add(key)
        for key in touched:
            trimmed(self._lists[key], cap_of(key, self._config))
            self._ranked.pop(key, None)
        if update.history:
            before = self._history.get(update.visitor_id, ())
            self._history[update.visitor_id] = push_history(before, update.history, self._config.history_cap)
        for strategy in update.clicks:
            self._clicks[strategy] += 1
        return True

    async def record(self, updates: Sequence[SignalUpdate]) -> list[bool]:
        return [self._apply(u) for u in updates]

    async def histories(self, visitor_ids: Sequence[VisitorId]) -> list[tuple[HistoryEntry, ...]]:
        return [self._history.get(v, ()) for v in visitor_ids]

    async def lookup(self, keys: Sequence[str], k: int | Sequence[int]) -> list[list[tuple[ProductId, float]]]:
        out: list[list[tuple[ProductId, float]]] = []
        for key, limit in zip(keys, per_key(keys, k), strict=True):
            ranked = self._ranked.get(key)
            if ranked is None:
                scores = self._lists.get(key) or {}
                best = sorted(scores.items(), key=_BY_SCORE_THEN_ID, reverse=True)
                ranked = self._ranked[key] = [(ProductId(m), s) for m, s in best]
            out.append(ranked[: max(0, limit)])
        return out

    async def clicks(self) -> dict[str, int]:
        return dict(self._clicks)

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        self._history.pop(visitor_id, None)
        for key in [k for k in self._applied if k.startswith(f"{visitor_id}:")]:
            del self._applied[key]
