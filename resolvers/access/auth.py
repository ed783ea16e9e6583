"""Role checks for admin resolvers.

Every admin field calls `require_role(info, Role.X)` first; the endpoint has already
authenticated the key (no key: 401 before GraphQL runs). A key whose role is too low gets a
FORBIDDEN error naming the role it needs, and the HTTP status becomes 403.
"""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from gateway.access import Principal, Role
from gateway.execution.context import AdminContext
from gateway.kernel import Forbidden

AdminInfo: TypeAlias = strawberry.Info[AdminContext, None]


def require_role(info: AdminInfo, role: Role) -> Principal:
    """The caller, if its key's role allows `role`; raises Forbidden (HTTP 403) otherwise."""
    principal = info.context.principal
    if not principal.role.allows(role):
        info.context.response.status_code = 403
        raise Forbidden(
            f"this needs the {role.value} role; the key {principal.key_id!r} has {principal.role.value}. "
            "Ask an admin for a key with that role."
        )
    return principal
