"""In-process behaviour counts, impressions and experiment tallies (embedded mode)."""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Sequence
from datetime import datetime

from gateway.kernel import VisitorId
from gateway.slots.values.exposures import Exposure

SEEN_EVENT_KEYS_CAP = 500
IMPRESSIONS_CAP = 1000


class MemoryBehaviourStore:
    def __init__(self) -> None:
        self._counts: dict[tuple[VisitorId, str], Counter[str]] = defaultdict(Counter)
        self._seen: dict[VisitorId, OrderedDict[str, None]] = defaultdict(OrderedDict)

    async def record(self, visitor_id: VisitorId, event_key: str, day: str, fields: Sequence[str]) -> bool:
        seen = self._seen[visitor_id]
        if event_key in seen:
            return False
        seen[event_key] = None
        while len(seen) > SEEN_EVENT_KEYS_CAP:
            seen.popitem(last=False)
        self._counts[(visitor_id, day)].update(fields)
        return True

    async def counts(self, visitor_ids: Sequence[VisitorId], wanted: Sequence[tuple[str, str]]) -> list[int]:
        empty: Counter[str] = Counter()
        return [sum(self._counts.get((v, day), empty)[field] for v in visitor_ids) for day, field in wanted]

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, dict[str, int]]:
        return {day: dict(counts) for (vid, day), counts in sorted(self._counts.items()) if vid == visitor_id}

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        for key in [k for k in self._counts if k[0] == visitor_id]:
            del self._counts[key]
        self._seen.pop(visitor_id, None)


class MemoryImpressionStore:
    def __init__(self) -> None:
        self._served: dict[tuple[VisitorId, str], list[datetime]] = defaultdict(list)

    async def record(self, visitor_id: VisitorId, variant_ids: Sequence[str], at: datetime) -> None:
        for vid in variant_ids:
            times = self._served[(visitor_id, vid)]
            times.append(at)
            del times[:-IMPRESSIONS_CAP]

    async def counts(self, visitor_id: VisitorId, windows: Sequence[tuple[str, datetime]]) -> list[int]:
        return [sum(1 for t in self._served.get((visitor_id, vid), ()) if t >= since) for vid, since in windows]

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, list[datetime]]:
        return {vid: sorted(times) for (who, vid), times in sorted(self._served.items()) if who == visitor_id and times}

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        for key in [k for k in self._served if k[0] == visitor_id]:
            del self._served[key]


class MemoryExperimentStore:
    def __init__(self) -> None:
        self._exposed: dict[str, dict[VisitorId, Exposure]] = defaultdict(dict)
        self._marked: dict[tuple[str, str], set[VisitorId]] = defaultdict(set)
        self._counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)

    async def expose(self, experiment: str, arm: str, visitor_id: VisitorId, at: datetime) -> bool:
        exposed = self._exposed[experiment]
        if visitor_id in exposed:
            return False
        exposed[visitor_id] = Exposure(arm, at)
        self._counts[experiment][(arm, "exposures")] += 1
        return True

    async def exposures_of(self, visitor_id: VisitorId, experiments: Sequence[str]) -> list[Exposure | None]:
        return [self._exposed.get(e, {}).get(visitor_id) for e in experiments]

    async def mark(self, experiment: str, metric: str, arm: str, visitor_id: VisitorId) -> bool:
        marked = self._marked[(experiment, metric)]
        if visitor_id in marked:
            return False
        marked.add(visitor_id)
        self._counts[experiment][(arm, metric)] += 1
        return True

    async def counts(self, experiment: str) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for (arm, metric), n in self._counts.get(experiment, Counter()).items():
            result.setdefault(arm, {"exposures": 0, "clicks": 0, "conversions": 0})[metric] = n
        return result

    async def reset(self, experiment: str) -> None:
        self._exposed.pop(experiment, None)
        self._counts.pop(experiment, None)
        for key in [k for k in self._marked if k[0] == experiment]:
            del self._marked[key]

    async def export_visitor(self, visitor_id: VisitorId) -> dict[str, tuple[Exposure | None, list[str]]]:
        found: dict[str, tuple[Exposure | None, list[str]]] = {}
        for experiment, exposed in self._exposed.items():
            if visitor_id in exposed:
                found[experiment] = (exposed[visitor_id], [])
        for (experiment, metric), marked in self._marked.items():
            if visitor_id in marked:
                found.setdefault(experiment, (None, []))[1].append(metric)
        return {e: (exposure, sorted(metrics)) for e, (exposure, metrics) in sorted(found.items())}

    async def erase_visitor(self, visitor_id: VisitorId) -> None:
        # The per-arm counts are aggregates and stay; the visitor's membership goes.
        for exposed in self._exposed.values():
            exposed.pop(visitor_id, None)
        for marked in self._marked.values():
            marked.discard(visitor_id)
