"""Query limits as validation rules built once.

strawberry's limiter extensions build a new rule class per instance; with one instance per
request (the recommended factory pattern) the validation cache would never hit, because
its key includes the rule classes. Building the rules once keeps the key stable.
"""

from __future__ import annotations

from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter

MAX_DEPTH = 12
MAX_ALIASES = 50
MAX_TOKENS = 4000

_RULES = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)


class QueryLimits(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(list(_RULES))
