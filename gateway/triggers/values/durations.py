"""Delays as editors write them ("90s", "60m", "1h", "1.5h", "30d"), and paths with fixes (pure)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

DURATION = re.compile(r"(\d+(?:\.\d+)?)(s|m|h|d)")
UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
MAX_DELAY = timedelta(days=365)


class AutomationError(ValueError):
    """A definition that cannot be used; `path` locates the problem in the JSON."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def suggest(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def only_keys(raw: Any, allowed: Sequence[str], path: str, what: str) -> None:
    """`raw` is an object whose keys are all in `allowed` (a near miss gets a suggestion)."""
    if not isinstance(raw, dict):
        raise AutomationError(path, f"{what} must be an object")
    for key in raw:
        if key not in allowed:
            hint = suggest(str(key), allowed) or f"; {what} takes {', '.join(allowed)}"
            raise AutomationError(f"{path}.{key}", f"unknown key{hint}")


def parse_duration(raw: Any, path: str) -> timedelta:
    if not isinstance(raw, str) or not DURATION.fullmatch(raw.strip()):
        raise AutomationError(path, f"a delay is a number and a unit (s, m, h, d), e.g. '60m' or '1.5h'; got {raw!r}")
    match = DURATION.fullmatch(raw.strip())
    assert match is not None
    delay = timedelta(seconds=float(match.group(1)) * UNITS[match.group(2)])
    if not timedelta(0) < delay <= MAX_DELAY:
        raise AutomationError(path, "a delay is more than 0 and at most 365d")
    return delay


def format_duration(delay: timedelta) -> str:
    """The shortest exact spelling: 3600 s -> '1h', 90 s -> '90s', 0.6 s -> '0.6s'."""
    seconds = delay.total_seconds()
    for unit in ("d", "h", "m"):
        count = seconds / UNITS[unit]
        if count >= 1 and count == int(count):
            return f"{int(count)}{unit}"
    return f"{seconds:g}s"
