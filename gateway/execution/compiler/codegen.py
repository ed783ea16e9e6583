"""Generated Python for one object selection set: the fields of a type, unrolled.

For a concrete object type and the field group graphql-core collected for it, this writes
one function `run(ex, src, path) -> dict | awaitable` doing what graphql-core's
`execute_fields` does for that group, with the per-field dispatch decided once:

- `__typename` is a constant;
- a strawberry field without a resolver (strawberry's own fast path, `getattr(source,
  python_name)`) is an attribute read; a leaf of a built-in scalar whose value already has the
  output type (a `str` for String/ID, an in-range `int` for Int, ...) is stored as is, anything
  else goes through the field's compiled completer (`CompiledExecutor.complete_basic`);
- an attribute whose selection is pure runs its projection (see `gateway.execution.compiler.projection`),
  falling back to the completion below when the projection gives up;
- every other field (resolvers, introspection) runs graphql-core's own `execute_field`.

Fields are executed in document order into a dict in document order; awaitables are collected
and gathered exactly as graphql-core does; a field error propagating out of a non-null field
leaves the pending awaitables to settle in the background and re-raises.
"""

from __future__ import annotations

import keyword
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.pyutils import Path, Undefined

from gateway.execution.compiler.completers import PLAIN_OBJECTS
from gateway.execution.compiler.model import FieldPlan, ObjectFunction

# How to recognise, without a call, a value graphql-core's built-in scalars would output unchanged
# (`{v}` is the expression holding it).
_FAST_CHECKS: dict[int, str] = {
    id(GraphQLString): "type({v}) is str",
    id(GraphQLID): "type({v}) is str",
    id(GraphQLBoolean): "type({v}) is bool",
    id(GraphQLInt): "(type({v}) is int and -2147483648 <= {v} <= 2147483647)",
    id(GraphQLFloat): "(type({v}) is float and -1.8e308 < {v} < 1.8e308)",
}


def fast_check(named: GraphQLNamedType, var: str = "v") -> str | None:
    """The expression testing `var` for an unchanged output value of `named` (None: not a built-in scalar)."""
    check = _FAST_CHECKS.get(id(named))
    return check.format(v=var) if check is not None else None


def generate(parent_type: GraphQLObjectType, fields: list[FieldPlan]) -> tuple[str, dict[str, Any]]:
    """The source of `run` and the constants it refers to."""
    consts: dict[str, Any] = {"Path": Path, "new": tuple.__new__, "PLAIN": PLAIN_OBJECTS, "Undefined": Undefined}
    lines = [
        "def run(ex, src, path):",
        "    is_aw = ex.is_awaitable",
        "    r = {}",
        "    aw = []",
        "    try:",
    ]
    body: list[str] = []
    for i, field in enumerate(fields):
        key = repr(field.key)
        if field.typename:
            body.append(f"r[{key}] = {parent_type.name!r}")
            continue
        fname = f"F{i}"
        consts[fname] = field
        if field.attribute is None:
            body += [
                f"v = ex.call_field({fname}, src, path)",
                "if is_aw(v):",
                f"    aw.append({key})",
                f"r[{key}] = v",
            ]
            continue
        attr = field.attribute
        read = f"src.{attr}" if attr.isidentifier() and not keyword.iskeyword(attr) else f"getattr(src, {attr!r})"
        return_type = field.return_type
        non_null = isinstance(return_type, GraphQLNonNull)
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        body += [
            "try:",
            f"    v = {read}",
            "except Exception as e:",
            f"    ex.field_failed(e, {fname}, path)",
            "    v = None",
        ]
        fast = fast_check(named) if isinstance(named, GraphQLNamedType) else None
        if field.project is not None:
            # A pure selection: its projection, or (when it gives up) the field's completer.
            consts[f"PR{i}"] = field.project
            body += ["else:", "    try:", f"        v = PR{i}(v)", "    except Exception:", *_slow(fname, key, 8)]
        elif fast is not None:
            slow_condition = f"not {fast}" if non_null else f"v is not None and not {fast}"
            body += ["else:", f"    if {slow_condition}:", *_slow(fname, key, 8)]
        elif isinstance(named, GraphQLScalarType | GraphQLEnumType):
            # A custom scalar or an enum: graphql-core's complete_leaf_value inline for ordinary values.
            consts[f"C{i}"] = named.coerce_output_value
            body += [
                "else:",
                *(["    if v is None:", "        pass"] if not non_null else []),
                f"    {'el' if not non_null else ''}if type(v) in PLAIN or ex.plain(v):",
                "        try:",
                f"            c = C{i}(v)",
                "        except Exception as e:",
                f"            ex.field_failed(e, {fname}, path)",
                "            c = None",
                "        if c is None or c is Undefined:",
                *_slow(fname, key, 12),
                "        else:",
                "            v = c",
                "    else:",
                *_slow(fname, key, 8),
            ]
        elif isinstance(named, GraphQLObjectType) and named.is_type_of is None:
            # An object read from an attribute: run its compiled selection set directly.
            body += [
                "else:",
                *(["    if v is None:", "        pass"] if not non_null else []),
                f"    {'el' if not non_null else ''}if type(v) in PLAIN or ex.plain(v):",
                f"        p = new(Path, (path, {key}, {parent_type.name!r}))",
                "        try:",
                f"            v = ({fname}.sub or ex.sub(p, {fname}))(ex, v, p)",
                "            if is_aw(v):",
                f"                v = ex.await_completed(v, {fname}.return_type, {fname}.details, p)",
                f"                aw.append({key})",
                "        except Exception as e:",
                f"            ex.handle_field_error(e, {fname}.return_type, {fname}.details, p)",
                "            v = None",
                "    else:",
                *_slow(fname, key, 8),
            ]
        else:
            # Lists, and objects with an is_type_of: the field's completer, for ordinary values.
            body += [
                "else:",
                *(["    if v is None:", "        pass"] if not non_null else []),
                f"    {'el' if not non_null else ''}if type(v) in PLAIN or ex.plain(v):",
                f"        p = new(Path, (path, {key}, {parent_type.name!r}))",
                "        try:",
                f"            v = {fname}.completer(ex, None, p, v)",
                "            if is_aw(v):",
                f"                v = ex.await_completed(v, {fname}.return_type, {fname}.details, p)",
                f"                aw.append({key})",
                "        except Exception as e:",
                f"            ex.handle_field_error(e, {fname}.return_type, {fname}.details, p)",
                "            v = None",
                "    else:",
                *_slow(fname, key, 8),
            ]
        body.append(f"r[{key}] = v")
    if not body:
        body.append("pass")
    lines += ["        " + line for line in body]
    lines += [
        "    except Exception:",
        "        if aw:",
        "            ex.settle_in_background([r[k] for k in aw])",
        "        raise",
        "    if aw:",
        "        return ex.gather_fields(r, aw)",
        "    return r",
    ]
    return "\n".join(lines) + "\n", consts


def _slow(fname: str, key: str, indent: int) -> list[str]:
    """Generic completion of a value read from an attribute (graphql-core's complete_value)."""
    pad = " " * indent
    return [f"{pad}v = ex.complete_basic({fname}, path, v)", f"{pad}if is_aw(v):", f"{pad}    aw.append({key})"]


def compile_object(parent_type: GraphQLObjectType, fields: list[FieldPlan]) -> ObjectFunction:
    source, consts = generate(parent_type, fields)
    namespace: dict[str, Any] = dict(consts)
    code = compile(source, f"<vitrine compiled {parent_type.name}>", "exec")
    exec(code, namespace)  # the source is ours: field names are quoted with repr, attributes checked
    run: ObjectFunction = namespace["run"]
    run.__vitrine_source__ = source  # type: ignore[attr-defined]
    return run
