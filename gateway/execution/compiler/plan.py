"""Plans: an operation compiled against a schema, and the cache that keeps them.

A `Plan` belongs to one (document text, operation name, values of the variables used by
`@include`/`@skip`) on one schema: those decide which fields are collected, so they decide the
code. Arguments are not part of the key: they are computed per request by graphql-core.

Object selection sets are compiled lazily, the first time a value of that type is completed
for that field group (unions and interfaces compile a function per runtime type met), so a
plan costs only what its requests reach.

`Compiler.plan_for(executor)` answers the plan for a request, or None to run graphql-core's
executor unchanged: when the request was not chosen for compilation, or when the operation
cannot be compiled (the reason is logged once per operation and reported on the response).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.language import DirectiveNode, OperationType

from gateway.execution.compiler import report
from gateway.execution.compiler.codegen import compile_object
from gateway.execution.compiler.completers import build_completer
from gateway.execution.compiler.model import Completer, ExecutorBase, FieldPlan, ObjectFunction
from gateway.execution.compiler.projection import ProjectionBuilder, SnapshotMemo
from gateway.execution.compiler.resolvers import direct_resolver

log = logging.getLogger("vitrine.compiler")

BASIC_RESOLVER_NAME = "_get_basic_result"  # strawberry's resolver for fields without one
STRAWBERRY_DEFINITION = "strawberry-definition"


def attribute_of(definition: GraphQLField) -> str | None:
    """The attribute a strawberry field without resolver reads (None: the field needs its resolver)."""
    resolve = definition.resolve
    strawberry_field = (definition.extensions or {}).get(STRAWBERRY_DEFINITION)
    if resolve is None or strawberry_field is None or getattr(resolve, "__name__", "") != BASIC_RESOLVER_NAME:
        return None
    if not strawberry_field.is_basic_field or strawberry_field.default_resolver is not getattr:
        return None
    name: str = strawberry_field.python_name
    return name


class Plan:
    """An operation compiled for one set of directive variable values."""

    def __init__(
        self,
        executor: ExecutorBase,
        memo: SnapshotMemo | None = None,
        type_checks: dict[str, dict[type, bool]] | None = None,
    ) -> None:
        self.schema: GraphQLSchema = executor.schema
        self.hide_suggestions = executor.hide_suggestions
        # Answers of class-only `is_type_of` checks per object type name (see projection.py).
        self.type_checks: dict[str, dict[type, bool]] = type_checks if type_checks is not None else {}
        self.projections = ProjectionBuilder(self, memo, self.type_checks)
        self._field_lists: dict[tuple[str, int], tuple[FieldDetailsList, list[FieldPlan]]] = {}
        self.operation: OperationDefinitionNode = executor.operation
        self.fragment_definitions = executor.fragment_definitions
        self.fragments = executor.fragments
        self.variable_values = executor.variable_values
        self.operation_type = self.operation.operation
        root_type = self.schema.get_root_type(self.operation_type)
        if root_type is None:
            raise UnsupportedOperation(f"the schema has no {self.operation_type.value} type")
        self.root_type: GraphQLObjectType = root_type
        self.completers: dict[tuple[int, int], Completer] = {}
        self._objects: dict[tuple[str, int], tuple[FieldDetailsList, ObjectFunction]] = {}
        collected = collect_fields(
            self.schema, self.fragments, self.variable_values, root_type, self.operation, executor.hide_suggestions
        )
        self.root_fields: GroupedFieldSet = collected.grouped_field_set
        self.root_field_plans = self._field_plans(root_type, self.root_fields)
        self.root: ObjectFunction = compile_object(root_type, self.root_field_plans)

    def object_function(
        self, executor: ExecutorBase, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> ObjectFunction:
        key = (object_type.name, id(details))
        found = self._objects.get(key)
        if found is not None:
            return found[1]
        function = compile_object(object_type, self.fields_of(object_type, details))
        self._objects[key] = (details, function)  # keeps `details` alive so its id stays unique
        return function

    def fields_of(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> list[FieldPlan]:
        """The field plans of `object_type`'s selection under the field group `details`."""
        key = (object_type.name, id(details))
        found = self._field_lists.get(key)
        if found is not None:
            return found[1]
        collected = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            object_type,
            details,
            self.hide_suggestions,
        )
        fields = self._field_plans(object_type, collected.grouped_field_set)
        self._field_lists[key] = (details, fields)  # keeps `details` alive so its id stays unique
        return fields

    def _field_plans(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> list[FieldPlan]:
        fields: list[FieldPlan] = []
        for key, details in grouped.items():
            node = details[0].node
            name = node.name.value
            definition = self.schema.get_field(parent_type, name)
            if definition is None:  # graphql-core skips unknown fields (validation rejects them first)
                continue
            plan = FieldPlan(
                key=key,
                name=name,
                parent_type=parent_type,
                definition=definition,
                details=details,
                nodes=[d.node for d in details],
                typename=name == "__typename",
                attribute=None if name.startswith("__") else attribute_of(definition),
            )
            if plan.attribute is None and not plan.typename:
                plan.direct = direct_resolver(definition, getattr(self.schema, "_strawberry_schema", None))
                plan.static_args = static_arguments(definition, node, self.variable_values)
                if plan.static_args is None and len(details) == 1 and details[0].fragment_variable_values is None:
                    plan.arg_variables = argument_variables(node)
                    plan.arg_cache = {}
            if not plan.typename:
                plan.project = self.projections.for_field(plan)
            plan.completer = build_completer(self, plan, definition.type)
            self.completers[(id(definition.type), id(details))] = plan.completer
            fields.append(plan)
        return fields


_IMMUTABLE = (str, int, float, bool, Decimal, Enum, type(None))


def static_arguments(definition: GraphQLField, node: FieldNode, variables: Any) -> dict[str, Any] | None:
    """The field's argument values when they use no variable and hold only immutable leaves
    (`frozen_value`), computed once per plan (None: computed per request)."""
    if not definition.args and not node.arguments:
        return {}
    if argument_variables(node):
        return None
    try:
        values = get_argument_values(definition, node, variables)
    except Exception:  # the same error will be raised, and reported, at execution
        return None
    arguments = definition.args
    if not all(name in arguments and frozen_value(v, arguments[name].type) for name, v in values.items()):
        return None
    return values


def argument_variables(node: FieldNode) -> tuple[str, ...]:
    """The variables a field's arguments use, in a stable order."""
    names: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            names.add(variable.name.value)

    for argument in node.arguments or ():
        visit(argument, Collect())
    return tuple(sorted(names))


def frozen_value(value: Any, type_: GraphQLInputType) -> bool:
    """Whether coerced argument `value` holds only immutable leaves, so the same values can be
    handed to later requests: argument conversion rebuilds its lists and input objects, never
    the leaves (a JSON scalar's dict, say, would be shared)."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if value is None:
        return True
    if isinstance(type_, GraphQLList):
        return type(value) is list and all(frozen_value(item, type_.of_type) for item in value)
    if isinstance(type_, GraphQLInputObjectType):
        fields = type_.fields
        return type(value) is dict and all(k in fields and frozen_value(v, fields[k].type) for k, v in value.items())
    return isinstance(value, _IMMUTABLE)


class UnsupportedOperation(Exception):
    """The operation cannot run compiled; the message says why."""


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """Variables used in `@include(if:)` / `@skip(if:)`: their values select the fields."""
    names: set[str] = set()

    class Collect(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            if node.name.value in ("include", "skip"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
                    elif not isinstance(argument.value, BooleanValueNode):  # pragma: no cover - validation
                        names.add("")

    visit(document, Collect())
    return tuple(sorted(names))


@dataclass(slots=True)
class _Family:
    """The plans of one operation, one per combination of directive variable values."""

    variables: tuple[str, ...]
    plans: dict[tuple[Any, ...], Plan] = field(default_factory=dict)


MAX_PLANS_PER_OPERATION = 16


class Compiler:
    """Plans per (document, operation name, directive values) for one schema, with the decision rule.

    `wants(executor)` decides whether a request should run compiled (the policy, e.g. persisted
    documents or an opt-in request extension); operations that cannot be compiled fall back.
    """

    def __init__(
        self,
        wants: Callable[[ExecutorBase], bool],
        max_operations: int = 512,
        *,
        snapshot_types: frozenset[type] = frozenset(),
    ) -> None:
        self.wants = wants
        self.max_operations = max_operations
        # Completed JSON of immutable snapshot objects (see projection.py), shared by the plans.
        self.memo = SnapshotMemo(snapshot_types) if snapshot_types else None
        self.type_checks: dict[str, dict[type, bool]] = {}
        self._families: OrderedDict[tuple[str, str | None], _Family | str] = OrderedDict()
        self.compiled = 0
        self.fallbacks = 0
        self.plan_hits = self.plan_misses = 0  # /metrics: vitrine_cache_lookups_total{cache="compiled_plans"}

    def plan_for(self, executor: ExecutorBase) -> Plan | None:
        if not self.wants(executor):
            return None
        reason = self._unsupported(executor)
        if reason is not None:
            self._fallback(executor, reason)
            return None
        loc = executor.operation.loc
        assert loc is not None  # checked by _unsupported
        key = (loc.source.body, executor.operation.name.value if executor.operation.name else None)
        family = self._families.get(key)
        if family is None:
            family = _Family(directive_variables(executor_document(executor)))
            self._families[key] = family
            while len(self._families) > self.max_operations:
                self._families.popitem(last=False)
        else:
            self._families.move_to_end(key)
        if isinstance(family, str):
            self._fallback(executor, family)
            return None
        coerced = executor.variable_values.coerced
        values = tuple(coerced.get(name) for name in family.variables)
        plan = family.plans.get(values)
        if plan is None:
            self.plan_misses += 1
            try:
                plan = Plan(executor, self.memo, self.type_checks)
            except Exception as exc:  # compiling is best effort: the standard executor always works
                reason = f"compilation failed: {type(exc).__name__}: {exc}"
                log.exception("operation %s: %s", key[1] or "(anonymous)", reason)
                self._families[key] = reason
                self._fallback(executor, reason)
                return None
            if len(family.plans) >= MAX_PLANS_PER_OPERATION:
                family.plans.clear()
            family.plans[values] = plan
        else:
            self.plan_hits += 1
        # Run on the plan's own document: field nodes, fragments and the operation agree.
        executor.operation = plan.operation
        executor.fragment_definitions = plan.fragment_definitions
        executor.fragments = plan.fragments
        self.compiled += 1
        return plan

    def _unsupported(self, executor: ExecutorBase) -> str | None:
        manager = executor.middleware_manager
        if manager is not None and manager.middlewares:
            return "field middleware is active (a schema extension implements resolve())"
        if executor.abort_signal is not None:
            return "an abort signal is set"
        if executor.operation.operation is OperationType.SUBSCRIPTION:
            return "subscriptions run on the standard executor"
        if executor.operation.loc is None:
            return "the document has no source text to key the plan on"
        schema = executor.schema
        if schema.get_directive("defer") is not None or schema.get_directive("stream") is not None:
            return "incremental delivery (@defer/@stream) is enabled"
        return None

    def _fallback(self, executor: ExecutorBase, reason: str) -> None:
        report.mark_fallback(reason)
        self.fallbacks += 1
        loc = executor.operation.loc
        key = (loc.source.body if loc else "", executor.operation.name.value if executor.operation.name else None)
        if key not in self._families or not isinstance(self._families[key], str):
            log.info("operation %s runs on the standard executor: %s", key[1] or "(anonymous)", reason)
            if loc is not None:
                self._families[key] = reason


def executor_document(executor: ExecutorBase) -> DocumentNode:
    """The operation with its fragments (what `@include`/`@skip` can appear in)."""
    return DocumentNode(definitions=(executor.operation, *executor.fragment_definitions.values()))
