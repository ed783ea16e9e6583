"""The expanded shape of a document, measured in one linear pass, and the limits checked on it.

A fragment spread stands for the whole fragment, so a 900-byte document of fragments that
each spread the previous one three times expands to 3^24 fields. Every rule that follows
spreads without remembering what it found (strawberry's depth and alias limiters did) then
walks all of them. Here each fragment is measured once, in dependency order, and a spread
reads its fragment's numbers: the work is one visit per selection of the document, however
large the expansion. Numbers saturate at `CAP`, so they stay small integers.

`shape_errors` is checked before any validation rule walks the document: a document over a
limit is refused with `QUERY_TOO_COMPLEX` and never reaches them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

CAP = 1 << 40  # far above every limit; keeps the arithmetic of a fragment bomb cheap
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True)
class Shape:
    """What a selection set stands for once every fragment spread is expanded."""

    fields: int = 0  # fields, counting each fragment once per spread
    spreads: int = 0  # fragment spreads, the same way
    aliases: int = 0  # aliased fields, the same way
    depth: int = 0  # nesting of fields with selections (introspection fields do not count)

    def plus(self, other: Shape) -> Shape:
        return Shape(
            min(self.fields + other.fields, CAP),
            min(self.spreads + other.spreads, CAP),
            min(self.aliases + other.aliases, CAP),
            max(self.depth, other.depth),
        )


EMPTY = Shape()


@dataclass(frozen=True, slots=True)
class Limits:
    max_fields: int
    max_spreads: int
    max_aliases: int
    max_depth: int


@dataclass
class Measure:
    """Measures selection sets, one visit per selection node (`visits` counts them)."""

    fragments: dict[str, Shape]
    visits: int = 0

    def selection_set(self, selection_set: SelectionSetNode | None) -> Shape:
        if selection_set is None:
            return EMPTY
        fields = spreads = aliases = depth = 0
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                fields += 1 + inner.fields
                spreads += inner.spreads
                aliases += (selection.alias is not None) + inner.aliases
                if selection.selection_set is not None and not selection.name.value.startswith("__"):
                    depth = max(depth, 1 + inner.depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                # Unknown or cyclic fragments count as empty: KnownFragmentNames and
                # NoFragmentCycles report them.
                inner = self.fragments.get(selection.name.value, EMPTY)
                spreads += 1
            fields += inner.fields
            spreads += inner.spreads
            aliases += inner.aliases
            depth = max(depth, inner.depth)
        return Shape(min(fields, CAP), min(spreads, CAP), min(aliases, CAP), depth)


def _spread_names(selection_set: SelectionSetNode | None) -> Iterator[str]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        elif isinstance(selection, FieldNode | InlineFragmentNode):
            yield from _spread_names(selection.selection_set)


def _dependency_order(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragment names, each after the fragments it spreads (cycles broken anywhere).

    Iterative, because a chain of fragments can be as long as the document allows.
    """
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done
    for root in fragments:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(list(_spread_names(fragments[root].selection_set))))]
        while stack:
            name, pending = stack[-1]
            for dep in pending:
                if dep in fragments and dep not in state:
                    state[dep] = 1
                    stack.append((dep, iter(list(_spread_names(fragments[dep].selection_set)))))
                    break
            else:
                stack.pop()
                state[name] = 2
                order.append(name)
    return order


def measure(document: DocumentNode) -> tuple[dict[OperationDefinitionNode, Shape], int]:
    """Each operation's expanded shape, and how many selection nodes were visited to find it."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walker = Measure({})
    for name in _dependency_order(fragments):
        walker.fragments[name] = walker.selection_set(fragments[name].selection_set)
    shapes = {
        d: walker.selection_set(d.selection_set) for d in document.definitions if isinstance(d, OperationDefinitionNode)
    }
    return shapes, walker.visits


def _refusal(message: str, node: OperationDefinitionNode) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": QUERY_TOO_COMPLEX})


def shape_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Why the document is too large to validate and run, or nothing."""
    shapes, _ = measure(document)
    errors: list[GraphQLError] = []
    for operation, shape in shapes.items():
        name = operation.name.value if operation.name else "anonymous"
        if shape.fields > limits.max_fields or shape.spreads > limits.max_spreads:
            errors.append(
                _refusal(
                    f"'{name}' expands to more than {limits.max_fields} fields or {limits.max_spreads} fragment "
                    "spreads: spread each fragment fewer times",
                    operation,
                )
            )
        if shape.depth > limits.max_depth:
            errors.append(_refusal(f"'{name}' exceeds maximum operation depth of {limits.max_depth}", operation))
        if shape.aliases > limits.max_aliases:
            errors.append(_refusal(f"{shape.aliases} aliases found. Allowed: {limits.max_aliases}", operation))
    return errors
