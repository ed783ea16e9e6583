"""Kept per-visitor entries expire spread over their period, never all at once, and never lag
more than one period behind."""

from __future__ import annotations

from gateway.platform.lru import staggered_bucket

OWNERS = [f"v_{n:05d}" for n in range(2000)]


def test_a_period_of_time_always_moves_an_owners_bucket() -> None:
    for owner in OWNERS[:200]:
        for now in (0.0, 17.3, 59.999, 1_764_000_000.5):
            assert staggered_bucket(now + 60, owner, 60) == staggered_bucket(now, owner, 60) + 1
            assert staggered_bucket(now + 0.001, owner, 60) - staggered_bucket(now, owner, 60) in (0, 1)


def test_owners_turn_spread_over_the_period() -> None:
    start = 1_764_000_000.0
    turned_per_second = []
    for second in range(60):
        t = start + second
        turned = sum(staggered_bucket(t + 1, o, 60) != staggered_bucket(t, o, 60) for o in OWNERS)
        turned_per_second.append(turned)
    assert sum(turned_per_second) == len(OWNERS)  # each owner turns once a minute
    # Spread: about 2000 / 60 = 33 a second, never a large share at one instant.
    assert max(turned_per_second) < len(OWNERS) / 10, turned_per_second
