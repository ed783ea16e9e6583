"""Data subject requests for operators (admin role): export or erase everything about a visitor."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.kernel import VisitorId
from resolvers.access.auth import AdminInfo, require_role


@strawberry.type
class ErasureReport:
    profiles: int
    identifiers: int
    events: int
    sessions: int
    deliveries: int
    timers: int


@strawberry.type
class PrivacyQuery:
    @strawberry.field(description="Everything stored about the person this visitor id belongs to (admin).")
    async def export_visitor_data(self, info: AdminInfo, visitor_id: strawberry.ID) -> JSON:
        require_role(info, Role.ADMIN)
        return cast(JSON, await info.context.services.privacy.export(VisitorId(str(visitor_id))))


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="Erase the person from every store; aggregates only remain (admin).")
    async def forget_visitor(self, info: AdminInfo, visitor_id: strawberry.ID) -> ErasureReport:
        require_role(info, Role.ADMIN)
        report = await info.context.services.privacy.forget(VisitorId(str(visitor_id)))
        return ErasureReport(
            profiles=report.profiles,
            identifiers=report.identifiers,
            events=report.events,
            sessions=report.sessions,
            deliveries=report.deliveries,
            timers=report.timers,
        )
