"""Long-term visitor profiles: counters, traits and time-decayed interests.

Interests use forward decay: an event of weight w at time t adds
`w * 2 ** ((t - EPOCH) / half_life)` to a stored mass, and the score at time `now` is
`mass * 2 ** (-(now - EPOCH) / half_life)`. Adding is then a plain `$inc`, atomic in any
store, and merging two profiles is a sum. Float64 stays finite for ~1,000 half-lives
(about 38 years at a 14-day half-life).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from gateway.kernel import VisitorId

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
    engagement: float = 0.0  # forward-decayed engagement points (see gateway.visitors.values.engagement)


@dataclass(frozen=True, slots=True)
class Profile:
    visitor_id: VisitorId
    traits: Mapping[str, Any]
    counters: Mapping[str, int]
    interest_mass: Mapping[str, float]
    first_seen: datetime | None
    last_seen: datetime | None
    recent_event_keys: tuple[str, ...] = ()
    engagement_mass: float = 0.0
    consent: Mapping[str, ConsentRecord] = field(default_factory=dict)
    merged_from: tuple[VisitorId, ...] = ()  # profiles absorbed into this one (idempotency of merges)
    merged_into: VisitorId | None = None  # set on a tombstone: this profile now lives there
    interest_seen: Mapping[str, datetime] = field(default_factory=dict)  # interest key -> its latest signal

    def interests(self, now: datetime, half_life_days: float, limit: int = 20) -> list[Interest]:
        """Interests scored at `now`, strongest first (ties by key, so the order is stable)."""
        scale = 1.0 / decay_factor(now, half_life_days)
        ranked = []
        for compound, mass in self.interest_mass.items():
            kind, _, key = compound.partition(":")
            ranked.append((-(mass * scale), kind, key))
        return [Interest(kind=kind, key=key, score=-negated) for negated, kind, key in heapq.nsmallest(limit, ranked)]


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One purpose's consent: given or withdrawn, when, and through which source (banner, app, pos...)."""

    granted: bool
    at: datetime
    source: str


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
    seen = dict(profile.interest_seen)
    for key, m in change.interest_mass.items():
        mass[key] = mass.get(key, 0.0) + m
        seen[key] = max(seen.get(key, change.at), change.at)
    traits = {**profile.traits, **change.traits}
    first = profile.first_seen if profile.first_seen and profile.first_seen <= change.at else change.at
    last = profile.last_seen if profile.last_seen and profile.last_seen >= change.at else change.at
    keys = (*profile.recent_event_keys, change.event_key)[-RECENT_EVENT_KEYS_CAP:]
    return replace(
        profile,
        traits=traits,
        counters=counters,
        interest_mass=mass,
        interest_seen=seen,
        first_seen=first,
        last_seen=last,
        recent_event_keys=keys,
        engagement_mass=profile.engagement_mass + change.engagement,
    )


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(x for x in (a, b) if x is not None) if a or b else None


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(x for x in (a, b) if x is not None) if a or b else None


def winning_traits(target: Profile, source: Profile) -> dict[str, Any]:
    """The traits of `source` that override `target`'s on merge: latest explicit value wins.

    Traits carry no per-key timestamp, so "latest" is the profile active most recently:
    every trait of the more recently seen profile wins over the other's value for that key;
    keys set on one side only are kept either way.
    """
    source_newer = (source.last_seen or EPOCH) > (target.last_seen or EPOCH)
    return {k: v for k, v in source.traits.items() if source_newer or k not in target.traits}


def winning_consent(target: Profile, source: Profile) -> dict[str, ConsentRecord]:
    """Per purpose, the most recent decision wins (a later withdrawal beats an older grant)."""
    return {p: r for p, r in source.consent.items() if p not in target.consent or r.at > target.consent[p].at}


def absorb(target: Profile, source: Profile) -> Profile:
    """`target` after merging `source` into it; a no-op when `source` was already absorbed.

    Counters, interest and engagement masses add up (forward decay makes a sum exact),
    first/last seen widen, traits and consent follow `winning_traits`/`winning_consent`.
    """
    if source.visitor_id in target.merged_from or source.visitor_id == target.visitor_id:
        return target
    counters = dict(target.counters)
    for name, n in source.counters.items():
        counters[name] = counters.get(name, 0) + n
    mass = dict(target.interest_mass)
    for key, m in source.interest_mass.items():
        mass[key] = mass.get(key, 0.0) + m
    seen = dict(target.interest_seen)
    for key, at in source.interest_seen.items():
        seen[key] = max(seen.get(key, at), at)
    keys = tuple(dict.fromkeys((*target.recent_event_keys, *source.recent_event_keys)))[-RECENT_EVENT_KEYS_CAP:]
    return replace(
        target,
        traits={**target.traits, **winning_traits(target, source)},
        counters=counters,
        interest_mass=mass,
        interest_seen=seen,
        first_seen=_earliest(target.first_seen, source.first_seen),
        last_seen=_latest(target.last_seen, source.last_seen),
        recent_event_keys=keys,
        engagement_mass=target.engagement_mass + source.engagement_mass,
        consent={**target.consent, **winning_consent(target, source)},
        # Transitively: everything the source had absorbed belongs to the target now too.
        merged_from=(*target.merged_from, *source.merged_from, source.visitor_id),
    )


def tombstone(source: Profile, target: VisitorId) -> Profile:
    """What remains of an absorbed profile: only the forward pointer."""
    return Profile(source.visitor_id, {}, {}, {}, None, None, (), merged_into=target)
