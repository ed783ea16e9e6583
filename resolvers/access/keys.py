"""Admin API keys: list (admin), create with a role (admin), revoke (admin); `me` for any key."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.access import ApiKey as DomainApiKey
from gateway.access import Role as DomainRole
from resolvers.access.auth import AdminInfo, require_role
from resolvers.execution.info import expose

Role = strawberry.enum(
    DomainRole,
    name="Role",
    description=(
        "viewer: read; editor: definitions; admin: keys too. ingest: a server write key (its events prove "
        "identities); browser: a public write key (events only, proving nothing)."
    ),
)


@strawberry.type(description="An admin API key. The key itself is shown only once, when it is created.")
class ApiKey:
    id: strawberry.ID
    name: str
    role: Role  # type: ignore[valid-type]
    created_at: datetime
    created_by: str
    revoked: bool


@strawberry.type
class Me:
    key_id: strawberry.ID
    name: str
    role: Role  # type: ignore[valid-type]


@strawberry.type
class CreatedApiKey:
    api_key: ApiKey
    secret: str = strawberry.field(description="The key to send as 'Authorization: Bearer <secret>'. Store it now.")


@strawberry.type
class KeysQuery:
    @strawberry.field(description="The key making this request (any role).")
    def me(self, info: AdminInfo) -> Me:
        p = info.context.principal
        return Me(key_id=strawberry.ID(p.key_id), name=p.name, role=p.role)

    @strawberry.field(description="Every API key, oldest first (admin).")
    async def api_keys(self, info: AdminInfo) -> list[ApiKey]:
        require_role(info, DomainRole.ADMIN)
        return [expose(k, ApiKey) for k in await info.context.services.api_keys.list()]


@strawberry.type
class KeysMutation:
    @strawberry.mutation(description="Create a key with a role (admin). The secret is returned only here.")
    async def create_api_key(self, info: AdminInfo, name: str, role: Role) -> CreatedApiKey:  # type: ignore[valid-type]
        by = require_role(info, DomainRole.ADMIN)
        key: DomainApiKey
        key, secret = await info.context.services.api_keys.create(name, role, by)
        return CreatedApiKey(api_key=expose(key, ApiKey), secret=secret)

    @strawberry.mutation(description="Revoke a key (admin); it stops working at once.")
    async def revoke_api_key(self, info: AdminInfo, id: strawberry.ID) -> bool:
        by = require_role(info, DomainRole.ADMIN)
        await info.context.services.api_keys.revoke(str(id), by)
        return True
