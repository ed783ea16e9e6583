"""The storefront schema: a federation v2 subgraph (spec 2.9, which both Apollo's and The
Guild's composition accept), with parser and validation caches on."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache

from resolvers.catalog import CatalogQuery
from resolvers.errors import ErrorPolicy
from resolvers.events import EventsMutation
from resolvers.limits import MAX_TOKENS, QueryLimits, QueryLimitsWithoutIntrospection
from resolvers.recommendations import RecommendationsQuery
from resolvers.viewer import ViewerQuery

FEDERATION_VERSION = "2.9"


@strawberry.type
class Query(CatalogQuery, ViewerQuery, RecommendationsQuery):
    pass


@strawberry.type
class Mutation(EventsMutation):
    pass


def build_schema(*, introspection: bool = True) -> strawberry.federation.Schema:
    """The schema; `introspection=False` refuses `__schema`/`__type` (federation's `_service` still works)."""
    return strawberry.federation.Schema(
        query=Query,
        mutation=Mutation,
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        # Factories: one extension object per request; the caches behind them are shared.
        extensions=[
            ErrorPolicy,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            QueryLimits if introspection else QueryLimitsWithoutIntrospection,
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
    )
