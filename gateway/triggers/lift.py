"""Lift of a rule, a journey, or one step of a journey: conversion of messaged people against
the held-out control group.

For the most recent deliveries of the rule (or journey step), a person *converted* if they did
the rule's goal event (`Order Completed` unless the rule names another) within `days` after
the message was recorded (any device, any channel, in store too). Lift is the messaged
conversion rate over the held-out rate, minus one. Dead deliveries count as messaged (the
intent to treat), pending ones are left out (not yet attempted). A person counts once per
delivery: a journey's held-out people get a `holdout` record at every message step, so each
step compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from gateway.identity import IdentityDirectory, IdKind, kind_of
from gateway.kernel import VisitorId
from gateway.triggers.stores.protocol import OutboxStore
from gateway.triggers.values import DeliveryStatus
from gateway.visitors import EventStore

MAX_DELIVERIES = 5000


@dataclass(frozen=True, slots=True)
class Lift:
    messaged: int
    messaged_converted: int
    held_out: int
    held_out_converted: int

    @property
    def messaged_rate(self) -> float | None:
        return self.messaged_converted / self.messaged if self.messaged else None

    @property
    def held_out_rate(self) -> float | None:
        return self.held_out_converted / self.held_out if self.held_out else None

    @property
    def lift(self) -> float | None:
        m, h = self.messaged_rate, self.held_out_rate
        return None if m is None or not h else m / h - 1


async def rule_lift(
    outbox: OutboxStore,
    events: EventStore,
    identity: IdentityDirectory,
    rule: str,
    days: float,
    *,
    step: str | None = None,
    goal: str = "Order Completed",
) -> Lift:
    found = await outbox.find(rule=rule, limit=MAX_DELIVERIES)
    counts = {True: [0, 0], False: [0, 0]}  # held out? -> [people, converted]
    for d in found:
        if d.status is DeliveryStatus.PENDING or (step is not None and d.step != step):
            continue
        held = d.status is DeliveryStatus.HOLDOUT
        idents = await identity.identifiers_of(d.profile_id)
        visitors = [d.profile_id, *(VisitorId(i.partition(":")[2]) for i in idents if kind_of(i) is IdKind.VISITOR)]
        cards = [i.partition(":")[2] for i in idents if kind_of(i) is IdKind.LOYALTY]
        history = await events.history(visitors, cards, d.created_at, 1000)
        until = d.created_at + timedelta(days=days)
        converted = any(s.event.name == goal and s.event.timestamp <= until for s in history)
        counts[held][0] += 1
        counts[held][1] += converted
    return Lift(counts[False][0], counts[False][1], counts[True][0], counts[True][1])
