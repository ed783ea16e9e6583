"""Definition problems: one (`ConditionError`) or all of them at once (`Problems`) (pure).

Parsers report every problem they can find in one pass, so an editor fixes a form in one
round: a `Collector` runs the independent checks of a definition (its fields, the children of
a condition group), keeps what each one raised, and raises `Problems` at the end. `Problems`
is a `ConditionError` whose path and message are the first problem's, so code that handles
one problem keeps working. A check that depends on another (a field's value needs the field's
type) runs only when what it depends on parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")
MAX_PROBLEMS = 50  # enough for any form; a pasted document full of mistakes is cut here


class ConditionError(ValueError):
    """A definition that cannot be used; `path` locates the problem in the JSON."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def flatten(errors: Iterable[ConditionError]) -> list[ConditionError]:
    out: list[ConditionError] = []
    for error in errors:
        out += error.problems if isinstance(error, Problems) else [error]
    return out[:MAX_PROBLEMS]


class Problems(ConditionError):
    """Several problems; `path` and `message` are the first one's."""

    def __init__(self, problems: Iterable[ConditionError]) -> None:
        self.problems: tuple[ConditionError, ...] = tuple(flatten(problems))
        assert self.problems, "Problems needs at least one problem"
        first = self.problems[0]
        super().__init__(first.path, first.message)


def problems_of(error: ConditionError) -> tuple[ConditionError, ...]:
    return error.problems if isinstance(error, Problems) else (error,)


class Collector:
    """Runs independent checks and keeps their problems; `check()` raises them together."""

    def __init__(self) -> None:
        self.problems: list[ConditionError] = []

    def attempt(self, check: Callable[[], T]) -> T | None:
        """`check()`'s answer, or None when it raised a problem (kept)."""
        try:
            return check()
        except ConditionError as exc:
            self.problems += problems_of(exc)
            return None

    def call(self, check: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """`check(*args, **kwargs)`, or None when it raised a problem (kept); for use in loops."""
        return self.attempt(lambda: check(*args, **kwargs))

    def add(self, path: str, message: str) -> None:
        self.problems.append(ConditionError(path, message))

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def check(self) -> None:
        if self.problems:
            raise Problems(self.problems)
