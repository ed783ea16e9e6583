"""The storefront schema: a federation v2 subgraph (spec 2.9, which both Apollo's and The
Guild's composition accept), with parser and validation caches on."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter, ValidationCache

from resolvers.catalog import CatalogQuery
from resolvers.errors import ErrorPolicy
from resolvers.events import EventsMutation
from resolvers.viewer import ViewerQuery

FEDERATION_VERSION = "2.9"


@strawberry.type
class Query(CatalogQuery, ViewerQuery):
    pass


@strawberry.type
class Mutation(EventsMutation):
    pass


def build_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(
        query=Query,
        mutation=Mutation,
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        extensions=[
            ErrorPolicy,
            ParserCache(maxsize=512),
            ValidationCache(maxsize=512),
            QueryDepthLimiter(max_depth=12),
            MaxAliasesLimiter(max_alias_count=50),
            MaxTokensLimiter(max_token_count=4000),
        ],
    )
