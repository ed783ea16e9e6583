"""The storefront schema: a federation v2 subgraph (spec 2.9, which both Apollo's and The
Guild's composition accept), with parser and validation caches on."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache

from gateway.compiler.integration import (
    ExecutionCounter,
    compile_policy,
    compiled_executor_class,
    execution_report,
)
from gateway.compiler.plan import Compiler
from resolvers.catalog import CatalogQuery
from resolvers.errors import ErrorPolicy
from resolvers.events import EventsMutation
from resolvers.limits import MAX_TOKENS, QueryLimits
from resolvers.viewer import ViewerQuery

FEDERATION_VERSION = "2.9"


@strawberry.type
class Query(CatalogQuery, ViewerQuery):
    pass


@strawberry.type
class Mutation(EventsMutation):
    pass


def build_schema(
    *, compiled_execution: str = "persisted", trusted_documents: bool = False, count: ExecutionCounter | None = None
) -> strawberry.federation.Schema:
    """The schema; `compiled_execution` is off | persisted | all (see gateway.compiler.integration)."""
    executor = None
    if compiled_execution != "off":
        compiler = Compiler(compile_policy(compiled_execution, trusted_documents=trusted_documents))
        executor = compiled_executor_class(compiler)
    return strawberry.federation.Schema(
        query=Query,
        mutation=Mutation,
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        execution_context_class=executor,
        # Factories: one extension object per request; the caches behind them are shared.
        extensions=[
            execution_report(count),
            ErrorPolicy,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            QueryLimits,
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
    )
