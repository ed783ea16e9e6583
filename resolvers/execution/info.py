"""The typed `Info` every resolver receives."""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar, cast

import strawberry

from gateway.execution.context import RequestContext

Info: TypeAlias = strawberry.Info[RequestContext, None]

T = TypeVar("T")


def expose(value: Any, _as: type[T]) -> T:
    """Hand a domain value to GraphQL as type `_as`: strawberry reads its attributes directly."""
    return cast(T, value)
