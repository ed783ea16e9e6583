"""The shapes the compiler's modules share: field plans, the executor's compiled-code interface,
and the callable types of generated code.

Kept in one module that imports none of the others, so plan, executor, completers, codegen
and projection depend on it and not on each other in circles: `CompiledExecutor` implements
`ExecutorBase`, `Plan` has the shape of `PlanShape`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphql import FieldNode, GraphQLField, GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.execution.compiler.resolvers import DirectResolver

ObjectFunction = Callable[[Any, Any, Path | None], Any]  # a compiled selection set: (executor, source, path)
Projection = Callable[[Any], Any]  # a pure selection's whole value, built without paths
Completer = Callable[["ExecutorBase", GraphQLResolveInfo[Any] | None, Path, Any], Any]


@dataclass(eq=False, slots=True)
class FieldPlan:
    """One response key of an object selection set, with everything execution needs from the schema."""

    key: str
    name: str
    parent_type: GraphQLObjectType
    definition: GraphQLField
    details: FieldDetailsList
    nodes: list[FieldNode]
    typename: bool = False
    attribute: str | None = None  # set when the field is a plain attribute read
    completer: Completer = field(init=False)
    sub: Any = None  # the compiled selection set of an object-typed attribute field, once compiled
    direct: DirectResolver | None = None  # strawberry's resolver called without its wrapper
    project: Projection | None = None  # the whole value's projection, when its selection is pure
    static_args: dict[str, Any] | None = None  # arguments that do not depend on variables
    arg_variables: tuple[str, ...] = ()  # the variables the arguments use (when they use some)
    arg_cache: dict[tuple[Any, ...], dict[str, Any]] | None = None  # argument values per variable values

    @property
    def parent_name(self) -> str:
        return self.parent_type.name

    @property
    def return_type(self) -> GraphQLOutputType:
        return self.definition.type


class ExecutorBase(StrawberryGraphQLCoreExecutionContext):
    """What compiled code calls on the executor beyond graphql-core's own methods."""

    def call_field(self, field: FieldPlan, source: Any, parent_path: Path | None) -> Any:
        raise NotImplementedError

    def complete_basic(self, field: FieldPlan, parent_path: Path | None, result: Any) -> Any:
        raise NotImplementedError

    def field_failed(self, error: Exception, field: FieldPlan, parent_path: Path | None) -> None:
        raise NotImplementedError

    def plain(self, value: Any) -> bool:
        raise NotImplementedError

    def sub(self, path: Path, field: FieldPlan) -> Any:
        raise NotImplementedError

    async def await_completed(
        self, completed: Awaitable[Any], return_type: GraphQLOutputType, details: FieldDetailsList, path: Path
    ) -> Any:
        raise NotImplementedError

    async def object_checked_later(
        self,
        checked: Awaitable[Any],
        object_type: GraphQLObjectType,
        details: FieldDetailsList,
        path: Path,
        result: Any,
    ) -> Any:
        raise NotImplementedError

    async def gather_fields(self, results: dict[str, Any], awaitable_keys: list[str]) -> dict[str, Any]:
        raise NotImplementedError

    async def gather_items(self, items: list[Any], awaitable_indices: list[int]) -> list[Any]:
        raise NotImplementedError


class PlanShape(Protocol):
    """What completers and projections ask of the plan they belong to."""

    type_checks: dict[str, dict[type, bool]]

    def object_function(
        self, executor: ExecutorBase, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> ObjectFunction: ...

    def fields_of(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> list[FieldPlan]: ...
