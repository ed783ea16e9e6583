"""Query limits as validation rules built once.

strawberry's limiter extensions build a new rule class per instance; with one instance per
request (the recommended factory pattern) the validation cache would never hit, because
its key includes the rule classes. Building the rules once keeps the key stable.
"""

from __future__ import annotations

from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter

from resolvers.execution.cost import cost_rule

MAX_DEPTH = 12
MAX_ALIASES = 50
MAX_TOKENS = 4000
MAX_COST = 20_000  # the personalized home page is ~1,200 fields
MAX_PAGE = 100

LIMIT_RULES = _RULES = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    cost_rule(MAX_COST, MAX_PAGE),
)
_RULES_WITHOUT_INTROSPECTION = (*_RULES, NoSchemaIntrospectionCustomRule)


class QueryLimits(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(list(_RULES))


class QueryLimitsWithoutIntrospection(AddValidationRules):
    """The same limits, and `__schema` / `__type` refused (VITRINE_INTROSPECTION=false)."""

    def __init__(self) -> None:
        super().__init__(list(_RULES_WITHOUT_INTROSPECTION))
