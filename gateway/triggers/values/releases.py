"""Published releases of the automation (declarations, rules, journeys): plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    version: int
    published_at: datetime
    published_by: str
    note: str
    rollback_of: int | None = None  # the version whose definitions this release restored


@dataclass(frozen=True, slots=True)
class Release:
    info: ReleaseInfo
    definitions: Mapping[str, list[dict[str, Any]]]  # kind -> raw definitions

    @property
    def version(self) -> int:
        return self.info.version
