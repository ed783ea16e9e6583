"""The executor that runs compiled plans: graphql-core's own executor with the hot paths replaced.

`CompiledExecutor` subclasses strawberry's graphql-core executor (the one strawberry uses by
default), so everything it does not specialise runs graphql-core's own code: variable
coercion, argument values, resolver info, error location and collection (`handle_field_error`,
`CollectedErrors`), non-null propagation, abstract types, awaitable completion. What changes:

- the root selection set and every object selection set run a generated function from the
  operation's `Plan` (see `gateway.execution.compiler.codegen`) instead of collecting fields and
  dispatching per field;
- `complete_value` for a (type, field group) the plan has compiled runs a specialised
  completer (lists, objects, leaves) instead of the generic dispatch.

Both keep graphql-core's order of work: the same values are awaited in the same groups
(one awaitable field alone, several together with `gather_with_cancel`), so resolvers,
DataLoader batching and the order of errors are the same as the standard path's.

A plan is only used when `CompiledExecutor.compiler` decides the operation should be compiled
and could be (see `gateway.execution.compiler.plan.Compiler`); otherwise the executor is exactly the
standard one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from graphql import GraphQLError, GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.language import OperationType
from graphql.pyutils import Path, gather_with_cancel

from gateway.execution.compiler import report
from gateway.execution.compiler.completers import is_awaitable_value, is_plain_object
from gateway.execution.compiler.model import ExecutorBase, FieldPlan
from gateway.execution.compiler.plan import frozen_value

if TYPE_CHECKING:
    from gateway.execution.compiler.plan import Compiler, Plan


new_path = tuple.__new__  # builds a Path without the namedtuple constructor's extra call
_ABSENT = object()  # a variable the request did not give (not the same as null)
MAX_CACHED_ARGUMENTS = 64  # per field of a plan


class CompiledExecutor(ExecutorBase):
    """graphql-core's executor that runs an operation's compiled plan when it has one."""

    compiler: ClassVar[Compiler | None] = None
    plan: Plan | None = None

    def execute_operation(self, serially: bool | None = None) -> Any:
        compiler = self.compiler
        plan = compiler.plan_for(self) if compiler is not None else None
        if plan is None:
            return super().execute_operation(serially)
        self.plan = plan
        report.mark_compiled()
        if plan.operation_type is OperationType.MUTATION if serially is None else serially:
            # Mutations run their root fields one after another: graphql-core's own serial loop,
            # fed the plan's field groups so everything below the root runs compiled.
            return self._finish_root(
                lambda: self.execute_fields_serially(plan.root_type, self.root_value, None, plan.root_fields, None)
            )
        return self._finish_root(lambda: plan.root(self, self.root_value, None))

    def _finish_root(self, run: Callable[[], Any]) -> Any:
        """graphql-core's `execute_operation` after field collection (no abort signal: checked by the plan)."""
        try:
            result = run()
            if self.is_awaitable(result):

                async def await_result() -> Any:
                    try:
                        data = await result
                    except GraphQLError as error:
                        self.collected_errors.add(error, None)
                        return self.build_response(None)
                    except Exception:
                        await self.cancel_incremental_work()
                        self.run_async_work_finished_hook()
                        raise
                    return self._released(self.build_response(data))

                return await_result()
            data = result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        return self._released(self.finish(self.build_response(data)))

    def _released(self, response: Any) -> Any:
        """Break the executor's reference cycle (executor -> async_helpers -> its bound methods)
        once nothing can use it any more, so the request's objects are freed by reference
        counting instead of piling up for the cyclic garbage collector (whose pauses are the
        latency tail)."""
        if not self.background_futures and not self.pending_incremental_futures:
            self.async_helpers = None  # type: ignore[assignment]
        return response

    # --- hooks into graphql-core's generic paths -------------------------------------------

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self.plan
        if plan is None:
            return super().collect_and_execute_subfields(
                return_type, field_details_list, path, result, position_context
            )
        return plan.object_function(self, return_type, field_details_list)(self, result, path)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self.plan
        if plan is not None:
            completer = plan.completers.get((id(return_type), id(field_details_list)))
            if completer is not None:
                return completer(self, info, path, result)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    async def complete_awaitable_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # graphql-core's, without the abort-signal wrapper: plans only run without an abort signal.
        if self.plan is None:
            return await super().complete_awaitable_value(
                return_type, field_details_list, info, path, result, position_context
            )
        try:
            completed = self.complete_value(return_type, field_details_list, info, path, await result, None)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            completed = None
        return completed

    # --- helpers called by generated code --------------------------------------------------

    def field_failed(self, error: Exception, field: FieldPlan, parent_path: Path | None) -> None:
        """A resolver raised: locate and collect the error (raises again for a non-null field)."""
        self.handle_field_error(
            error, field.return_type, field.details, new_path(Path, (parent_path, field.key, field.parent_name))
        )

    def resolved(self, field: FieldPlan, parent_path: Path | None, result: Any) -> Any:
        """graphql-core's `execute_field` from the point where the resolver has returned."""
        path = new_path(Path, (parent_path, field.key, field.parent_name))
        info = self.build_resolve_info(field.definition, field.nodes, field.parent_type, path)
        if self.is_awaitable(result):
            return self.complete_awaitable_value(field.return_type, field.details, info, path, result, None)
        try:
            completed = self.complete_value(field.return_type, field.details, info, path, result, None)
            if self.is_awaitable(completed):
                return self.await_completed(completed, field.return_type, field.details, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None
        return completed

    def call_field(self, field: FieldPlan, source: Any, parent_path: Path | None) -> Any:
        """graphql-core's `execute_field` for a field the plan has already looked up."""
        path = new_path(Path, (parent_path, field.key, field.parent_name))
        definition = field.definition
        return_type = definition.type
        details = field.details
        info = self.build_resolve_info(definition, field.nodes, field.parent_type, path)
        try:
            args = field.static_args
            if args is None:
                args = self.argument_values(field)
            direct = field.direct
            if direct is not None:
                result = direct(source, info, args)
            else:
                result = (definition.resolve or self.field_resolver)(source, info, **args)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(return_type, details, info, path, result, None)
            completed = self.complete_value(return_type, details, info, path, result, None)
            if self.is_awaitable(completed):
                return self.await_completed(completed, return_type, details, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        return completed

    def argument_values(self, field: FieldPlan) -> dict[str, Any]:
        """graphql-core's `get_argument_values`, remembered per values of the variables used
        when every value is immutable (see `plan.frozen_value`)."""
        cache = field.arg_cache
        key: tuple[Any, ...] | None = None
        if cache is not None:
            coerced = self.variable_values.coerced
            key = tuple(coerced.get(name, _ABSENT) for name in field.arg_variables)
            try:
                known = cache.get(key)
            except TypeError:  # a list or object variable: not hashable, computed every time
                key = None
            else:
                if known is not None:
                    return known
        definition = field.definition
        node = field.details[0]
        args = (
            get_argument_values(
                definition, node.node, self.variable_values, node.fragment_variable_values, self.hide_suggestions
            )
            if definition.args or node.node.arguments
            else {}
        )
        if key is not None and cache is not None:
            arguments = definition.args
            if all(name in arguments and frozen_value(v, arguments[name].type) for name, v in args.items()):
                if len(cache) >= MAX_CACHED_ARGUMENTS:
                    cache.clear()
                cache[key] = args
        return args

    def complete_basic(self, field: FieldPlan, parent_path: Path | None, result: Any) -> Any:
        """Complete what a resolver-less field read, with the field's compiled completer."""
        if is_awaitable_value(result, self.is_awaitable):
            return self.resolved(field, parent_path, result)
        path = new_path(Path, (parent_path, field.key, field.parent_name))
        try:
            completed = field.completer(self, None, path, result)
            if self.is_awaitable(completed):
                return self.await_completed(completed, field.return_type, field.details, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None
        return completed

    def plain(self, value: Any) -> bool:
        return is_plain_object(value, self.is_awaitable)

    def sub(self, path: Path, field: FieldPlan) -> Any:
        """The compiled selection set of an object-typed field (compiled on first use)."""
        assert self.plan is not None
        named = field.return_type
        while not isinstance(named, GraphQLObjectType):
            named = named.of_type  # type: ignore[union-attr]
        field.sub = self.plan.object_function(self, named, field.details)
        return field.sub

    async def await_completed(
        self, completed: Awaitable[Any], return_type: GraphQLOutputType, details: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    async def object_checked_later(
        self,
        checked: Awaitable[Any],
        object_type: GraphQLObjectType,
        details: FieldDetailsList,
        path: Path,
        result: Any,
    ) -> Any:
        """graphql-core's `complete_object_value` after an awaitable `is_type_of`."""
        if not await checked:
            raise invalid_return_type_error(object_type, result, details)
        completed = self.collect_and_execute_subfields(object_type, details, path, result, None)
        if self.is_awaitable(completed):
            return await completed
        return completed

    async def gather_fields(self, results: dict[str, Any], awaitable_keys: list[str]) -> dict[str, Any]:
        """graphql-core's `execute_fields` tail: one awaitable alone, several together."""
        if len(awaitable_keys) == 1:
            key = awaitable_keys[0]
            results[key] = await results[key]
        else:
            awaited = await gather_with_cancel(*(results[key] for key in awaitable_keys))
            results.update(zip(awaitable_keys, awaited, strict=True))
        return results

    async def gather_items(self, items: list[Any], awaitable_indices: list[int]) -> list[Any]:
        """graphql-core's `complete_iterable_value` tail."""
        if len(awaitable_indices) == 1:
            index = awaitable_indices[0]
            items[index] = await items[index]
        else:
            awaited = await gather_with_cancel(*(items[index] for index in awaitable_indices))
            for index, value in zip(awaitable_indices, awaited, strict=True):
                items[index] = value
        return items
