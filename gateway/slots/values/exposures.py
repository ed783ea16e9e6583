"""Experiment exposures (plain values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Exposure:
    arm: str
    at: datetime
