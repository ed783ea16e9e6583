"""Segments for editors: define (same condition language as audiences), list with sizes, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.audiences import Segment as DomainSegment
from gateway.audiences import SegmentInvalid
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


@strawberry.type(description="Something to fix in a definition: where (a JSON path) and how.")
class DefinitionProblem:
    path: str
    message: str


@strawberry.type(description="The segment saved (ok), or every problem to fix (not ok; nothing saved).")
class SegmentPayload:
    ok: bool
    segment: Segment | None
    problems: list[DefinitionProblem]


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
    @strawberry.mutation(
        description="Create or replace a segment (editor); answers every problem at once, like the slot saves. "
        "Members fill in as events arrive."
    )
    async def save_segment(
        self, info: AdminInfo, key: str, name: str, definition: JSON, description: str = ""
    ) -> SegmentPayload:
        require_role(info, Role.EDITOR)
        if not isinstance(definition, dict):
            problem = DefinitionProblem(
                path="conditions", message='a condition object, e.g. {"field": ..., "op": ..., "value": ...}'
            )
            return SegmentPayload(ok=False, segment=None, problems=[problem])
        raw: dict[str, Any] = definition
        service = info.context.services.segments
        try:
            saved = await service.save(key, name, description, raw)
        except SegmentInvalid as exc:
            problems = [DefinitionProblem(path=path, message=message) for path, message in exc.problems]
            return SegmentPayload(ok=False, segment=None, problems=problems)
        return SegmentPayload(ok=True, segment=_segment(saved, await service.sizes()), problems=[])

    @strawberry.mutation(description="Delete a segment and its memberships (editor).")
    async def delete_segment(self, info: AdminInfo, key: str) -> bool:
        require_role(info, Role.EDITOR)
        await info.context.services.segments.delete(key)
        return True

    @strawberry.mutation(description="Re-evaluate every profile against every segment now (editor); answers changes.")
    async def reevaluate_segments(self, info: AdminInfo) -> int:
        require_role(info, Role.EDITOR)
        return await info.context.services.segments.reevaluate_all(time_based_only=False)
