"""Drafts and published releases of editor definitions, shared by every area that publishes them.

Slot definitions (`gateway.slots`) and the automation (`gateway.triggers`) both keep a draft
workspace that editors change one definition at a time, and numbered, immutable releases that
instances serve. The values and the two store implementations live here once; each area names
its collections, its kinds of definitions and the field that keys each kind.
"""

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


@dataclass(frozen=True, slots=True)
class Kinds:
    """An area's kinds of definitions, in order, and the field that keys each one."""

    names: tuple[str, ...]
    id_field: Mapping[str, str]
