"""The visitor's own data requests, authorised by their signed visitor id (cookie or header)."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from gateway.kernel.errors import InputError
from resolvers.execution.info import Info


def _check(info: Info) -> None:
    ctx = info.context
    if ctx.visitor.is_new:
        raise InputError("no signed visitor id in this request: nothing is stored about a new visitor")
    if ctx.visitor.channel.value in ctx.container.settings.identity_unlinked_channels:
        raise InputError(f"data requests are not taken on shared {ctx.visitor.channel.value} devices")


@strawberry.type
class PrivacyQuery:
    @strawberry.field(description="Everything stored about you (the person this signed visitor id belongs to).")
    async def my_data(self, info: Info) -> JSON:
        _check(info)
        return cast(JSON, await info.context.container.customer.privacy.export(info.context.visitor.id))


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="Erase everything stored about you, on every device. Answers true when done.")
    async def forget_me(self, info: Info) -> bool:
        _check(info)
        await info.context.container.customer.privacy.forget(info.context.visitor.id)
        info.context.reset_visitor()
        return True
