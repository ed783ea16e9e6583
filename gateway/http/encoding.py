"""JSON responses that always encode.

orjson refuses integers beyond 64 bits, dict keys that are not strings and objects it does not
know; a response built from such a value (an error's `extensions`, a client's own value echoed
back) would turn into a plain-text 500 instead of a GraphQL-over-HTTP answer. `dumps` encodes
with orjson and, only when that fails, encodes a copy in which such integers become strings,
keys become strings and unknown objects become their `str()`. NaN and infinities already
encode as null.
"""

from __future__ import annotations

from typing import Any

import orjson

INT64_MIN, UINT64_MAX = -(1 << 63), (1 << 64) - 1
MAX_DEPTH = 256


def dumps(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return orjson.dumps(encodable(data))


def encodable(value: Any, depth: int = 0) -> Any:
    """`value` with everything orjson refuses replaced (see the module docstring)."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return value
    if isinstance(value, int):
        return value if INT64_MIN <= value <= UINT64_MAX else str(value)
    if isinstance(value, dict):
        return {str(k): encodable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(v, depth + 1) for v in value]
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError:
        return str(value)
    return value
