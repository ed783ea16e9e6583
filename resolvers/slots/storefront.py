"""Personalized slots on the storefront: `slot(key)` and `slots(keys)`.

Each answer is the content of one kind (a `SlotContent` union member) plus the `decision`:
which variant, why, which conditions matched, and the experiment arm if any. Send
`decision.id` back as `properties.decision_id` of `Promotion Clicked` to count clicks.
"""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from gateway.kernel import InputError
from gateway.slots import Decision as DomainDecision
from gateway.slots import Reason, RequestFacts
from gateway.slots import content as dcontent
from resolvers.catalogue import Product, load_products
from resolvers.execution.info import Info

DecisionReason = strawberry.enum(
    Reason,
    name="DecisionReason",
    description="Why this content: EXPERIMENT, HOLDOUT, AUDIENCE_MATCH, DEFAULT, FREQUENCY_CAPPED, "
    "CHANNEL_NOT_SERVED, FORCED (preview) or PERSONALIZATION_UNAVAILABLE (failed open).",
)
MAX_CAROUSEL = 50


@strawberry.input(description="What the storefront knows about this page view; all optional.")
class SlotContext:
    channel: str | None = strawberry.field(default=None, description="web, app, kiosk...; default: the visitor's.")
    device: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2, e.g. PL.")
    city: str | None = None
    utm_source: str | None = None
    utm_campaign: str | None = None
    referrer: str | None = None


@strawberry.type(description="The visitor's arm of a running experiment.")
class ExperimentAssignment:
    key: str
    arm: str
    holdout: bool = strawberry.field(description="True when held out: the slot's default content is shown.")


@strawberry.type(description="Why the slot shows this content.")
class Decision:
    id: strawberry.ID = strawberry.field(description="Send back with Promotion Clicked as properties.decision_id.")
    variant_id: strawberry.ID | None = strawberry.field(description="Null when the slot's default content is shown.")
    reason: DecisionReason  # type: ignore[valid-type]
    detail: str | None
    matched_conditions: list[str] = strawberry.field(description="The targeting conditions that held, in order.")
    experiment: ExperimentAssignment | None
    release: int = strawberry.field(description="The published release of slot definitions that decided.")


@strawberry.type(description="A hero or promotional banner.")
class Banner:
    slot_key: str
    decision: Decision
    title: str
    subtitle: str | None
    image_url: str
    alt_text: str
    cta: str | None
    link: str
    text_colour: str | None
    background_colour: str | None


async def _carousel_products(root: ProductCarousel, info: Info, first: int = 12) -> list[Product]:
    first = max(0, min(first, MAX_CAROUSEL))
    ctx = info.context
    visitor = await ctx.loaders.visitors.load(ctx.visitor.id)
    ids = await ctx.services.recommendations.carousel(visitor, root.product_ids, root.strategy, first, ctx.locale)
    return await load_products(info, ids)


@strawberry.type(description="A row of products: a fixed list, or a recommendation strategy.")
class ProductCarousel:
    slot_key: str
    decision: Decision
    title: str
    strategy: str | None = strawberry.field(description="The recommendation strategy to fill it with, if any.")
    product_ids: strawberry.Private[tuple[str, ...]]
    products: list[Product] = strawberry.field(resolver=_carousel_products)


@strawberry.type(description="Editor-written HTML, shown as is.")
class HtmlBlock:
    slot_key: str
    decision: Decision
    html: str


@strawberry.type(description="Any JSON the storefront knows how to render.")
class JsonBlock:
    slot_key: str
    decision: Decision
    data: JSON


SlotContent = Annotated[Banner | ProductCarousel | HtmlBlock | JsonBlock, strawberry.union("SlotContent")]


def to_decision(d: DomainDecision) -> Decision:
    a = d.assignment
    return Decision(
        id=strawberry.ID(d.id),
        variant_id=strawberry.ID(d.variant.id) if d.variant else None,
        reason=d.reason,
        detail=d.detail,
        matched_conditions=list(d.matched_conditions),
        experiment=ExperimentAssignment(key=a.experiment, arm=a.arm, holdout=a.holdout) if a else None,
        release=d.version,
    )


def to_content(d: DomainDecision) -> Banner | ProductCarousel | HtmlBlock | JsonBlock:
    decision, key, c = to_decision(d), d.slot.key, d.content
    if isinstance(c, dcontent.Banner):
        return Banner(
            slot_key=key,
            decision=decision,
            title=c.title,
            subtitle=c.subtitle,
            image_url=c.image_url,
            alt_text=c.alt_text,
            cta=c.cta,
            link=c.link,
            text_colour=c.text_colour,
            background_colour=c.background_colour,
        )
    if isinstance(c, dcontent.ProductCarousel):
        return ProductCarousel(
            slot_key=key, decision=decision, title=c.title, strategy=c.strategy, product_ids=c.product_ids
        )
    if isinstance(c, dcontent.HtmlBlock):
        return HtmlBlock(slot_key=key, decision=decision, html=c.html)
    return JsonBlock(slot_key=key, decision=decision, data=cast(JSON, dict(c.data)))


MAX_CONTEXT_VALUE = 512


def request_facts(context: SlotContext | None, default_channel: str | None) -> RequestFacts:
    c = context or SlotContext()
    for name in ("channel", "device", "country", "city", "utm_source", "utm_campaign", "referrer"):
        value = getattr(c, name)
        if value is not None and len(value) > MAX_CONTEXT_VALUE:
            raise InputError(f"at most {MAX_CONTEXT_VALUE} characters", field=f"context.{name}")
    return RequestFacts(
        channel=c.channel or default_channel,
        device=c.device,
        country=c.country.upper() if c.country else None,
        city=c.city,
        utm_source=c.utm_source,
        utm_campaign=c.utm_campaign,
        referrer=c.referrer,
    )


async def _decide(info: Info, keys: list[str], context: SlotContext | None) -> list[DomainDecision | None]:
    ctx = info.context
    state = await ctx.loaders.visitors.load(ctx.visitor.id)
    facts = request_facts(context, ctx.visitor.channel.value)
    return await ctx.services.slots.decide(state, keys, facts)


@strawberry.type
class SlotsQuery:
    @strawberry.field(description="The content of one slot for this visitor, with the decision; null if no such slot.")
    async def slot(self, info: Info, key: str, context: SlotContext | None = None) -> SlotContent | None:
        (decision,) = await _decide(info, [key], context)
        return to_content(decision) if decision else None

    @strawberry.field(description="Several slots at once (one decision pass), in the order of `keys`; at most 20.")
    async def slots(self, info: Info, keys: list[str], context: SlotContext | None = None) -> list[SlotContent | None]:
        return [to_content(d) if d else None for d in await _decide(info, keys, context)]
