"""Deterministic assignment: golden cases, balance over a million ids, factorial independence."""

from __future__ import annotations

import hashlib
from collections import Counter

from gateway.slots.values.experiments import assign, bucket, parse_experiment

AB = parse_experiment(
    {
        "key": "hero-test",
        "status": "running",
        "slot": "home-hero",
        "arms": [{"key": "control", "weight": 50}, {"key": "bold", "variant": "v-bold", "weight": 30},
                 {"key": "calm", "variant": "v-calm", "weight": 20}],
        "holdout": 10,
    }
)  # fmt: skip

MVT = parse_experiment(
    {
        "key": "home-mvt",
        "type": "multivariate",
        "status": "running",
        "factors": [
            {"slot": "home-hero", "levels": [{"key": "a"}, {"key": "b", "variant": "v-b"}]},
            {"slot": "home-strip", "levels": [{"key": "x"}, {"key": "y", "variant": "v-y"}]},
        ],
    }
)


def test_bucket_is_sha256_prefix_over_2_to_the_64() -> None:
    # By hand: sha256("hero-test:v_alice") starts 2d5c01ea8b189885.
    assert hashlib.sha256(b"hero-test:v_alice").hexdigest()[:16] == "2d5c01ea8b189885"
    assert bucket("hero-test", "v_alice") == int("2d5c01ea8b189885", 16) / 2**64


def test_golden_buckets() -> None:
    # Pinned values: any SDK that reproduces these assigns the same arms.
    assert bucket("hero-test", "v_alice") == 0.17718517280727253
    assert bucket("hero-test", "v_bob") == 0.8809111589890605
    assert bucket("hero-test:traffic", "v_alice") == 0.9783619191978509
    assert bucket("hero-test:holdout", "cust-42") == 0.37602393562280795
    assert bucket("home-mvt:home-hero", "v_alice") == 0.4816042414908928


def test_golden_assignments() -> None:
    got = {u: (a.arm if a else None) for u in ("v_alice", "v_bob", "cust-42", "v_carol", "v_dave")
           for a in [assign(AB, u)]}  # fmt: skip
    assert got == GOLDEN_AB
    got_mvt = {u: (a.arm if a else None) for u in ("v_alice", "v_bob", "cust-42") for a in [assign(MVT, u)]}
    assert got_mvt == GOLDEN_MVT


# v_alice: holdout bucket >= 0.10, arm bucket 0.177 < 0.50 -> control.
GOLDEN_AB: dict[str, str | None] = {
    "v_alice": "control",
    "v_bob": "calm",
    "cust-42": "bold",
    "v_carol": "bold",
    "v_dave": "holdout",
}
GOLDEN_MVT: dict[str, str | None] = {"v_alice": "a+x", "v_bob": "b+y", "cust-42": "a+x"}


def test_same_unit_same_arm_everywhere() -> None:
    assert [assign(AB, "v_zed") for _ in range(5)] == [assign(AB, "v_zed")] * 5


def test_a_million_ids_split_within_half_a_percent_of_target() -> None:
    n = 1_000_000
    counts = Counter(a.arm if a else "out" for a in (assign(AB, f"v_{i:07d}") for i in range(n)))
    holdout = counts["holdout"] / n
    assert abs(holdout - 0.10) <= 0.005
    entering = n - counts["holdout"]
    for arm, target in (("control", 0.5), ("bold", 0.3), ("calm", 0.2)):
        assert abs(counts[arm] / entering - target) <= 0.005, (arm, counts[arm] / entering)


def test_traffic_allocation_and_factorial_independence() -> None:
    half = parse_experiment({**_raw_ab(), "traffic": 50})
    n = 200_000
    inside = sum(1 for i in range(n) if assign(half, f"u{i}") is not None)
    assert abs(inside / n - 0.5) <= 0.005
    cells = Counter(a.arm for a in (assign(MVT, f"u{i}") for i in range(n)) if a)
    assert set(cells) == {"a+x", "a+y", "b+x", "b+y"} and MVT.control == "a+x"
    for cell in cells.values():
        assert abs(cell / n - 0.25) <= 0.005
    some = assign(MVT, "v_alice")
    assert some is not None and set(some.variants) == {"home-hero", "home-strip"}


def _raw_ab() -> dict[str, object]:
    return {"key": "half", "status": "running", "slot": "s", "arms": [{"key": "c"}, {"key": "t", "variant": "v"}]}
