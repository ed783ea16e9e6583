"""Projections: a pure selection completed in one pass, without paths, or not at all.

A field's selection is *pure* when completing it runs no user code but attribute reads and
leaf serializers: every field below it is `__typename` or a resolver-less attribute, leaves
are scalars or enums, object types have no `is_type_of` or one declared to depend on the
value's class only (`type_checks.class_only_type_check`), and there are no interfaces or unions.

For a pure selection the plan generates a projection, `project(value) -> completed`, that
builds exactly the JSON graphql-core builds when nothing is out of the ordinary, and raises
(any exception) as soon as something is: a None under a non-null type, an awaitable, an
Exception instance, a leaf graphql-core would convert or refuse, an attribute read that
raises, a type check that fails or has not been answered yet for that class, a list that is
not a list or tuple. The caller then completes the same value on the path-aware compiled
code, which collects errors, paths and null propagation exactly as graphql-core does.
Running the slow path after a projection gave up is safe because a pure selection only reads.

**Snapshot memo.** Objects of the classes the schema declares immutable snapshots (frozen
values that never change once built, such as the catalogue's localized products, cached per
catalogue snapshot) complete to the same JSON every time for the same selection. A
projection of such an object is kept, keyed by (selection, object identity), in a bounded
memo shared by the plans of one schema, and answered from there next time; the memo holds
the object itself, so an identity is never mistaken for a later object's. Completed values
are shared between responses: nothing downstream mutates response data.
"""

from __future__ import annotations

import itertools
import keyword
from collections.abc import Iterable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined

from gateway.execution.compiler.codegen import fast_check
from gateway.execution.compiler.completers import PLAIN_OBJECTS, plain_class
from gateway.execution.compiler.model import FieldPlan, PlanShape, Projection
from gateway.execution.compiler.type_checks import is_class_only

MEMO_CAPACITY = 50_000


class GiveUp(Exception):
    """Raised by generated projections: complete this value on the path-aware code instead."""


class SnapshotMemo:
    """Completed JSON of immutable snapshot objects, per selection; bounded (cleared when full)."""

    def __init__(self, snapshot_types: Iterable[type], capacity: int = MEMO_CAPACITY) -> None:
        self.types: frozenset[type] = frozenset(snapshot_types)
        self.capacity = capacity
        self.entries: dict[tuple[int, int], tuple[Any, Any]] = {}

    def put(self, key: tuple[int, int], source: Any, completed: Any) -> None:
        if len(self.entries) >= self.capacity:
            self.entries.clear()
        self.entries[key] = (source, completed)


_node_ids = itertools.count(1)


def _named(t: GraphQLOutputType) -> GraphQLNamedType:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


class ProjectionBuilder:
    """Builds (and caches) the projections of one plan."""

    def __init__(self, plan: PlanShape, memo: SnapshotMemo | None, type_checks: dict[str, dict[type, bool]]) -> None:
        self.plan = plan
        self.memo = memo
        self.type_checks = type_checks
        self._objects: dict[tuple[str, int], Projection | None] = {}

    # --- purity -------------------------------------------------------------------------

    def for_field(self, field: FieldPlan) -> Projection | None:
        """The projection of `field`'s whole value (None: not pure, or a leaf not worth one)."""
        named = _named(field.return_type)
        if not isinstance(named, GraphQLObjectType):
            return None
        return self._value(field.return_type, field)

    def _object(self, object_type: GraphQLObjectType, field: FieldPlan) -> Projection | None:
        key = (object_type.name, id(field.details))
        if key in self._objects:
            return self._objects[key]
        self._objects[key] = None  # a cycle cannot happen (selections are finite); be safe anyway
        built = self._build_object(object_type, field)
        self._objects[key] = built
        return built

    def _pure_leaf_or_object(self, field: FieldPlan) -> bool:
        if field.typename:
            return True
        if field.attribute is None:
            return False
        named = _named(field.return_type)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return True
        if isinstance(named, GraphQLObjectType):
            return self._object(named, field) is not None
        return False

    # --- code -------------------------------------------------------------------------------

    def _build_object(self, object_type: GraphQLObjectType, field: FieldPlan) -> Projection | None:
        is_type_of = object_type.is_type_of
        if is_type_of is not None and not is_class_only(is_type_of):
            return None
        fields = self.plan.fields_of(object_type, field.details)
        if not all(self._pure_leaf_or_object(f) for f in fields):
            return None
        consts: dict[str, Any] = {
            "GiveUp": GiveUp,
            "PLAIN": PLAIN_OBJECTS,
            "LEARN": plain_class,
            "Undefined": Undefined,
        }
        body: list[str] = []
        items: list[str] = []
        for i, f in enumerate(fields):
            key = repr(f.key)
            if f.typename:
                items.append(f"{key}: {object_type.name!r}")
                continue
            var = f"v{i}"
            attr = f.attribute
            assert attr is not None
            plain_name = attr.isidentifier() and not keyword.iskeyword(attr)
            read = f"src.{attr}" if plain_name else f"getattr(src, {attr!r})"
            named = _named(f.return_type)
            if (
                isinstance(named, GraphQLObjectType)
                or isinstance(f.return_type, GraphQLList)
                or (isinstance(f.return_type, GraphQLNonNull) and isinstance(f.return_type.of_type, GraphQLList))
            ):
                projection = self._value(f.return_type, f)
                if projection is None:
                    return None
                consts[f"P{i}"] = projection
                body.append(f"{var} = P{i}({read})")
            else:
                body.append(f"{var} = {read}")
                body += self._leaf_lines(f.return_type, var, consts, f"C{i}", indent=0)
            items.append(f"{key}: {var}")
        lines = ["def project(src):", *("    " + line for line in body), f"    return {{{', '.join(items)}}}"]
        return _exec("\n".join(lines) + "\n", consts, f"<vitrine projection {object_type.name}>")

    def _leaf_lines(self, t: GraphQLOutputType, var: str, consts: dict[str, Any], name: str, indent: int) -> list[str]:
        """Check (and coerce) leaf `var` in place, raising GIVE_UP when graphql-core would do anything else."""
        non_null = isinstance(t, GraphQLNonNull)
        named = t.of_type if isinstance(t, GraphQLNonNull) else t
        assert isinstance(named, GraphQLScalarType | GraphQLEnumType)
        pad = " " * indent
        fast = fast_check(named, var)
        if fast is not None:
            condition = f"not {fast}" if non_null else f"{var} is not None and not {fast}"
            return [f"{pad}if {condition}:", f"{pad}    raise GiveUp"]
        consts[name] = named.coerce_output_value
        coerce = [
            f"if type({var}) not in PLAIN and not LEARN({var}):",
            "    raise GiveUp",
            f"{var} = {name}({var})",
            f"if {var} is None or {var} is Undefined:",
            "    raise GiveUp",
        ]
        if non_null:
            return [pad + line for line in coerce]
        return [f"{pad}if {var} is not None:", *(pad + "    " + line for line in coerce)]

    def _value(self, t: GraphQLOutputType, field: FieldPlan) -> Projection | None:
        """`project(value)` for a value of wrapped type `t` (None when not pure)."""
        non_null = isinstance(t, GraphQLNonNull)
        inner = t.of_type if isinstance(t, GraphQLNonNull) else t
        consts: dict[str, Any] = {
            "GiveUp": GiveUp,
            "PLAIN": PLAIN_OBJECTS,
            "LEARN": plain_class,
            "Undefined": Undefined,
        }
        null = ["    if v is None:", "        raise GiveUp" if non_null else "        return None"]
        if isinstance(inner, GraphQLList):
            item = inner.of_type
            item_named = _named(item)
            lines = ["def project(v):", *null]
            lines += [
                "    k = type(v)",
                "    if k is not list and k is not tuple:",
                "        raise GiveUp",
            ]
            if isinstance(item_named, GraphQLScalarType | GraphQLEnumType) and not isinstance(
                item.of_type if isinstance(item, GraphQLNonNull) else item, GraphQLList
            ):
                check = self._leaf_lines(item, "x", consts, "C", indent=8)
                lines += ["    out = []", "    for x in v:", *check, "        out.append(x)", "    return out"]
            else:
                projection = self._value(item, field)
                if projection is None:
                    return None
                consts["ITEM"] = projection
                lines.append("    return [ITEM(x) for x in v]")
            return _exec("\n".join(lines) + "\n", consts, "<vitrine projection list>")
        if isinstance(inner, GraphQLObjectType):
            obj = self._object(inner, field)
            if obj is None:
                return None
            consts["OBJ"] = obj
            lines = [
                "def project(v):",
                *null,
                "    k = type(v)",
                "    if k not in PLAIN and not LEARN(v):",
                "        raise GiveUp",
            ]
            if inner.is_type_of is not None:
                consts["CHECKED"] = self.type_checks.setdefault(inner.name, {})
                lines += ["    if CHECKED.get(k) is not True:", "        raise GiveUp"]
            memo = self.memo
            if memo is not None and memo.types:
                consts.update(SNAP=memo.types, MEMO=memo.entries, PUT=memo.put, NODE=next(_node_ids))
                lines += [
                    "    if k in SNAP:",
                    "        key = (NODE, id(v))",
                    "        hit = MEMO.get(key)",
                    "        if hit is not None and hit[0] is v:",
                    "            return hit[1]",
                    "        r = OBJ(v)",
                    "        PUT(key, v, r)",
                    "        return r",
                ]
            lines.append("    return OBJ(v)")
            return _exec("\n".join(lines) + "\n", consts, f"<vitrine projection {inner.name}>")
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            lines = ["def project(v):", *self._leaf_lines(t, "v", consts, "C", indent=4), "    return v"]
            return _exec("\n".join(lines) + "\n", consts, "<vitrine projection leaf>")
        return None  # interfaces and unions


def _exec(source: str, consts: dict[str, Any], filename: str) -> Projection:
    namespace = dict(consts)
    exec(compile(source, filename, "exec"), namespace)  # the source is ours: keys quoted with repr
    project: Projection = namespace["project"]
    project.__vitrine_source__ = source  # type: ignore[attr-defined]
    return project
