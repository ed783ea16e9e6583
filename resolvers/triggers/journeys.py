"""Journeys and recommendations for operators: where people are in a journey, how many are on
each step, and a recommendation list for a customer (newsletters built elsewhere)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gateway.access import Role
from gateway.kernel import InputError, VisitorId
from gateway.recommendations import Strategy
from gateway.triggers import Position, PositionStatus
from resolvers.access.auth import AdminInfo, require_role
from resolvers.recommendations.enums import RecommendationStrategy

JourneyStatus = strawberry.enum(PositionStatus, name="JourneyStatus")
MAX_LIST = 500


@strawberry.type(description="One person's run through a journey.")
class JourneyPosition:
    journey: str
    profile_id: strawberry.ID
    step: str = strawberry.field(description="The step they are on (or 'end').")
    status: JourneyStatus  # type: ignore[valid-type]
    due_at: datetime = strawberry.field(description="When their next step runs (a wait's end).")
    entered_at: datetime
    held_out: bool = strawberry.field(description="In the journey's control group: messages recorded, never sent.")
    trigger: JSON = strawberry.field(description="What made them enter.")


@strawberry.type(description="How many of the latest runs are on a step (active) or ended there, by status.")
class JourneyStepCount:
    step: str
    status: JourneyStatus  # type: ignore[valid-type]
    people: int


@strawberry.type(description="Recommendations for one customer, as a rule's webhook would carry them now.")
class CustomerRecommendations:
    profile_id: strawberry.ID
    customer_id: str
    best_send_hour: int | None = strawberry.field(description="The hour (UTC) they are most active; null: too little.")
    strategy: str
    based_on: str | None
    items: list[JSON] = strawberry.field(description="Products as webhook payloads list them, each with a reason.")


def _position(p: Position) -> JourneyPosition:
    return JourneyPosition(
        journey=p.journey,
        profile_id=strawberry.ID(p.profile_id),
        step=p.step,
        status=p.status,
        due_at=p.due_at,
        entered_at=p.entered_at,
        held_out=p.held_out,
        trigger=cast(JSON, dict(p.context)),
    )


@strawberry.type
class JourneysQuery:
    @strawberry.field(description="People's positions in journeys, most recently entered first (viewer).")
    async def journey_positions(
        self,
        info: AdminInfo,
        journey: str | None = None,
        status: JourneyStatus | None = None,  # type: ignore[valid-type]
        profile_id: strawberry.ID | None = None,
        first: int = 100,
    ) -> list[JourneyPosition]:
        require_role(info, Role.VIEWER)
        if not 1 <= first <= MAX_LIST:
            raise InputError(f"first must be between 1 and {MAX_LIST}", field="first")
        who = VisitorId(str(profile_id)) if profile_id else None
        found = await info.context.services.triggers.positions(journey, status, who, first)
        return [_position(p) for p in found]

    @strawberry.field(description="People per step and status in a journey (viewer).")
    async def journey_counts(self, info: AdminInfo, journey: str) -> list[JourneyStepCount]:
        require_role(info, Role.VIEWER)
        counts = await info.context.services.triggers.journey_counts(journey)
        return [JourneyStepCount(step=c.step, status=c.status, people=c.people) for c in counts]

    @strawberry.field(
        description="Recommendations for a customer id, computed now like a rule's webhook "
        "`recommendations` (strategy, count, basedOn: purchases|cart|event|views, filters), with their "
        "best hour to send (viewer)."
    )
    async def customer_recommendations(
        self,
        info: AdminInfo,
        customer_id: str,
        strategy: RecommendationStrategy = RecommendationStrategy.FOR_YOU,  # type: ignore[valid-type]
        first: int = 4,
        based_on: str | None = None,
        filters: JSON | None = None,
    ) -> CustomerRecommendations:
        require_role(info, Role.VIEWER)
        spec: dict[str, Any] = {"strategy": cast(Strategy, strategy).value, "count": first}
        if based_on is not None:
            spec["basedOn"] = based_on
        if filters is not None:
            spec["filters"] = filters
        found = await info.context.services.triggers.customer_recommendations(customer_id, spec)
        return CustomerRecommendations(
            profile_id=strawberry.ID(found.profile_id),
            customer_id=found.customer_id,
            best_send_hour=found.best_send_hour,
            strategy=found.strategy,
            based_on=found.based_on,
            items=cast(list[JSON], found.items),
        )
