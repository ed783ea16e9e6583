"""Query limits: the document's expanded shape, checked first, and the rules built once.

`SHAPE_LIMITS` are checked in one linear pass before any validation rule walks the document
(resolvers.execution.document_shape): expanded fields and fragment spreads, depth, aliases.
The cost rule then runs with graphql-core's rules. Rules are built once: the validation cache
key includes the rule classes, so a class built per request would never hit.
"""

from __future__ import annotations

from graphql import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules

from resolvers.execution.cost import cost_rule
from resolvers.execution.document_shape import Limits

MAX_DEPTH = 12
MAX_ALIASES = 50
MAX_TOKENS = 4000
MAX_COST = 20_000  # the personalized home page is ~1,200 fields
MAX_PAGE = 100
MAX_SPREADS = 1000  # fragment spreads once every fragment is expanded
MAX_ENTITIES = 100  # representations one `_entities` call may ask for

SHAPE_LIMITS = Limits(max_fields=MAX_COST, max_spreads=MAX_SPREADS, max_aliases=MAX_ALIASES, max_depth=MAX_DEPTH)

LIMIT_RULES = _RULES = (cost_rule(MAX_COST, MAX_PAGE, MAX_ENTITIES),)
_RULES_WITHOUT_INTROSPECTION = (*_RULES, NoSchemaIntrospectionCustomRule)


class QueryLimits(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(list(_RULES))


class QueryLimitsWithoutIntrospection(AddValidationRules):
    """The same limits, and `__schema` / `__type` refused (VITRINE_INTROSPECTION=false)."""

    def __init__(self) -> None:
        super().__init__(list(_RULES_WITHOUT_INTROSPECTION))
