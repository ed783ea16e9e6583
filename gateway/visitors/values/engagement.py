"""Engagement score: points per event, decayed exponentially, with tiers (pure).

Stored as a forward-decayed mass like interests (see `domain.profile`): an event worth p
points at time t adds `p * 2 ** ((t - EPOCH) / half_life)`, and the score now is
`mass * 2 ** (-(now - EPOCH) / half_life)`. Merged profiles simply add their masses.
Changing the half-life re-scales old masses: set it once per deployment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from gateway.visitors.values.profile import decay_factor

DEFAULT_POINTS: Mapping[str, float] = {
    "page": 0.5,
    "screen": 0.5,
    "Products Searched": 1.0,
    "Product Viewed": 1.0,
    "Product Added to Wishlist": 3.0,
    "Product Added": 5.0,
    "Checkout Started": 8.0,
    "Product Reviewed": 6.0,
    "Product Shared": 4.0,
    "Order Completed": 20.0,
}


class Tier(Enum):
    ACTIVE = "active"
    LAPSING = "lapsing"
    INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class EngagementPolicy:
    half_life_days: float = 30.0
    points: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    active_at: float = 10.0  # score >= this: active
    lapsing_at: float = 2.0  # score >= this: lapsing; below: inactive

    def mass(self, counter_name: str, at: datetime) -> float:
        """The forward-decayed mass one event named `counter_name` at `at` adds."""
        points = self.points.get(counter_name, 0.0)
        return points * decay_factor(at, self.half_life_days) if points else 0.0

    def score(self, mass: float, now: datetime) -> float:
        return mass / decay_factor(now, self.half_life_days)

    def tier(self, score: float) -> Tier:
        if score >= self.active_at:
            return Tier.ACTIVE
        if score >= self.lapsing_at:
            return Tier.LAPSING
        return Tier.INACTIVE
