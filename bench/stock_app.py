"""A minimal stock-strawberry app serving the same home-page data, for side-by-side ratios.

Stock means strawberry's defaults: `strawberry.Schema` without extensions (no parser or
validation cache), `strawberry.asgi.GraphQL` with its stdlib JSON encoder, async resolvers for
the root fields and default resolvers for every leaf. The data is the JSON the Vitrine gateway
answered for the same query (written by bench/load.py), turned into plain objects.

Run: STOCK_DATA=/path/response.json uvicorn bench.stock_app:app
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _objects(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{_snake(k): _objects(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_objects(v) for v in value]
    return value


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
class ProductEdge:
    node: Product


@strawberry.type
class ProductConnection:
    total_count: int
    edges: list[ProductEdge]


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

    @strawberry.field
    async def recently_viewed(self, first: int = 20) -> list[Product]:
        return self.recently_viewed_data[:first]  # type: ignore[attr-defined, no-any-return]


@strawberry.type
class Interest:
    kind: str
    key: strawberry.ID


@strawberry.type
class Counter:
    name: str
    count: int


@strawberry.type
class Profile:
    interests_data: strawberry.Private[list[Interest]]
    counters: list[Counter]

    @strawberry.field
    def interests(self, first: int = 10) -> list[Interest]:
        return self.interests_data[:first]


@strawberry.type
class Viewer:
    visitor_id: strawberry.ID
    personalized: bool
    session: Session
    profile: Profile


@strawberry.enum
class ProductSortOrder(Enum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"


@strawberry.input
class Filter:
    category: str | None = None
    in_stock: bool | None = None


DATA = _objects(json.loads(Path(os.environ["STOCK_DATA"]).read_text())["data"]) if "STOCK_DATA" in os.environ else None


@strawberry.type
class Query:
    @strawberry.field
    async def viewer(self) -> Viewer:
        v = DATA.viewer  # type: ignore[union-attr]
        session = SimpleNamespace(cart=v.session.cart, recently_viewed_data=v.session.recently_viewed)
        profile = SimpleNamespace(interests_data=v.profile.interests, counters=v.profile.counters)
        return SimpleNamespace(visitor_id=v.visitor_id, personalized=v.personalized, session=session, profile=profile)  # type: ignore[return-value]

    @strawberry.field
    async def products(
        self, first: int = 20, filter: Filter | None = None, sort: ProductSortOrder | None = None
    ) -> ProductConnection:
        return DATA.deals if filter is not None and filter.in_stock else DATA.featured  # type: ignore[union-attr, no-any-return]


schema = strawberry.Schema(query=Query)
app = Starlette(routes=[Route("/graphql", GraphQL(schema), methods=["GET", "POST"])])
