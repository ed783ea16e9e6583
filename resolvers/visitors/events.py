"""The `track` mutation: the GraphQL twin of `POST /v1/events`."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from gateway.kernel import Channel as DomainChannel
from gateway.visitors import EventDraft
from gateway.visitors import EventStatus as DomainStatus
from resolvers.execution.info import Info
from resolvers.visitors.viewer import Viewer, load_viewer

Channel = strawberry.enum(DomainChannel, name="Channel")


@strawberry.enum
class EventType(Enum):
    TRACK = "track"
    PAGE = "page"
    SCREEN = "screen"
    IDENTIFY = "identify"


EventStatus = strawberry.enum(DomainStatus, name="EventStatus")


@strawberry.input(description="One behaviour event. See docs/events.md for names and properties.")
class EventInput:
    message_id: str = strawberry.field(description="Unique per event; a retry with the same id is stored once.")
    type: EventType = EventType.TRACK
    name: str | None = strawberry.field(default=None, description="Segment e-commerce v2 name, e.g. Product Viewed.")
    channel: Channel | None = None  # type: ignore[valid-type]
    timestamp: str | None = strawberry.field(default=None, description="ISO 8601 with zone; defaults to now.")
    properties: JSON | None = None


@strawberry.type
class EventResult:
    index: int
    message_id: str | None
    status: EventStatus  # type: ignore[valid-type]
    code: str | None
    reason: str | None


@strawberry.type
class TrackPayload:
    accepted: int
    duplicates: int
    rejected: int
    results: list[EventResult]
    viewer: Viewer = strawberry.field(description="The visitor after these events (read-your-writes).")


def _draft(event: EventInput) -> EventDraft:
    return EventDraft(
        message_id=event.message_id,
        type=event.type.value,
        name=event.name,
        channel=event.channel.value if event.channel is not None else None,
        timestamp=event.timestamp,
        properties=event.properties,
    )


@strawberry.type
class EventsMutation:
    @strawberry.mutation(description="Record behaviour events for the current visitor.")
    async def track(self, info: Info, events: list[EventInput]) -> TrackPayload:
        ctx = info.context
        result = await ctx.services.events.track(ctx.visitor, [_draft(e) for e in events])
        ctx.reset_visitor()
        results = [
            EventResult(
                index=o.index,
                message_id=o.message_id,
                status=o.status,
                code=o.code.value if o.code else None,
                reason=o.reason,
            )
            for o in result.outcomes
        ]
        return TrackPayload(
            accepted=result.count(DomainStatus.ACCEPTED),
            duplicates=result.count(DomainStatus.DUPLICATE),
            rejected=result.count(DomainStatus.REJECTED),
            results=results,
            viewer=await load_viewer(info),
        )
