"""Declaring an `is_type_of` that depends only on the value's class.

graphql-core calls an object type's `is_type_of(value, info)` for every value completed as
that type. When the answer depends only on `type(value)` (an `isinstance` check, as for a
federation entity backed by a domain class), decorating it with `class_only_type_check` lets
compiled plans ask once per class and remember the answer; projections can then complete
such objects without building `info` at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

CLASS_ONLY = "__vitrine_class_only__"

F = TypeVar("F", bound=Callable[..., Any])


def class_only_type_check(function: F) -> F:
    """Mark `function` (an `is_type_of`) as answering from the value's class alone."""
    setattr(function, CLASS_ONLY, True)
    return function


def is_class_only(is_type_of: Any) -> bool:
    return bool(getattr(is_type_of, CLASS_ONLY, False))
