"""The `JSON` scalar of the admin API, refusing values no store can hold.

Admin JSON arguments (segment and slot definitions, slot content, preview traits) are stored as
documents; a value MongoDB cannot hold (an integer beyond 64 bits, a key with NUL, `.` or a
leading `$`, a lone surrogate, an infinite number) made the store raise and the client see
INTERNAL_SERVER_ERROR, while the memory store kept it. Here it is a clear input error instead,
naming the value. The scalar keeps its name and description: the published SDL is unchanged.

The storefront's JSON arguments (`track` properties, `identify` traits) are not checked here:
they become events, which the intake checks one by one, so one bad event is rejected alone and
the rest of its batch is stored (gateway.visitors.validation).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

from gateway.kernel import StorableRules, unstorable

RULES = StorableRules(max_depth=32, max_key_chars=256, max_string_bytes=64 * 1024, field_names=True)


def checked_json(value: Any) -> Any:
    problem = unstorable(value, "value", RULES)
    if problem is not None:
        raise ValueError(problem[1])
    return value


CHECKED_JSON: ScalarDefinition = replace(DEFAULT_SCALAR_REGISTRY[JSON], parse_value=checked_json)
