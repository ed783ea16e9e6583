"""Lift of a trigger: conversion of messaged people against its held-out control group.

For the most recent deliveries of one trigger type, a person *converted* if they completed an
order within `days` after the trigger fired (any device, any channel, in store too). Lift is
the messaged conversion rate over the held-out rate, minus one. Dead deliveries count as
messaged (the intent to treat), pending ones are left out (not yet attempted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from gateway.identity import IdentityDirectory, IdKind, kind_of
from gateway.kernel import VisitorId
from gateway.triggers.stores.protocol import OutboxStore
from gateway.triggers.values import DeliveryStatus, TriggerKind
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


async def trigger_lift(
    outbox: OutboxStore, events: EventStore, identity: IdentityDirectory, kind: TriggerKind, days: float
) -> Lift:
    found = await outbox.find(limit=MAX_DELIVERIES)
    counts = {True: [0, 0], False: [0, 0]}  # held out? -> [people, converted]
    for d in found:
        if d.kind is not kind or d.status is DeliveryStatus.PENDING:
            continue
        held = d.status is DeliveryStatus.HOLDOUT
        idents = await identity.identifiers_of(d.profile_id)
        visitors = [d.profile_id, *(VisitorId(i.partition(":")[2]) for i in idents if kind_of(i) is IdKind.VISITOR)]
        cards = [i.partition(":")[2] for i in idents if kind_of(i) is IdKind.LOYALTY]
        history = await events.history(visitors, cards, d.created_at, 1000)
        until = d.created_at + timedelta(days=days)
        converted = any(s.event.name == "Order Completed" and s.event.timestamp <= until for s in history)
        counts[held][0] += 1
        counts[held][1] += converted
    return Lift(counts[False][0], counts[False][1], counts[True][0], counts[True][1])
