"""Value completion specialised per (return type, field group): graphql-core's `complete_value`
with the type dispatch done once.

A completer is `(ex, info, path, result) -> value | awaitable` and mirrors graphql-core's
`complete_value` for its type: an `Exception` result is raised, `None` is null (or the
"Cannot return null for non-nullable field" error under a non-null type), lists complete each
item under the item's path (awaitable items and completions gathered as graphql-core does),
objects check `is_type_of` and run the compiled selection set, leaves are coerced by the
type's own `coerce_output_value`. Abstract types and anything unusual (a non-list iterable,
an awaitable `is_type_of`) go to graphql-core's generic code.

`info` may be None when the caller did not need to build it; a completer builds it only when
it has to hand it to user code (`is_type_of`) or to graphql-core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
)
from graphql.execution.executor import Executor, invalid_return_type_error
from graphql.pyutils import Path, Undefined

from gateway.execution.compiler.model import Completer, ExecutorBase, FieldPlan, PlanShape
from gateway.execution.compiler.type_checks import is_class_only

# Types whose instances graphql-core's `is_awaitable` has answered False for and can never answer
# True for (no `__await__` on the class, not a coroutine or generator): checked by identity after.
_plain_types: set[type] = {str, int, float, bool, list, tuple, dict, type(None)}


def is_awaitable_value(value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    """graphql-core's `is_awaitable`, remembering the plain types it has said False for."""
    kind = type(value)
    if kind in _plain_types:
        return False
    if is_awaitable(value):
        return True
    if not hasattr(kind, "__await__") and not issubclass(kind, CoroutineType | GeneratorType):
        _plain_types.add(kind)
    return False


# Types whose instances are neither awaitable nor exceptions: a value of one of these types takes
# graphql-core's ordinary completion path, so generated code can test `type(v) in PLAIN_OBJECTS`.
PLAIN_OBJECTS: set[type] = {str, int, float, bool, list, tuple, dict}


def is_plain_object(value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    """Neither None, an Exception nor awaitable (remembering the type when that is true of all its instances)."""
    kind = type(value)
    if kind in PLAIN_OBJECTS:
        return True
    if value is None or value is Undefined or isinstance(value, Exception) or is_awaitable_value(value, is_awaitable):
        return False
    if kind in _plain_types:  # is_awaitable_value remembered it: no instance of it can be awaitable
        PLAIN_OBJECTS.add(kind)
    return True


def plain_class(value: Any) -> bool:
    """Whether `value`'s class can never be awaitable, an Exception or null (then remembered in
    PLAIN_OBJECTS): for projections, which have no executor to ask about one value."""
    kind = type(value)
    if kind in PLAIN_OBJECTS:
        return True
    if (
        value is None
        or value is Undefined
        or hasattr(kind, "__await__")
        or issubclass(kind, CoroutineType | GeneratorType | BaseException)
    ):
        return False
    PLAIN_OBJECTS.add(kind)
    return True


def _field_path(path: Path, depth: int) -> Path:
    for _ in range(depth):
        assert path.prev is not None
        path = path.prev
    return path


def build_completer(plan: PlanShape, field: FieldPlan, return_type: GraphQLOutputType) -> Completer:
    """The completer of `field`'s value: its projection first when it has one (see projection.py),
    the path-aware completer when the projection gives up."""
    completer = _build(plan, field, return_type, 0)
    project = field.project
    if project is None:
        return completer

    def complete_projected(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any) -> Any:
        try:
            return project(result)
        except Exception:
            return completer(ex, info, path, result)

    return complete_projected


def type_check(
    plan: PlanShape, object_type: GraphQLObjectType
) -> Callable[[Any, Callable[[], GraphQLResolveInfo[Any]]], Any] | None:
    """`object_type.is_type_of(value, info)`, asked once per class when it is declared class-only."""
    is_type_of = object_type.is_type_of
    if is_type_of is None:
        return None
    if not is_class_only(is_type_of):
        return lambda value, info: is_type_of(value, info())
    answers = plan.type_checks.setdefault(object_type.name, {})

    def check(value: Any, info: Callable[[], GraphQLResolveInfo[Any]]) -> Any:
        kind = type(value)
        known = answers.get(kind)
        if known is not None:
            return known
        answer: Any = is_type_of(value, info())
        if type(answer) is bool:
            answers[kind] = answer
        return answer

    return check


def _build(plan: PlanShape, field: FieldPlan, return_type: GraphQLOutputType, depth: int) -> Completer:
    """The completer of `return_type` for `field`, `depth` list levels below the field itself."""
    if isinstance(return_type, GraphQLNonNull):
        return _non_null_completer(plan, field, return_type, depth)
    if isinstance(return_type, GraphQLList):
        return _list_completer(plan, field, return_type, depth)
    if isinstance(return_type, GraphQLObjectType):
        return _object_completer(plan, field, return_type, depth)
    if isinstance(return_type, GraphQLScalarType | GraphQLEnumType):
        return _leaf_completer(return_type)
    # Interfaces and unions: graphql-core resolves the runtime type, then comes back to the
    # compiled selection set through `ExecutorBase.collect_and_execute_subfields`.
    return _generic_completer(field, return_type, depth)


InfoOf = Callable[[ExecutorBase, GraphQLResolveInfo[Any] | None, Path], GraphQLResolveInfo[Any]]


def _info_of(field: FieldPlan, depth: int) -> InfoOf:
    """The resolve info a completer was given, or the one built for `field` when it was not."""

    def info_of(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path) -> GraphQLResolveInfo[Any]:
        if info is not None:
            return info
        return ex.build_resolve_info(field.definition, field.nodes, field.parent_type, _field_path(path, depth))

    return info_of


def _non_null_completer(plan: PlanShape, field: FieldPlan, return_type: GraphQLNonNull[Any], depth: int) -> Completer:
    inner = _build(plan, field, return_type.of_type, depth)
    message = f"Cannot return null for non-nullable field {field.parent_type.name}.{field.name}."

    def complete_non_null(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any) -> Any:
        if isinstance(result, Exception):
            raise result
        completed = inner(ex, info, path, result)
        if completed is None:
            raise TypeError(message)
        return completed

    return complete_non_null


def _list_completer(plan: PlanShape, field: FieldPlan, return_type: GraphQLList[Any], depth: int) -> Completer:
    details = field.details
    info_of = _info_of(field, depth)
    complete_other = _unlisted_completer(field, return_type, depth)
    item_type = return_type.of_type
    item = _build(plan, field, item_type, depth + 1)
    # Items of an object type (nullable or not) whose values are ordinary objects skip the
    # completer chain: type check, then the compiled selection set.
    unwrapped = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    item_object = unwrapped if isinstance(unwrapped, GraphQLObjectType) else None
    objects: list[Any] = []
    item_is_type_of = type_check(plan, item_object) if item_object is not None else None

    def complete_list(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any) -> Any:
        kind = type(result)
        if kind is not list and kind is not tuple:
            if result is None or result is Undefined:
                return None
            return complete_other(ex, info, path, result)
        is_awaitable = ex.is_awaitable
        items: list[Any] = []
        pending: list[int] = []
        try:
            new = tuple.__new__  # Path(path, index, None) without the namedtuple constructor call
            for index, value in enumerate(result):
                item_path = new(Path, (path, index, None))
                if is_awaitable_value(value, is_awaitable):
                    items.append(
                        ex.complete_awaitable_list_item_value(
                            value, item_type, details, info_of(ex, info, path), item_path, None
                        )
                    )
                    pending.append(index)
                    continue
                try:
                    if item_object is not None and (
                        type(value) in PLAIN_OBJECTS or is_plain_object(value, is_awaitable)
                    ):
                        if not objects:
                            objects.append(plan.object_function(ex, item_object, details))
                        if item_is_type_of is None:
                            completed = objects[0](ex, value, item_path)
                        else:
                            checked = item_is_type_of(value, lambda: info_of(ex, info, path))
                            if is_awaitable(checked):
                                completed = ex.object_checked_later(checked, item_object, details, item_path, value)
                            elif not checked:
                                raise invalid_return_type_error(item_object, value, details)
                            else:
                                completed = objects[0](ex, value, item_path)
                    else:
                        completed = item(ex, info, item_path, value)
                    if is_awaitable(completed):
                        items.append(ex.await_completed(completed, item_type, details, item_path))
                        pending.append(index)
                    else:
                        items.append(completed)
                except Exception as raw_error:
                    ex.handle_field_error(raw_error, item_type, details, item_path)
                    items.append(None)
        except Exception:
            _settle_pending(ex, items, pending, result)
            raise
        if pending:
            return ex.gather_items(items, pending)
        return items

    return complete_list


def _unlisted_completer(field: FieldPlan, return_type: GraphQLList[Any], depth: int) -> Completer:
    """A list field's value that is neither a list, a tuple nor null: an Exception is raised, any
    other iterable goes to graphql-core."""
    details = field.details
    info_of = _info_of(field, depth)

    def complete_unlisted(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any) -> Any:
        if isinstance(result, Exception):
            raise result
        return Executor.complete_value(ex, return_type, details, info_of(ex, info, path), path, result, None)

    return complete_unlisted


def _settle_pending(ex: ExecutorBase, items: list[Any], pending: list[int], result: Sequence[Any]) -> None:
    """A list whose completion failed: its awaitables, completed or not yet reached, still run
    to the end in the background (none is left unawaited)."""
    leftover = [items[i] for i in pending]
    leftover += [v for v in result[len(items) + 1 :] if ex.is_awaitable(v)]
    if leftover:
        ex.settle_in_background(leftover)


def _object_completer(plan: PlanShape, field: FieldPlan, object_type: GraphQLObjectType, depth: int) -> Completer:
    details = field.details
    info_of = _info_of(field, depth)
    is_type_of = type_check(plan, object_type)
    functions: list[Any] = []  # the compiled selection set, looked up once

    def complete_object(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any) -> Any:
        if type(result) not in PLAIN_OBJECTS:
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                return None
        if is_type_of is not None:
            checked = is_type_of(result, lambda: info_of(ex, info, path))
            if ex.is_awaitable(checked):
                return ex.object_checked_later(checked, object_type, details, path, result)
            if not checked:
                raise invalid_return_type_error(object_type, result, details)
        if not functions:
            functions.append(plan.object_function(ex, object_type, details))
        return functions[0](ex, result, path)

    return complete_object


def _leaf_completer(leaf_type: GraphQLScalarType | GraphQLEnumType) -> Completer:
    complete_leaf = Executor.complete_leaf_value

    def complete_leaf_value(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any) -> Any:
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        return complete_leaf(leaf_type, result)

    return complete_leaf_value


def _generic_completer(field: FieldPlan, return_type: GraphQLOutputType, depth: int) -> Completer:
    details = field.details
    info_of = _info_of(field, depth)

    def complete_generic(ex: ExecutorBase, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any) -> Any:
        return Executor.complete_value(ex, return_type, details, info_of(ex, info, path), path, result, None)

    return complete_generic
