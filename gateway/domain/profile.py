"""Long-term visitor profiles: counters, traits and time-decayed interests.

Interests use forward decay: an event of weight w at time t adds
`w * 2 ** ((t - EPOCH) / half_life)` to a stored mass, and the score at time `now` is
`mass * 2 ** (-(now - EPOCH) / half_life)`. Adding is then a plain `$inc`, atomic in any
store, and merging two profiles is a sum. Float64 stays finite for ~1,000 half-lives
(about 38 years at a 14-day half-life).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.domain.visitor import VisitorId

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
DEFAULT_HALF_LIFE_DAYS = 14.0
RECENT_EVENT_KEYS_CAP = 200

# How much one event says about a visitor's taste.
INTEREST_WEIGHTS: Mapping[str, float] = {
    "Product Viewed": 1.0,
    "Product Clicked": 0.5,
    "Product Added": 3.0,
    "Product Added to Wishlist": 2.0,
    "Wishlist Product Added to Cart": 3.0,
    "Product Shared": 1.5,
    "Product Reviewed": 1.5,
    "Order Completed": 5.0,
}


def decay_factor(at: datetime, half_life_days: float) -> float:
    """2 ** ((at - EPOCH) / half_life): the forward-decay multiplier of an event at `at`."""
    days = (at - EPOCH).total_seconds() / 86400.0
    return math.pow(2.0, days / half_life_days)


@dataclass(frozen=True, slots=True)
class Interest:
    kind: str  # "category" or "brand"
    key: str
    score: float


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """What one event does to a profile. `event_key` makes re-application a no-op."""

    event_key: str
    at: datetime
    counters: Mapping[str, int]
    interest_mass: Mapping[str, float]  # "category:c-x" / "brand:b-y" -> forward-decayed mass
    traits: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Profile:
    visitor_id: VisitorId
    traits: Mapping[str, Any]
    counters: Mapping[str, int]
    interest_mass: Mapping[str, float]
    first_seen: datetime | None
    last_seen: datetime | None
    recent_event_keys: tuple[str, ...] = ()

    def interests(self, now: datetime, half_life_days: float, limit: int = 20) -> list[Interest]:
        """Interests scored at `now`, strongest first (ties by key, so the order is stable)."""
        scale = 1.0 / decay_factor(now, half_life_days)
        scored = []
        for compound, mass in self.interest_mass.items():
            kind, _, key = compound.partition(":")
            scored.append(Interest(kind=kind, key=key, score=mass * scale))
        scored.sort(key=lambda i: (-i.score, i.kind, i.key))
        return scored[:limit]


def empty_profile(visitor_id: VisitorId) -> Profile:
    return Profile(visitor_id, {}, {}, {}, None, None, ())


def apply_change(profile: Profile, change: ProfileChange) -> Profile:
    """The profile after `change`; unchanged if the change was already applied."""
    if change.event_key in profile.recent_event_keys:
        return profile
    counters = dict(profile.counters)
    for name, n in change.counters.items():
        counters[name] = counters.get(name, 0) + n
    mass = dict(profile.interest_mass)
    for key, m in change.interest_mass.items():
        mass[key] = mass.get(key, 0.0) + m
    traits = {**profile.traits, **change.traits}
    first = profile.first_seen if profile.first_seen and profile.first_seen <= change.at else change.at
    last = profile.last_seen if profile.last_seen and profile.last_seen >= change.at else change.at
    keys = (*profile.recent_event_keys, change.event_key)[-RECENT_EVENT_KEYS_CAP:]
    return Profile(profile.visitor_id, traits, counters, mass, first, last, keys)
