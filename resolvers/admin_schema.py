"""The admin schema: a plain strawberry Schema (never federated) served at /admin/graphql.

Composition point: each admin area owns a module with a `...Query` and/or `...Mutation`
mixin class (a `@strawberry.type` whose fields start with `require_role(info, Role.X)`),
and adds it to the bases below, e.g. for segments:

    from resolvers.audiences import SegmentsMutation, SegmentsQuery

    @strawberry.type
    class AdminQuery(KeysQuery, SlotsAdminQuery, SegmentsQuery): ...

Field names must be unique across mixins (strawberry merges the bases' fields). Resolvers
receive `AdminInfo` (context: the admin services, the principal, the response); `VitrineError`s keep their
message and code, anything else is masked, as on the storefront.
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.scalars import JSON

from gateway.execution.budget import Watchdog
from resolvers.access.keys import KeysMutation, KeysQuery
from resolvers.audiences import SegmentsMutation, SegmentsQuery
from resolvers.execution.errors import ErrorPolicy
from resolvers.execution.json_scalar import CHECKED_JSON
from resolvers.execution.limits import MAX_TOKENS, SHAPE_LIMITS, QueryLimits
from resolvers.execution.validation_cache import text_validation_cache
from resolvers.privacy.admin import PrivacyMutation, PrivacyQuery
from resolvers.slots.admin import SlotsAdminMutation, SlotsAdminQuery
from resolvers.triggers import TriggersMutation, TriggersQuery


@strawberry.type
class AdminQuery(KeysQuery, SlotsAdminQuery, SegmentsQuery, TriggersQuery, PrivacyQuery):
    pass


@strawberry.type
class AdminMutation(KeysMutation, SlotsAdminMutation, SegmentsMutation, TriggersMutation, PrivacyMutation):
    pass


def build_admin_schema(*, validation_budget_ms: int = 250) -> strawberry.Schema:
    return strawberry.Schema(
        query=AdminQuery,
        mutation=AdminMutation,
        scalar_overrides={JSON: CHECKED_JSON},
        extensions=[
            ErrorPolicy,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            QueryLimits,
            lambda: ParserCache(maxsize=128),
            text_validation_cache(SHAPE_LIMITS, Watchdog(), validation_budget_ms / 1000),
        ],
    )
