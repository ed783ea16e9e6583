"""The admin schema: a plain strawberry Schema (never federated) served at /admin/graphql.

Composition point: each admin area owns a module with a `...Query` and/or `...Mutation`
mixin class (a `@strawberry.type` whose fields start with `require_role(info, Role.X)`),
and adds it to the bases below, e.g. for segments:

    from resolvers.admin.segments import SegmentsMutation, SegmentsQuery

    @strawberry.type
    class AdminQuery(KeysQuery, SlotsAdminQuery, SegmentsQuery): ...

Field names must be unique across mixins (strawberry merges the bases' fields). Resolvers
receive `AdminInfo` (context: container, principal, response); `VitrineError`s keep their
message and code, anything else is masked, as on the storefront.
"""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache

from resolvers.admin.keys import KeysMutation, KeysQuery
from resolvers.admin.slots import SlotsAdminMutation, SlotsAdminQuery
from resolvers.errors import ErrorPolicy
from resolvers.limits import MAX_TOKENS, QueryLimits


@strawberry.type
class AdminQuery(KeysQuery, SlotsAdminQuery):
    pass


@strawberry.type
class AdminMutation(KeysMutation, SlotsAdminMutation):
    pass


def build_admin_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=AdminQuery,
        mutation=AdminMutation,
        extensions=[
            ErrorPolicy,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            QueryLimits,
            lambda: ParserCache(maxsize=128),
            lambda: ValidationCache(maxsize=128),
        ],
    )
