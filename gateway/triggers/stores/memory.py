"""In-process trigger timers and webhook outbox (single process only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from gateway.kernel import VisitorId
from gateway.triggers.values import COUNTS_FOR_CAP, Delivery, DeliveryStatus, Timer


class MemoryTimerStore:
    def __init__(self) -> None:
        self._timers: dict[str, tuple[Timer, str | None, datetime | None]] = {}  # timer, claimed by, until

    async def schedule(self, timer: Timer) -> None:
        held = self._timers.get(timer.key)
        if held is not None and held[0].due_at > timer.due_at:
            return  # a later deadline is already set: an older event never pulls it earlier
        version = held[0].version + 1 if held else 1
        self._timers[timer.key] = (replace(timer, version=version), None, None)

    async def cancel(self, key: str) -> None:
        self._timers.pop(key, None)

    async def claim_due(self, now: datetime, owner: str, lease_seconds: float, limit: int) -> list[Timer]:
        claimed: list[Timer] = []
        for key, (timer, _, until) in sorted(self._timers.items(), key=lambda kv: kv[1][0].due_at):
            if len(claimed) >= limit:
                break
            if timer.due_at <= now and (until is None or until <= now):
                self._timers[key] = (timer, owner, now + timedelta(seconds=lease_seconds))
                claimed.append(timer)
        return claimed

    async def done(self, timer: Timer) -> None:
        held = self._timers.get(timer.key)
        if held is not None and held[0].version == timer.version:
            del self._timers[timer.key]

    async def erase(self, profile_id: VisitorId) -> int:
        keys = [k for k, (t, _, _) in self._timers.items() if t.profile_id == profile_id]
        for key in keys:
            del self._timers[key]
        return len(keys)


class MemoryOutboxStore:
    def __init__(self) -> None:
        self._items: dict[str, tuple[Delivery, datetime | None]] = {}  # delivery, claimed until

    async def enqueue(self, delivery: Delivery) -> bool:
        if delivery.id in self._items:
            return False
        self._items[delivery.id] = (delivery, None)
        return True

    async def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[Delivery]:
        due: list[Delivery] = []
        for key, (d, until) in sorted(self._items.items(), key=lambda kv: kv[1][0].created_at):
            if len(due) >= limit:
                break
            ready = d.next_attempt_at is None or d.next_attempt_at <= now
            if d.status is DeliveryStatus.PENDING and ready and (until is None or until <= now):
                self._items[key] = (d, now + timedelta(seconds=lease_seconds))
                due.append(d)
        return due

    async def record(self, delivery: Delivery) -> None:
        """Store the outcome of an attempt (status, attempts, next attempt, error); releases the claim."""
        if delivery.id in self._items:
            self._items[delivery.id] = (delivery, None)

    async def count_since(self, profile_id: VisitorId, rule: str, since: datetime) -> int:
        return sum(
            1
            for d, _ in self._items.values()
            if d.profile_id == profile_id and d.rule == rule and d.created_at >= since and d.status in COUNTS_FOR_CAP
        )

    async def find(
        self,
        *,
        status: DeliveryStatus | None = None,
        profile_id: VisitorId | None = None,
        rule: str | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        found = [
            d
            for d, _ in self._items.values()
            if (status is None or d.status is status)
            and (profile_id is None or d.profile_id == profile_id)
            and (rule is None or d.rule == rule)
        ]
        return sorted(found, key=lambda d: d.created_at)[:limit]

    async def erase(self, profile_ids: Sequence[VisitorId]) -> int:
        keys = [k for k, (d, _) in self._items.items() if d.profile_id in set(profile_ids)]
        for key in keys:
            del self._items[key]
        return len(keys)
