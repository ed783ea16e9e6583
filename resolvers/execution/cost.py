"""A static cost limit: how many fields an operation can resolve at most, before it runs.

Each selected field costs 1, multiplied by the page sizes of the lists around it: a field
with a `first` argument multiplies everything below it by that value (a literal, the
variable's default, or the argument's cap when the client passes a variable). Aliases
therefore multiply cost too, so 50 aliased 100-product pages are refused even though each
one alone is fine. Fragments are costed once each (memoized), so fragment bombs cost linear
time to check; cycles are left to the standard NoFragmentCycles rule.
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)

PAGE_ARGUMENTS = ("first", "last", "limit")


class CostLimit(ValidationRule):
    """Refuses operations whose worst-case field count is above `max_cost`; `cost_rule` sets the limits."""

    max_cost: ClassVar[int]
    max_page: ClassVar[int]

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self._fragments: dict[str, int] = {}
        self._in_progress: set[str] = set()
        self._defaults: dict[str, int] = {}

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        self._defaults = {}
        for definition in node.variable_definitions or ():
            if isinstance(definition.default_value, IntValueNode):
                self._defaults[definition.variable.name.value] = int(definition.default_value.value)
        cost = self._selection_cost(node.selection_set)
        if cost > self.max_cost:
            name = node.name.value if node.name else "anonymous"
            self.report_error(
                GraphQLError(
                    f"'{name}' may resolve up to {cost} fields, more than the {self.max_cost} allowed: "
                    "ask for smaller pages (first) or fewer aliases",
                    node,
                    extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": self.max_cost},
                )
            )

    def _page_size(self, field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(1, min(int(value.value), self.max_page))
            if isinstance(value, VariableNode):
                return max(1, min(self._defaults.get(value.name.value, self.max_page), self.max_page))
        return 1

    def _selection_cost(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + self._page_size(selection) * self._selection_cost(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self._selection_cost(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment_cost(selection.name.value)
            if total > self.max_cost * 1000:  # already hopeless: stop before the numbers get huge
                return total
        return total

    def _fragment_cost(self, name: str) -> int:
        if name in self._fragments:
            return self._fragments[name]
        if name in self._in_progress:
            return 0  # a cycle: NoFragmentCyclesRule reports it
        fragment: FragmentDefinitionNode | None = self.context.get_fragment(name)
        if fragment is None:
            return 0  # KnownFragmentNamesRule reports it
        self._in_progress.add(name)
        cost = self._selection_cost(fragment.selection_set)
        self._in_progress.discard(name)
        self._fragments[name] = cost
        return cost


def cost_rule(max_cost: int, max_page: int) -> type[ValidationRule]:
    """A rule class refusing operations whose worst-case field count is above `max_cost`.

    Built once (at import) so the validation cache key stays stable.
    """
    return type("MaxCost", (CostLimit,), {"max_cost": max_cost, "max_page": max_page})
