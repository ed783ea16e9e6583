"""Webhook deliveries for operators: the outbox by status or profile, and retrying dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from gateway.domain.api_keys import Role
from gateway.domain.triggers import Delivery as DomainDelivery
from gateway.domain.triggers import DeliveryStatus as DomainStatus
from gateway.domain.visitor import VisitorId
from gateway.errors import InputError
from resolvers.admin.auth import AdminInfo, require_role

DeliveryStatus = strawberry.enum(DomainStatus, name="DeliveryStatus")
MAX_LIST = 500


@strawberry.type
class Delivery:
    id: strawberry.ID = strawberry.field(description="The idempotency key.")
    kind: str
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
        kind=d.kind.value,
        profile_id=strawberry.ID(d.profile_id),
        status=d.status,
        attempts=d.attempts,
        created_at=d.created_at,
        next_attempt_at=d.next_attempt_at,
        last_error=d.last_error,
        payload=cast(JSON, dict(d.payload)),
    )


@strawberry.type
class TriggersQuery:
    @strawberry.field(description="Webhook deliveries, oldest first; DEAD lists the dead letters (viewer).")
    async def deliveries(
        self,
        info: AdminInfo,
        status: DeliveryStatus | None = None,  # type: ignore[valid-type]
        profile_id: strawberry.ID | None = None,
        first: int = 100,
    ) -> list[Delivery]:
        require_role(info, Role.VIEWER)
        if not 1 <= first <= MAX_LIST:
            raise InputError(f"first must be between 1 and {MAX_LIST}", field="first")
        outbox = info.context.container.stores.outbox
        found = await outbox.find(
            status=status, profile_id=VisitorId(str(profile_id)) if profile_id else None, limit=first
        )
        return [_delivery(d) for d in found]


@strawberry.type
class TriggersMutation:
    @strawberry.mutation(description="Queue a dead delivery again with a fresh attempt budget (editor).")
    async def retry_delivery(self, info: AdminInfo, id: strawberry.ID) -> Delivery:
        require_role(info, Role.EDITOR)
        sender = info.context.container.customer.webhooks
        if sender is None:
            raise InputError("no webhook receiver is configured (VITRINE_WEBHOOK_URL)")
        return _delivery(await sender.retry(str(id)))
