"""Converting a field's GraphQL argument values to the resolver's Python values, decided once.

strawberry converts arguments on every call (`strawberry.types.arguments.convert_argument`):
it walks the argument's strawberry type, asks which kind of type it is, resolves lazy types
and GraphQL names, then builds input objects. Everything but the building depends only on the
field, so `argument_converter` makes those decisions once per field and returns a function
doing the rest, with strawberry's own rules:

- optional types convert their inner type; `None` stays `None`, `UNSET` stays `UNSET`;
- scalars and enums pass through (graphql-core has already parsed them); lists of them are
  copied (graphql-core shares default values between requests), other lists convert items;
- input objects start from `None` for every field without a default, then convert the fields
  present in the value, and call the class with them.

Anything else (`Maybe`, `GlobalID`, input types with their own `from_input`, generics, a type
this module does not recognise) makes `argument_converter` answer None: that field keeps
strawberry's own wrapper.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    StrawberryType,
    WithStrawberryObjectDefinition,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Converter = Callable[[Any], Any]
ArgumentsConverter = Callable[[Mapping[str, Any]], dict[str, Any]]


class Unsupported(Exception):
    """This argument type keeps strawberry's conversion."""


def argument_converter(
    arguments: list[StrawberryArgument], scalar_registry: Mapping[object, Any], name_of: Callable[[Any], str]
) -> ArgumentsConverter | None:
    """`convert(graphql_args) -> resolver kwargs` for a field's arguments (None: unsupported)."""
    try:
        plan = [(name_of(a), a.python_name, _converter(a.type, scalar_registry, name_of)) for a in arguments]
    except Unsupported:
        return None

    def convert(values: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for graphql_name, python_name, convert_one in plan:
            if graphql_name in values:
                kwargs[python_name] = convert_one(values[graphql_name])
        return kwargs

    return convert


def _is_leaf(type_: Any, scalar_registry: Mapping[object, Any]) -> bool:
    if type_ is GlobalID:
        raise Unsupported("GlobalID")
    if isinstance(type_, LazyType):
        return _is_leaf(type_.resolve_type(), scalar_registry)
    return bool(is_scalar(type_, scalar_registry)) or isinstance(type_, StrawberryEnumDefinition)


def _converter(
    type_: StrawberryType | type, scalar_registry: Mapping[object, Any], name_of: Callable[[Any], str]
) -> Converter:
    if isinstance(type_, StrawberryMaybe):
        raise Unsupported("Maybe")
    if isinstance(type_, StrawberryOptional):
        return _converter(type_.of_type, scalar_registry, name_of)
    if isinstance(type_, LazyType):
        return _converter(type_.resolve_type(), scalar_registry, name_of)
    if isinstance(type_, StrawberryList):
        return _list_converter(type_, scalar_registry, name_of)
    if _is_leaf(type_, scalar_registry) or has_enum_definition(type_):
        return _same
    if has_object_definition(type_):
        return _input_converter(type_, scalar_registry, name_of)
    raise Unsupported(repr(type_))


def _list_converter(
    type_: StrawberryList, scalar_registry: Mapping[object, Any], name_of: Callable[[Any], str]
) -> Converter:
    """Lists of scalars and enums are copied (graphql-core shares default values between
    requests); other lists convert each item."""
    item = type_.of_type
    item_inner = item.of_type if isinstance(item, StrawberryOptional) else item
    if not isinstance(item, StrawberryMaybe) and _is_leaf(item_inner, scalar_registry):

        def copy_list(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            return list(value)

        return copy_list
    convert_item = _converter(item, scalar_registry, name_of)

    def convert_list(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        return [convert_item(x) for x in value]

    return convert_list


def _input_converter(
    type_: type[WithStrawberryObjectDefinition],
    scalar_registry: Mapping[object, Any],
    name_of: Callable[[Any], str],
) -> Converter:
    """An input object: `None` for every field without a default, then the fields present
    in the value, converted, passed to the class."""
    definition = type_.__strawberry_definition__
    if definition.from_input is not None or not definition.is_input or definition.is_graphql_generic:
        raise Unsupported(f"input type {definition.name}")
    cls: Any = type_
    fields: list[StrawberryField] = definition.fields
    defaults = {f.python_name: None for f in fields if f.default_value is MISSING and f.default_factory is MISSING}
    plan = [
        (
            name_of(f),
            f.python_name,
            _converter(f.resolve_type(type_definition=definition), scalar_registry, name_of),
        )
        for f in fields
    ]

    def convert_input(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        kwargs = dict(defaults)
        for graphql_name, python_name, convert_one in plan:
            if graphql_name in value:
                kwargs[python_name] = convert_one(value[graphql_name])
        return cls(**kwargs)

    return convert_input


def _same(value: Any) -> Any:
    return value
