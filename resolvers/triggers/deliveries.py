"""Webhook deliveries and lift for operators: the outbox by status, rule or profile, retrying
dead letters, and holdout-measured lift of every rule, journey and journey step."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.kernel import InputError, VisitorId
from gateway.triggers import Delivery as DomainDelivery
from gateway.triggers import DeliveryStatus as DomainStatus
from gateway.triggers import Lift
from gateway.triggers import TriggerKind as DomainKind
from resolvers.access.auth import AdminInfo, require_role

DeliveryStatus = strawberry.enum(DomainStatus, name="DeliveryStatus")
MAX_LIST = 500


@strawberry.type
class Delivery:
    id: strawberry.ID = strawberry.field(description="The idempotency key.")
    kind: str = strawberry.field(description="The payload's type (the Vitrine-Event header).")
    rule: str = strawberry.field(description="The rule or journey that sent it.")
    step: str | None = strawberry.field(description="The journey step that sent it.")
    profile_id: strawberry.ID
    status: DeliveryStatus  # type: ignore[valid-type]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_error: str | None
    payload: JSON


def _delivery(d: DomainDelivery) -> Delivery:
    return Delivery(
        id=strawberry.ID(d.id),
        kind=d.event_type,
        rule=d.rule,
        step=d.step,
        profile_id=strawberry.ID(d.profile_id),
        status=d.status,
        attempts=d.attempts,
        created_at=d.created_at,
        next_attempt_at=d.next_attempt_at,
        last_error=d.last_error,
        payload=cast(JSON, dict(d.payload)),
    )


TriggerKind = strawberry.enum(DomainKind, name="TriggerKind")


@strawberry.type
class TriggerLift:
    messaged: int
    messaged_converted: int
    held_out: int
    held_out_converted: int
    messaged_rate: float | None
    held_out_rate: float | None
    lift: float | None = strawberry.field(description="messagedRate / heldOutRate - 1; null without a baseline.")


def _lift(found: Lift) -> TriggerLift:
    return TriggerLift(
        messaged=found.messaged,
        messaged_converted=found.messaged_converted,
        held_out=found.held_out,
        held_out_converted=found.held_out_converted,
        messaged_rate=found.messaged_rate,
        held_out_rate=found.held_out_rate,
        lift=found.lift,
    )


def _days(days: float) -> float:
    if not 0 < days <= 90:
        raise InputError("days must be between 0 and 90", field="days")
    return days


@strawberry.type
class DeliveriesQuery:
    @strawberry.field(description="A built-in trigger's lift: its default rule's (viewer). See ruleLift.")
    async def trigger_lift(
        self,
        info: AdminInfo,
        kind: TriggerKind,  # type: ignore[valid-type]
        days: float = 7.0,
    ) -> TriggerLift:
        require_role(info, Role.VIEWER)
        return _lift(await info.context.services.triggers.lift(kind, _days(days)))

    @strawberry.field(
        description="Conversion (the rule's goal event within `days`) of messaged vs held-out people, for a rule, "
        "a journey, or one journey step (viewer)."
    )
    async def rule_lift(self, info: AdminInfo, rule: str, step: str | None = None, days: float = 7.0) -> TriggerLift:
        require_role(info, Role.VIEWER)
        return _lift(await info.context.services.triggers.rule_lift(rule, _days(days), step))

    @strawberry.field(description="Webhook deliveries, oldest first; DEAD lists the dead letters (viewer).")
    async def deliveries(
        self,
        info: AdminInfo,
        status: DeliveryStatus | None = None,  # type: ignore[valid-type]
        profile_id: strawberry.ID | None = None,
        rule: str | None = None,
        first: int = 100,
    ) -> list[Delivery]:
        require_role(info, Role.VIEWER)
        if not 1 <= first <= MAX_LIST:
            raise InputError(f"first must be between 1 and {MAX_LIST}", field="first")
        found = await info.context.services.triggers.deliveries(
            status, VisitorId(str(profile_id)) if profile_id else None, first, rule
        )
        return [_delivery(d) for d in found]


@strawberry.type
class DeliveriesMutation:
    @strawberry.mutation(description="Queue a dead delivery again with a fresh attempt budget (editor).")
    async def retry_delivery(self, info: AdminInfo, id: strawberry.ID) -> Delivery:
        require_role(info, Role.EDITOR)
        return _delivery(await info.context.services.triggers.retry_delivery(str(id)))
