"""Stock strawberry serving the personalized page's JSON, for bench/personal_page.py.

Stock means strawberry's defaults: `strawberry.Schema` without extensions, `strawberry.asgi.GraphQL`
with its stdlib JSON encoder, async root resolvers, default resolvers for every leaf. The data is
the JSON the gateway answered for one visitor, turned into plain objects; enums are plain strings
(they encode the same).

Run: STOCK_DATA=/path/page.json uvicorn bench.stock_personal:app
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from bench.stock_app import _objects


@strawberry.type
class Money:
    amount: Decimal
    currency: str


@strawberry.type
class Image:
    url: str
    alt: str
    width: int
    height: int


@strawberry.type
class Brand:
    id: strawberry.ID
    name: str


@strawberry.type
class Category:
    id: strawberry.ID
    name: str


@strawberry.type
class Product:
    id: strawberry.ID
    sku: str
    name: str
    slug: str
    url: str
    in_stock: bool
    price: Money
    compare_at_price: Money | None
    brand: Brand | None
    categories: list[Category]
    images: list[Image]


@strawberry.type
class CartProduct:
    id: strawberry.ID
    name: str


@strawberry.type
class CartLine:
    quantity: int
    product: CartProduct


@strawberry.type
class Cart:
    item_count: int
    total: Money | None
    lines: list[CartLine]


@strawberry.type
class Session:
    cart: Cart
    viewed: strawberry.Private[list[Product]]

    @strawberry.field
    async def recently_viewed(self, first: int = 20) -> list[Product]:
        return self.viewed[:first]


@strawberry.type
class Viewer:
    visitor_id: strawberry.ID
    personalized: bool
    session: Session


@strawberry.type
class Experiment:
    key: str
    arm: str


@strawberry.type
class Decision:
    id: strawberry.ID
    reason: str
    variant_id: strawberry.ID | None = None
    experiment: Experiment | None = None


@strawberry.type
class Banner:
    slot_key: str
    title: str
    subtitle: str | None
    image_url: str
    alt_text: str
    cta: str | None
    link: str
    decision: Decision


@strawberry.type
class ProductCarousel:
    slot_key: str
    title: str
    strategy: str | None
    decision: Decision
    items: strawberry.Private[list[Product]]

    @strawberry.field
    async def products(self, first: int = 12) -> list[Product]:
        return self.items[:first]


SlotContent = Annotated[Banner | ProductCarousel, strawberry.union("SlotContent")]


@strawberry.type
class Reason:
    signal: str
    source_ids: list[strawberry.ID]


@strawberry.type
class Recommended:
    score: float
    reason: Reason
    product: Product


@strawberry.type
class RecommendationList:
    recommendation_id: str
    items: list[Recommended]


@strawberry.type
class ProductEdge:
    node: Product


@strawberry.type
class ProductConnection:
    total_count: int
    edges: list[ProductEdge]


@strawberry.enum
class RecommendationStrategy(Enum):
    FOR_YOU = "FOR_YOU"


@strawberry.input
class Filter:
    category: str | None = None


RAW = json.loads(Path(os.environ["STOCK_DATA"]).read_text())["data"] if "STOCK_DATA" in os.environ else {}
DATA: Any = _objects(RAW)


def _slot(raw: dict[str, Any], plain: Any) -> Banner | ProductCarousel:
    decision = Decision(**{k: v for k, v in vars(plain.decision).items()})  # type: ignore[arg-type]
    if raw["__typename"] == "Banner":
        return Banner(
            slot_key=plain.slot_key,
            title=plain.title,
            subtitle=plain.subtitle,
            image_url=plain.image_url,
            alt_text=plain.alt_text,
            cta=plain.cta,
            link=plain.link,
            decision=decision,
        )
    return ProductCarousel(
        slot_key=plain.slot_key, title=plain.title, strategy=plain.strategy, decision=decision, items=plain.products
    )


@strawberry.type
class Query:
    @strawberry.field
    async def viewer(self) -> Viewer:
        v = DATA.viewer
        return Viewer(
            visitor_id=v.visitor_id,
            personalized=v.personalized,
            session=Session(cart=v.session.cart, viewed=v.session.recently_viewed),
        )

    @strawberry.field
    async def slots(self, keys: list[str]) -> list[SlotContent | None]:
        return [_slot(r, p) if r else None for r, p in zip(RAW["slots"], DATA.slots, strict=True)]

    @strawberry.field
    async def recommendations(self, strategy: RecommendationStrategy, first: int = 10) -> RecommendationList:
        return DATA.recommendations  # type: ignore[no-any-return]

    @strawberry.field
    async def products(self, first: int = 20, filter: Filter | None = None) -> ProductConnection:
        return DATA.products  # type: ignore[no-any-return]


schema = strawberry.Schema(query=Query)
app = Starlette(routes=[Route("/graphql", GraphQL(schema), methods=["GET", "POST"])])
