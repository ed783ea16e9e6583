"""Calling strawberry resolvers without strawberry's per-call wrapper, where that changes nothing.

strawberry wraps every resolver in a function that builds its `Info`, converts arguments,
runs field extensions and exception handlers, then calls the resolver with `self`/`root`/
`parent`/`info` filled in from its signature. For a field with a resolver, no field
extensions and no exception handlers, all of that reduces to building `Info`, converting the
arguments (with the field's converter from `gateway.execution.compiler.arguments`, strawberry's rules
decided once) and calling the function: `direct_resolver` returns that call,
`call(source, info, graphql_args)`, or None whenever any of those conditions does not hold or
an argument's type needs strawberry's own conversion (the field then runs through
strawberry's wrapper).

An async field qualifies only when its resolver is a coroutine function, so the call still
only creates the coroutine: nothing of the resolver runs before graphql-core awaits it, as
with strawberry's own async wrapper.
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable
from typing import Any

from graphql import GraphQLField

from gateway.execution.compiler.arguments import ArgumentsConverter, argument_converter

STRAWBERRY_WRAPPERS = ("_resolver", "_async_resolver")
STRAWBERRY_CONVERTER = "GraphQLCoreConverter.from_resolver."

DirectResolver = Callable[[Any, Any, Any], Any]


def _closure(function: Callable[..., Any]) -> dict[str, Any]:
    code = function.__code__
    cells = function.__closure__ or ()
    return {name: cell.cell_contents for name, cell in zip(code.co_freevars, cells, strict=True)}


def direct_resolver(definition: GraphQLField, strawberry_schema: Any = None) -> DirectResolver | None:
    resolve = definition.resolve
    # A root field traced by gateway.execution.operations: the direct call is traced the same way.
    trace_call = getattr(resolve, "vitrine_trace_call", None)
    if trace_call is not None:
        resolve = resolve.__wrapped__  # type: ignore[union-attr]
    call = _direct_call(definition, resolve, strawberry_schema)
    return trace_call(call) if trace_call is not None and call is not None else call


def _direct_call(definition: GraphQLField, resolve: Any, strawberry_schema: Any) -> DirectResolver | None:
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    if resolve is None or strawberry_field is None:
        return None
    if getattr(resolve, "__name__", "") not in STRAWBERRY_WRAPPERS or not getattr(
        resolve, "__qualname__", ""
    ).startswith(STRAWBERRY_CONVERTER):
        return None
    try:
        closure = _closure(resolve)
    except (AttributeError, ValueError):
        return None
    make_info = closure.get("_strawberry_info_from_graphql")
    if make_info is None or closure.get("field_exception_handlers", True):
        return None
    resolver = strawberry_field.base_resolver
    if resolver is None or strawberry_field.extensions:
        return None
    convert: ArgumentsConverter | None = None
    if strawberry_field.arguments or definition.args:
        if strawberry_schema is None:
            return None
        convert = argument_converter(
            strawberry_field.arguments,
            strawberry_schema.schema_converter.scalar_registry,
            strawberry_schema.config.name_converter.get_graphql_name,
        )
        if convert is None:
            return None
    function = resolver.wrapped_func
    if not callable(function):
        return None
    if strawberry_field.is_async and not inspect.iscoroutinefunction(function):
        return None
    names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    if not all(name.isidentifier() and not keyword.iskeyword(name) for name in [*names, info_name or "info"]):
        return None
    # strawberry passes `self` positionally, then parent/root and info by name, in that order.
    arguments = ["source"] if resolver.self_parameter is not None else []
    arguments += [f"{name}=source" for name in names]
    if info_name is not None:
        arguments.append(f"{info_name}=make_info(raw_info)")
    if convert is not None:
        arguments.append("**convert(graphql_args)")
    namespace: dict[str, Any] = {"function": function, "make_info": make_info, "convert": convert}
    exec(f"def call(source, raw_info, graphql_args):\n    return function({', '.join(arguments)})\n", namespace)
    call: DirectResolver = namespace["call"]
    return call
