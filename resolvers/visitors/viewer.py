"""The visitor asking: session (recent views, cart), profile (traits, interests, counters).

`Viewer`, `Session` and `Profile` expose the service's `VisitorState` and the domain
`Session`/`Profile` directly; only fields that load or compute something have resolvers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from gateway.catalogue import Money as DomainMoney
from gateway.kernel import Channel as DomainChannel
from gateway.visitors import RECENTLY_VIEWED_CAP, VisitorState
from gateway.visitors import Profile as DomainProfile
from gateway.visitors import Session as DomainSession
from resolvers.catalogue import Money, Product, load_products
from resolvers.execution.info import Info, expose

MAX_INTERESTS = 50


@strawberry.type
class CartLine:
    product: Product
    quantity: int
    unit_price: Money
    line_total: Money


@strawberry.type
class Cart:
    lines: list[CartLine]
    item_count: int = strawberry.field(description="Sum of quantities.")
    total: Money | None = strawberry.field(description="Null when lines are priced in several currencies; see totals.")
    totals: list[Money] = strawberry.field(description="One total per currency.")


async def _recently_viewed(root: DomainSession, info: Info, first: int = 20) -> list[Product]:
    return await load_products(info, list(root.recently_viewed[: max(0, min(first, RECENTLY_VIEWED_CAP))]))


async def _cart(root: DomainSession, info: Info) -> Cart:
    products = await info.context.loaders.get_products([line.product_id for line in root.cart])
    lines: list[CartLine] = []
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line, product in zip(root.cart, products, strict=True):
        if product is None:  # withdrawn from the catalogue since it was added
            continue
        total = DomainMoney(product.price.amount * line.quantity, product.price.currency)
        sums[total.currency] += total.amount
        lines.append(
            CartLine(
                product=expose(product, Product),
                quantity=line.quantity,
                unit_price=expose(product.price, Money),
                line_total=expose(total, Money),
            )
        )
    totals = [Money(amount=amount, currency=currency) for currency, amount in sorted(sums.items())]
    return Cart(
        lines=lines,
        item_count=sum(line.quantity for line in lines),
        total=totals[0] if len(totals) == 1 else None,
        totals=totals,
    )


@strawberry.type
class Session:
    recent_searches: list[str]
    last_activity: datetime | None
    recently_viewed: list[Product] = strawberry.field(
        resolver=_recently_viewed, description="Most recent first; at most 20."
    )
    cart: Cart = strawberry.field(resolver=_cart, description="Priced at current catalogue prices.")


@strawberry.type
class Interest:
    kind: str = strawberry.field(description="category or brand")
    key: strawberry.ID = strawberry.field(description="The category or brand id.")
    score: float = strawberry.field(description="From 0 to 1: the strongest interest is 1, the others in proportion.")


@strawberry.type
class Counter:
    name: str
    count: int


def _interests(root: DomainProfile, info: Info, first: int = 10) -> list[Interest]:
    found = info.context.services.visitors.interests(root, max(0, min(first, MAX_INTERESTS)))
    return [Interest(kind=i.kind, key=strawberry.ID(i.key), score=round(i.score, 6)) for i in found]


def _counters(root: DomainProfile) -> list[Counter]:
    # Keys with a prefix are per-channel ("pos:Order Completed") or wishlist bookkeeping.
    return [Counter(name=k, count=v) for k, v in sorted(root.counters.items()) if ":" not in k]


@strawberry.type
class ChannelCounter:
    channel: str = strawberry.field(description="web, app, kiosk, pos or beacon")
    name: str
    count: int


def _channel_counters(root: DomainProfile) -> list[ChannelCounter]:
    channels = {c.value for c in DomainChannel}
    found = []
    for key, count in sorted(root.counters.items()):
        channel, sep, name = key.partition(":")
        if sep and channel in channels:
            found.append(ChannelCounter(channel=channel, name=name, count=count))
    return found


@strawberry.enum
class EngagementTier(Enum):
    ACTIVE = "active"
    LAPSING = "lapsing"
    INACTIVE = "inactive"


@strawberry.type
class Engagement:
    score: float = strawberry.field(description="Points per event, halved every half-life (docs/identity.md).")
    tier: EngagementTier


def _engagement(root: DomainProfile, info: Info) -> Engagement:
    score, tier = info.context.services.visitors.engagement(root)
    return Engagement(score=round(score, 4), tier=EngagementTier(tier.value))


@strawberry.type
class Consent:
    purpose: str = strawberry.field(description="analytics, personalization or marketing")
    granted: bool
    at: datetime
    source: str


def _consent(root: DomainProfile) -> list[Consent]:
    return [Consent(purpose=p, granted=r.granted, at=r.at, source=r.source) for p, r in sorted(root.consent.items())]


@strawberry.type
class Profile:
    traits: JSON
    first_seen: datetime | None
    last_seen: datetime | None
    counters: list[Counter] = strawberry.field(resolver=_counters, description="Events per name, all time.")
    interests: list[Interest] = strawberry.field(resolver=_interests, description="Strongest first, scored now.")
    channels: list[ChannelCounter] = strawberry.field(
        resolver=_channel_counters, description="Events per channel and name: online vs in store (ROPO)."
    )
    engagement: Engagement = strawberry.field(resolver=_engagement, description="Decayed engagement score and tier.")
    consent: list[Consent] = strawberry.field(resolver=_consent, description="The latest decision per purpose.")


@strawberry.enum
class PersonalizationReason(Enum):
    NO_CONSENT = "NO_CONSENT"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"


@strawberry.type
class SegmentMembership:
    key: strawberry.ID
    name: str


async def _segments(root: VisitorState, info: Info) -> list[SegmentMembership]:
    if not root.personalized:
        return []  # no consent, or the stores are down: answer as for a stranger
    service = info.context.services.segments
    (keys,) = await service.of([root.profile.visitor_id])
    names = {s.key: s.name for s in await service.definitions()}
    return [SegmentMembership(key=strawberry.ID(k), name=names[k]) for k in sorted(keys) if k in names]


def _reason(root: VisitorState) -> PersonalizationReason | None:
    return PersonalizationReason(root.reason) if root.reason else None


@strawberry.type
class Viewer:
    visitor_id: strawberry.ID
    personalized: bool = strawberry.field(description="False when personalization fell back because a store is down.")
    degraded: list[str] = strawberry.field(description="Which stores were unavailable for this answer.")
    reason: PersonalizationReason | None = strawberry.field(
        resolver=_reason, description="Why the answer is not personalized (null when it is)."
    )
    session: Session
    profile: Profile
    segments: list[SegmentMembership] = strawberry.field(
        resolver=_segments, description="Segments this visitor's profile is in now (empty without consent)."
    )


async def load_viewer(info: Info) -> Viewer:
    ctx = info.context
    state: VisitorState = await ctx.loaders.visitors.load(ctx.visitor.id)
    return expose(state, Viewer)


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="The visitor making this request (from the signed cookie or header).")
    async def viewer(self, info: Info) -> Viewer:
        return await load_viewer(info)
