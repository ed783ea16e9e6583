"""`identify`, `alias` and `setConsent`: linking the visitor to a customer, and consent.

`identify` records an identify event (the same as one sent to `POST /v1/events`), so the
link is made by the event pipeline and survives an outage through replay.
"""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gateway.kernel import InputError
from gateway.visitors import EventDraft, EventStatus
from gateway.visitors import Purpose as DomainPurpose
from resolvers.execution.info import Info
from resolvers.visitors.viewer import Viewer, load_viewer


@strawberry.type
class IdentifyPayload:
    accepted: bool
    code: str | None = strawberry.field(
        description="Why it was refused: IDENTITY_UNPROVEN, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_FOREIGN, "
        "TOKEN_REPLAYED, IDENTITY_CONFLICT, IDENTIFIER_LIMIT, RATE_LIMITED, NO_CONSENT..."
    )
    reason: str | None
    profile_id: strawberry.ID = strawberry.field(description="The merged profile this visitor now feeds.")
    viewer: Viewer


@strawberry.type
class AliasPayload:
    profile_id: strawberry.ID
    merged: int = strawberry.field(description="How many other profiles were merged by this call.")
    viewer: Viewer


@strawberry.enum
class ConsentPurpose(Enum):
    ANALYTICS = "analytics"
    PERSONALIZATION = "personalization"
    MARKETING = "marketing"


@strawberry.input
class ConsentInput:
    purpose: ConsentPurpose
    granted: bool


@strawberry.type
class ConsentPayload:
    viewer: Viewer


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="Link the current visitor to the customer your backend vouches for in `identityToken`; "
        "every profile sharing one of its identifiers merges (never two different customers)."
    )
    async def identify(
        self,
        info: Info,
        identity_token: Annotated[
            str | None,
            strawberry.argument(
                description="The short-lived JWT your backend issues at login for this visitor "
                "(viewer.visitorId), naming every identifier (docs/identity.md). Without it only traits are kept."
            ),
        ] = None,
        customer_id: Annotated[
            str | None, strawberry.argument(description="Must be named in identityToken too.")
        ] = None,
        email: Annotated[str | None, strawberry.argument(description="Must be named in identityToken too.")] = None,
        loyalty_card_id: Annotated[
            str | None, strawberry.argument(description="Must be named in identityToken too.")
        ] = None,
        traits: JSON | None = None,
        message_id: Annotated[str | None, strawberry.argument(description="For retries; random by default.")] = None,
    ) -> IdentifyPayload:
        ctx = info.context
        props: dict[str, Any] = {}
        for key, value in (
            ("identityToken", identity_token),
            ("customerId", customer_id),
            ("email", email),
            ("loyaltyCardId", loyalty_card_id),
        ):
            if value is not None:
                props[key] = value
        if traits is not None:
            if not isinstance(traits, dict):
                raise InputError("traits must be an object", field="traits")
            props["traits"] = traits
        draft = EventDraft(message_id or f"identify-{uuid.uuid4().hex}", type="identify", properties=props)
        result = await ctx.services.events.track(ctx.visitor, [draft])
        ctx.reset_visitor()
        (outcome,) = result.outcomes
        return IdentifyPayload(
            accepted=outcome.status is not EventStatus.REJECTED,
            code=outcome.code.value if outcome.code else None,
            reason=outcome.reason,
            profile_id=strawberry.ID(await ctx.services.identity.root(ctx.visitor.id)),
            viewer=await load_viewer(info),
        )

    @strawberry.mutation(description="Link another device of the same person (its signed visitor token), no login.")
    async def alias(self, info: Info, visitor_token: str) -> AliasPayload:
        ctx = info.context
        result = await ctx.services.identity.alias(ctx.visitor, visitor_token)
        ctx.reset_visitor()
        return AliasPayload(
            profile_id=strawberry.ID(result.profile_id), merged=len(result.merged), viewer=await load_viewer(info)
        )

    @strawberry.mutation(description="Record the visitor's consent decisions, each with this time and source.")
    async def set_consent(self, info: Info, purposes: list[ConsentInput], source: str) -> ConsentPayload:
        ctx = info.context
        decisions = {DomainPurpose(p.purpose.value): p.granted for p in purposes}
        await ctx.services.consent.record(ctx.visitor.id, decisions, source)
        ctx.reset_visitor()
        return ConsentPayload(viewer=await load_viewer(info))
