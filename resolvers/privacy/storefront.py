"""The visitor's own data requests, authorised by their signed visitor id (cookie or header)."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from resolvers.execution.info import Info


def _check(info: Info) -> None:
    info.context.services.privacy.check_requester(info.context.visitor)


@strawberry.type
class PrivacyQuery:
    @strawberry.field(description="Everything stored about you (the person this signed visitor id belongs to).")
    async def my_data(self, info: Info) -> JSON:
        _check(info)
        return cast(JSON, await info.context.services.privacy.export(info.context.visitor.id))


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="Erase everything stored about you, on every device. Answers true when done.")
    async def forget_me(self, info: Info) -> bool:
        _check(info)
        await info.context.services.privacy.forget(info.context.visitor.id)
        info.context.reset_visitor()
        return True
