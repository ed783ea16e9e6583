"""Segments for editors: define (same condition language as audiences), list with sizes, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.audiences import Segment as DomainSegment
from gateway.kernel import InputError
from resolvers.access.auth import AdminInfo, require_role


@strawberry.type
class Segment:
    key: strawberry.ID
    name: str
    description: str
    definition: JSON = strawberry.field(description="The condition tree (docs/editors.md, docs/identity.md).")
    time_based: bool = strawberry.field(description="Re-evaluated on a schedule as well as on events.")
    updated_at: datetime
    size: int = strawberry.field(description="Profiles in the segment now.")


def _segment(s: DomainSegment, sizes: dict[str, int]) -> Segment:
    return Segment(
        key=strawberry.ID(s.key),
        name=s.name,
        description=s.description,
        definition=cast(JSON, dict(s.definition)),
        time_based=s.time_based,
        updated_at=s.updated_at,
        size=sizes.get(s.key, 0),
    )


@strawberry.type
class SegmentsQuery:
    @strawberry.field(description="Every segment with its current size (viewer).")
    async def segments(self, info: AdminInfo) -> list[Segment]:
        require_role(info, Role.VIEWER)
        service = info.context.services.segments
        sizes = await service.sizes()
        return [_segment(s, sizes) for s in await service.definitions()]


@strawberry.type
class SegmentsMutation:
    @strawberry.mutation(description="Create or replace a segment (editor). Members fill in as events arrive.")
    async def save_segment(
        self, info: AdminInfo, key: str, name: str, definition: JSON, description: str = ""
    ) -> Segment:
        require_role(info, Role.EDITOR)
        if not isinstance(definition, dict):
            raise InputError('definition must be a condition object, e.g. {"field": ..., "op": ..., "value": ...}')
        raw: dict[str, Any] = definition
        service = info.context.services.segments
        saved = await service.save(key, name, description, raw)
        return _segment(saved, await service.sizes())

    @strawberry.mutation(description="Delete a segment and its memberships (editor).")
    async def delete_segment(self, info: AdminInfo, key: str) -> bool:
        require_role(info, Role.EDITOR)
        await info.context.services.segments.delete(key)
        return True

    @strawberry.mutation(description="Re-evaluate every profile against every segment now (editor); answers changes.")
    async def reevaluate_segments(self, info: AdminInfo) -> int:
        require_role(info, Role.EDITOR)
        return await info.context.services.segments.reevaluate_all(time_based_only=False)
