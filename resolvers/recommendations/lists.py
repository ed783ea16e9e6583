"""Recommendation lists: `Query.recommendations`, `Product.recommendations`, `Product.similar`.

A list is resolved in one step: the service computes it, the products are loaded in one
DataLoader batch, and every field below is a plain attribute of plain data.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.catalogue import ProductQuery
from gateway.recommendations import MAX_FIRST, Strategy
from resolvers.catalogue import PriceRangeInput, Product
from resolvers.execution.info import Info, expose
from resolvers.recommendations.enums import FallbackStep, RecommendationSignal, RecommendationStrategy
from resolvers.recommendations.resolve import resolve_list as resolve


@strawberry.type(description="Why an item is on the list: the signal and the products that led to it.")
class RecommendationReason:
    signal: RecommendationSignal  # type: ignore[valid-type]
    source_ids: list[strawberry.ID] = strawberry.field(
        description="Products (viewed, carted, or the anchor) this item was reached from; empty for popularity."
    )


@strawberry.type
class RecommendedProduct:
    product: Product
    score: float = strawberry.field(description="Higher is better; comparable within one list only.")
    reason: RecommendationReason


@strawberry.type(description="A step of the fallback chain that had to fill the list, and why.")
class RecommendationFallback:
    step: FallbackStep  # type: ignore[valid-type]
    reason: str
    added: int


@strawberry.type
class RecommendationList:
    recommendation_id: str = strawberry.field(
        description="Send it as properties.recommendation_id with Product Clicked to attribute the click."
    )
    strategy: RecommendationStrategy  # type: ignore[valid-type]
    items: list[RecommendedProduct]
    fallbacks: list[RecommendationFallback]
    degraded: list[str] = strawberry.field(description="Stores that were unavailable: the list is a fail-open one.")


@strawberry.input(description="All given conditions must hold.")
class RecommendationFilter:
    category: str | None = strawberry.field(default=None, description="Category id or slug; includes subcategories.")
    brand: strawberry.ID | None = None
    in_stock: bool | None = strawberry.field(default=None, description="Default: only products in stock.")
    price_range: PriceRangeInput | None = None


def _query(flt: RecommendationFilter | None) -> ProductQuery:
    if flt is None:
        return ProductQuery()
    price = flt.price_range or PriceRangeInput()
    return ProductQuery(
        category=flt.category,
        brand=str(flt.brand) if flt.brand is not None else None,
        in_stock=flt.in_stock,
        min_price=str(price.min) if price.min is not None else None,
        max_price=str(price.max) if price.max is not None else None,
    )


async def resolve_list(
    info: Info, strategy: Strategy, product_id: str | None, first: int, flt: RecommendationFilter | None
) -> RecommendationList:
    return expose(await resolve(info, strategy, product_id, first, _query(flt)), RecommendationList)


@strawberry.type
class RecommendationsQuery:
    @strawberry.field(description="A recommendation list for the visitor asking.")
    async def recommendations(
        self,
        info: Info,
        strategy: Strategy,
        product_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The product to start from (SIMILAR, ALSO_VIEWED, BOUGHT_TOGETHER)."),
        ] = None,
        first: Annotated[int, strawberry.argument(description=f"List length, 1-{MAX_FIRST}.")] = 10,
        filter: RecommendationFilter | None = None,
    ) -> RecommendationList:
        return await resolve_list(info, strategy, str(product_id) if product_id else None, first, filter)
