"""What every store can hold: JSON values that MongoDB (BSON), Redis (JSON text) and the memory
stores keep the same way.

BSON integers are 64-bit signed, so a larger one made PyMongo raise OverflowError and failed a
whole batch that the memory store had accepted. Field names cannot hold NUL (BSON C strings) and
MongoDB treats `.` and a leading `$` in them as operators; strings must encode to UTF-8 (a lone
surrogate does not); NaN and infinities have no JSON form (Redis keeps JSON). `unstorable`
checks a value against all of that before it reaches any store, and says what is wrong where.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class StorableRules:
    max_depth: int = 32  # nesting: the value itself is at depth 1
    max_key_chars: int = 128
    max_string_bytes: int = 64 * 1024
    field_names: bool = True  # keys are document field names: no '.', no leading '$'


def unstorable(value: Any, path: str, rules: StorableRules) -> tuple[str, str] | None:
    """None when every store can hold `value`, else (kind, reason): kind is "depth", "key",
    "size" or "value", the reason names the path."""
    return _check(value, 1, path, rules)


def _check(value: Any, depth: int, path: str, rules: StorableRules) -> tuple[str, str] | None:
    if depth > rules.max_depth:
        return "depth", f"nests deeper than {rules.max_depth} levels at {path}"
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            return "value", f"{path} is an integer outside -2^63..2^63-1: send it as a string"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else ("value", f"{path} is not a finite number")
    if isinstance(value, str):
        return _string(value, path, rules)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            problem = _key(key, path, rules) or _check(inner, depth + 1, f"{path}.{key}", rules)
            if problem:
                return problem
        return None
    if isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            problem = _check(inner, depth + 1, f"{path}[{i}]", rules)
            if problem:
                return problem
        return None
    return "value", f"{path} is not a JSON value"


def _string(value: str, path: str, rules: StorableRules) -> tuple[str, str] | None:
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return "value", f"{path} is not valid Unicode text (a lone surrogate)"
    if size > rules.max_string_bytes:
        return "size", f"{path} is a string of {size} bytes; the limit is {rules.max_string_bytes}"
    return None


def _key(key: Any, path: str, rules: StorableRules) -> tuple[str, str] | None:
    allowed = (
        isinstance(key, str)
        and 0 < len(key) <= rules.max_key_chars
        and "\x00" not in key
        and _string(key, path, rules) is None
        and not (rules.field_names and ("." in key or key.startswith("$")))
    )
    if allowed:
        return None
    dots = " without '.' and not starting with '$'" if rules.field_names else ""
    return "key", (
        f"property name {key!r} at {path} is not allowed: use a name of 1-{rules.max_key_chars} characters{dots}, "
        "without NUL"
    )
