"""Resolving one recommendation list: the service computes it, its products load in one DataLoader
batch, and the result is plain data whose every field a GraphQL type reads as an attribute.

Shared by `Query.recommendations` (resolvers.recommendations.lists) and `Product.recommendations`
/ `Product.similar` (resolvers.catalogue), which is why it imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.catalogue import LocalizedProduct, ProductId, ProductQuery
from gateway.kernel import InputError
from gateway.recommendations import Fallback, RecommendationService, RecRequest, Strategy
from gateway.recommendations import Reason as RecommendationReason
from resolvers.execution.info import Info


@dataclass(frozen=True, slots=True)
class Item:
    product: LocalizedProduct
    score: float
    reason: RecommendationReason


@dataclass(frozen=True, slots=True)
class PlainList:
    recommendation_id: str
    strategy: Strategy
    items: list[Item]
    fallbacks: tuple[Fallback, ...]
    degraded: tuple[str, ...]


def _service(info: Info) -> RecommendationService:
    return info.context.services.recommendations


async def resolve_list(
    info: Info,
    strategy: Strategy,
    product_id: str | None,
    first: int,
    query: ProductQuery | None,
    *,
    anchor_required: bool = True,
) -> PlainList:
    """`anchor_required=False` (a Product's own lists): a product Vitrine does not hold gets the
    fallback chain instead of an error, so a page of the owner's products still renders."""
    if product_id is not None and len(product_id) > 128:
        raise InputError("is longer than 128 characters", field="productId")
    ctx = info.context
    visitor = await ctx.loaders.visitors.load(ctx.visitor.id)
    request = RecRequest(
        strategy,
        first,
        ProductId(product_id) if product_id is not None else None,
        query or ProductQuery(),
        anchor_required=anchor_required,
    )
    result = await _service(info).recommend(request, visitor)
    products = await ctx.loaders.get_products([r.product_id for r in result.items])
    items = [Item(p, r.score, r.reason) for r, p in zip(result.items, products, strict=True) if p is not None]
    return PlainList(result.recommendation_id, result.strategy, items, result.fallbacks, result.degraded)
