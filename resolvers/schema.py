"""The storefront schema: a federation v2 subgraph (spec 2.9, which both Apollo's and The
Guild's composition accept), with parser and validation caches on.

Two modes (docs/federation.md): `owning`, where Vitrine's subgraph owns Product and its
catalogue fields (a shop without a products subgraph), and `contributing`, where another
subgraph owns Product and Vitrine adds its personal fields (resolvers/contributing.py). Both
are built from the same resolvers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, cast

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.federation.schema import FederationAny
from strawberry.types import Info
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from gateway.catalogue import Attribute, Brand, Image, LocalizedCategory, LocalizedProduct, Money
from gateway.execution.budget import Watchdog
from gateway.execution.compiler.executor import CompiledExecutor
from gateway.execution.compiler.integration import (
    ExecutionCounter,
    compile_policy,
    compiled_executor_class,
    execution_report,
    executor_policy,
    report_results,
)
from gateway.execution.compiler.plan import Compiler
from gateway.execution.compiler.prepared import PreparedOperations
from gateway.execution.operations import OperationObserver
from gateway.kernel import InputError
from resolvers.catalogue import CatalogQuery, ConnectionView, EdgeView, PageInfoView
from resolvers.contributing import MODES, contributes, reference
from resolvers.execution.errors import ErrorPolicy, classify
from resolvers.execution.limits import (
    MAX_ENTITIES,
    MAX_TOKENS,
    SHAPE_LIMITS,
    QueryLimits,
    QueryLimitsWithoutIntrospection,
)
from resolvers.execution.validation_cache import text_validation_cache
from resolvers.identity import IdentityMutation
from resolvers.privacy.storefront import PrivacyMutation, PrivacyQuery
from resolvers.recommendations.lists import RecommendationsQuery
from resolvers.slots.storefront import SlotsQuery
from resolvers.visitors.events import EventsMutation
from resolvers.visitors.viewer import ViewerQuery

FEDERATION_VERSION = "2.9"

# Frozen domain values that never change once built (the catalogue's, rebuilt per catalogue
# snapshot): compiled plans may reuse the JSON they completed to (gateway/compiler/projection.py).
SNAPSHOT_TYPES: frozenset[type] = frozenset(
    {
        LocalizedProduct,
        LocalizedCategory,
        Brand,
        Money,
        Image,
        Attribute,
        ConnectionView,
        EdgeView,
        PageInfoView,
    }
)

log = logging.getLogger("vitrine.graphql")


@strawberry.type
class Query(CatalogQuery, ViewerQuery, SlotsQuery, RecommendationsQuery, PrivacyQuery):
    pass


@strawberry.type(name="Query")
class ContributingQuery(ViewerQuery, SlotsQuery, RecommendationsQuery, PrivacyQuery):
    """The root of contributing mode: the catalogue's root fields are the owning subgraph's."""


@strawberry.type
class Mutation(EventsMutation, IdentityMutation, PrivacyMutation):
    pass


def _check_entities(representations: list[FederationAny]) -> None:
    # The cost rule counts a variable's representations as MAX_ENTITIES: hold clients to it.
    if len(representations) > MAX_ENTITIES:
        raise InputError(f"at most {MAX_ENTITIES} representations per _entities call; got {len(representations)}")


class StorefrontSchema(strawberry.federation.Schema):
    prepared: PreparedOperations | None = None

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        # strawberry logs every error at ERROR level, including clients' syntax and validation
        # errors: hostile traffic would flood the log. ErrorPolicy already logs unexpected
        # errors with their traceback; the rest are the client's, worth DEBUG at most.
        for error in errors:
            log.debug("GraphQL error: %s", error.message)

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        _check_entities(representations)
        return super().entities_resolver(info, representations)


class ContributingSchema(StorefrontSchema):
    """The subgraph of contributing mode: Product's key and personal fields, no catalogue data."""

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        fields = super().get_fields(type_definition)
        return [f for f in fields if contributes(type_definition.name, f.python_name)]

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        # Products by id alone, no catalogue read: an id Vitrine never imported still answers.
        _check_entities(representations)
        found = [reference(cast("Mapping[str, Any]", r)) for r in representations]
        return cast("list[FederationAny]", found)


def build_schema(
    *,
    introspection: bool = True,
    compiled_execution: str = "persisted",
    trusted_documents: bool = False,
    count: ExecutionCounter | None = None,
    federation: str = "owning",
    validation_budget_ms: int = 250,
    observer: OperationObserver | None = None,
) -> StorefrontSchema:
    """The schema of one federation mode (`owning`: Vitrine owns Product; `contributing`).

    `introspection=False` refuses `__schema`/`__type` (federation's `_service` still works).
    `compiled_execution` is off | persisted | all: which operations run compiled
    (gateway.execution.compiler.integration); `trusted_documents` means every document is a persisted one.
    `validation_budget_ms`: the CPU time validating one document may take (resolvers.execution.validation_cache).
    `observer` times every operation and traces it (gateway.execution.operations).
    """
    if federation not in MODES:
        raise ValueError(f"unknown federation mode {federation!r}: {' or '.join(MODES)}")
    executor: type[CompiledExecutor] | None = None
    policy: Callable[[Mapping[str, Any] | None], bool] | None = None
    if compiled_execution != "off":
        policy = compile_policy(compiled_execution, trusted_documents=trusted_documents)
        compiler = Compiler(executor_policy(policy), snapshot_types=SNAPSHOT_TYPES)
        executor = compiled_executor_class(compiler)
    contributing = federation == "contributing"
    schema = (ContributingSchema if contributing else StorefrontSchema)(
        query=ContributingQuery if contributing else Query,
        mutation=Mutation,
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        execution_context_class=executor,
        # Factories: one extension object per request; the caches behind them are shared.
        extensions=[
            execution_report(count, observer),
            ErrorPolicy,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            QueryLimits if introspection else QueryLimitsWithoutIntrospection,
            lambda: ParserCache(maxsize=512),
            text_validation_cache(SHAPE_LIMITS, Watchdog(), validation_budget_ms / 1000),
        ],
    )
    if executor is not None and policy is not None:
        # Hot compiled queries skip parsing, the token limit and validation (which only depend
        # on the text) and run the rest of what the extensions above do: see prepared.py.
        schema.prepared = PreparedOperations(
            schema, wants=policy, classify=classify, count=count, report_results=report_results, observer=observer
        )
    return schema
