"""Segments for editors (define with the condition language of audiences, list with sizes, delete),
the condition vocabulary that fills editors' pickers, and how many profiles an audience holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.audiences import ConditionError, SegmentInvalid, SizeStatus
from gateway.audiences import Segment as DomainSegment
from gateway.kernel import InputError, NotFound
from resolvers.access.auth import AdminInfo, require_role
from resolvers.execution.info import expose


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


AudienceSizeStatus = strawberry.enum(
    SizeStatus,
    name="AudienceSizeStatus",
    description="EXACT (every profile read), ESTIMATE (a bounded sample), RANGE (depends on the page view in "
    "part) or UNKNOWN (only a page view can tell).",
)


@strawberry.type(description="How many profiles a condition holds now, as far as stored profiles can tell.")
class AudienceSize:
    status: AudienceSizeStatus  # type: ignore[valid-type]
    matching: int = strawberry.field(description="Profiles read that match whatever the page view.")
    up_to: int = strawberry.field(description="Profiles read that match or might, depending on the page view.")
    scanned: int = strawberry.field(description="Profiles read (a bounded scan).")
    complete: bool = strawberry.field(description="Every live profile was read.")
    page_view_fields: list[str] = strawberry.field(description="Fields only a page view knows, counted as unknown.")
    note: str = strawberry.field(description="The answer in an editor's words.")


@strawberry.type(description="A field a condition can test.")
class ConditionField:
    name: str = strawberry.field(description="e.g. session.country; a prefix such as profile.traits. is open-ended.")
    kind: str = strawberry.field(description="string, number, date, list, bool or any (traits: checked at evaluation).")
    help: str
    page_view: bool = strawberry.field(description="Known only during a page view (request, session, cart, clock).")


@strawberry.type(description="An operator, and the value it takes.")
class ConditionOperator:
    name: str
    takes: str = strawberry.field(description="nothing, value, list (in, notIn) or range (between: [low, high]).")
    ordered: bool = strawberry.field(description="Compares numbers or dates.")
    behaviour: bool = strawberry.field(description="May compare a behaviour count.")


@strawberry.type(description="One entry of a picker; depth is the level in the category tree.")
class PickerChoice:
    id: str
    name: str
    depth: int


@strawberry.type(description="What a condition can say, and what exists now to say it about.")
class ConditionVocabulary:
    fields: list[ConditionField]
    open_prefixes: list[ConditionField] = strawberry.field(description="Fields named by a prefix and any name.")
    operators: list[ConditionOperator]
    events: list[str] = strawberry.field(description="Event names a behaviour condition can count.")
    categories: list[PickerChoice] = strawberry.field(description="The category tree, depth first.")
    brands: list[PickerChoice]
    brands_listed: bool = strawberry.field(description="False when the catalogue is too big to list its brands.")


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
    @strawberry.field(
        description="How many profiles an audience of the workspace (key) or a condition (conditions) holds now "
        "(viewer): a bounded scan over stored profiles; page-view fields make it a range (see status and note)."
    )
    async def audience_size(
        self, info: AdminInfo, key: str | None = None, conditions: JSON | None = None
    ) -> AudienceSize:
        require_role(info, Role.VIEWER)
        services = info.context.services
        if (key is None) == (conditions is None):
            raise InputError("give either key (an audience of the workspace) or conditions (a condition tree)")
        if key is not None:
            audiences = (await services.slot_definitions.workspace())["audiences"]
            found = next((a for a in audiences if a.get("key") == key), None)
            if found is None:
                raise NotFound(f"no audience {key!r} in the workspace")
            conditions = found.get("conditions")
        if not isinstance(conditions, dict):
            raise InputError('a condition object, e.g. {"field": ..., "op": ..., "value": ...}', field="conditions")
        try:
            size = await services.audience_sizes.estimate(conditions)
        except ConditionError as exc:
            raise InputError(exc.message, field=exc.path) from None
        return AudienceSize(
            status=size.status,
            matching=size.matching,
            up_to=size.up_to,
            scanned=size.scanned,
            complete=size.complete,
            page_view_fields=list(size.page_view_fields),
            note=size.note,
        )

    @strawberry.field(description="Fields, operators, event names, categories and brands for conditions (viewer).")
    def condition_vocabulary(self, info: AdminInfo, locale: str = "en") -> ConditionVocabulary:
        require_role(info, Role.VIEWER)
        v = info.context.services.vocabulary.conditions(locale)
        return ConditionVocabulary(
            fields=[expose(f, ConditionField) for f in v.language.fields],
            open_prefixes=[expose(f, ConditionField) for f in v.language.open_prefixes],
            operators=[expose(o, ConditionOperator) for o in v.language.operators],
            events=list(v.events),
            categories=[expose(c, PickerChoice) for c in v.categories],
            brands=[expose(b, PickerChoice) for b in v.brands],
            brands_listed=v.brands_listed,
        )

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
