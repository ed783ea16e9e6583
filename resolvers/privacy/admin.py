"""Data subject requests for operators (admin role): export or erase everything about a visitor."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.kernel import InputError, VisitorId
from resolvers.access.auth import AdminInfo, require_role


@strawberry.type
class ErasureReport:
    profiles: int
    identifiers: int
    events: int
    sessions: int
    deliveries: int
    timers: int


IDENTIFIER_HELP = (
    'Who the request is about, as "kind:value": email:anna@example.com (hashed as stored), customer:<id>, '
    "loyalty:<card>, or visitor:<id>. Give this or visitorId."
)


async def _person(info: AdminInfo, visitor_id: strawberry.ID | None, identifier: str | None) -> VisitorId:
    if (visitor_id is None) == (identifier is None):
        raise InputError("give exactly one of visitorId and identifier", field="identifier")
    if identifier is not None:
        return await info.context.services.privacy.person_of(identifier)
    return VisitorId(str(visitor_id))


@strawberry.type
class PrivacyQuery:
    @strawberry.field(description="Everything stored about a person, found by a visitor id or an identifier (admin).")
    async def export_visitor_data(
        self,
        info: AdminInfo,
        visitor_id: strawberry.ID | None = None,
        identifier: Annotated[str | None, strawberry.argument(description=IDENTIFIER_HELP)] = None,
    ) -> JSON:
        require_role(info, Role.ADMIN)
        return cast(JSON, await info.context.services.privacy.export(await _person(info, visitor_id, identifier)))


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="Erase a person from every store; aggregates only remain (admin).")
    async def forget_visitor(
        self,
        info: AdminInfo,
        visitor_id: strawberry.ID | None = None,
        identifier: Annotated[str | None, strawberry.argument(description=IDENTIFIER_HELP)] = None,
    ) -> ErasureReport:
        require_role(info, Role.ADMIN)
        report = await info.context.services.privacy.forget(await _person(info, visitor_id, identifier))
        return ErasureReport(
            profiles=report.profiles,
            identifiers=report.identifiers,
            events=report.events,
            sessions=report.sessions,
            deliveries=report.deliveries,
            timers=report.timers,
        )
