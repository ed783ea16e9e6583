"""Experiment statistics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from gateway.slots.values.experiment_stats import (
    ArmCounts,
    analyse,
    chi_square_p_value,
    difference_interval,
    probability_best,
    srm_test,
    wilson_interval,
)


def test_difference_interval_by_hand() -> None:
    # p_a = 0.06, p_c = 0.05; se = sqrt(.06*.94/1000 + .05*.95/1000) = 0.0101931...
    got = difference_interval(60, 1000, 50, 1000)
    assert got is not None
    assert got.estimate == pytest.approx(0.01)
    assert got.low == pytest.approx(0.01 - 1.959964 * 0.0101931, abs=1e-6)
    assert got.high == pytest.approx(0.01 + 1.959964 * 0.0101931, abs=1e-6)
    assert difference_interval(1, 0, 1, 10) is None


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (10, 100, 0.05523, 0.17437),  # hand-computed: centre 0.114798, half-width 0.059571
        (0, 10, 0.0, 0.27753),  # no successes: the interval still says "up to 28%", not "exactly 0"
        (10, 10, 0.72247, 1.0),
        (1, 2, 0.09453, 0.90547),
    ],
)
def test_wilson_interval_by_hand(successes: int, trials: int, low: float, high: float) -> None:
    got = wilson_interval(successes, trials)
    assert got is not None
    assert got.estimate == pytest.approx(successes / trials)
    assert (got.low, got.high) == pytest.approx((low, high), abs=5e-5)
    assert got.low <= got.estimate <= got.high
    assert wilson_interval(0, 0) is None


def test_every_arm_has_rate_intervals() -> None:
    counts = {"control": ArmCounts("control", 200, 40, 10), "b": ArmCounts("b", 0, 0, 0)}
    control, empty = analyse(counts, {"control": 0.5, "b": 0.5}, "control", None).arms
    assert control.conversion_rate_interval == wilson_interval(10, 200)
    assert control.click_rate_interval == wilson_interval(40, 200)
    assert empty.conversion_rate_interval is None and empty.click_rate_interval is None


@pytest.mark.parametrize(
    ("statistic", "df", "expected"),
    [
        (3.841459, 1, 0.05),  # the textbook 95% critical values
        (5.991465, 2, 0.05),
        (7.814728, 3, 0.05),
        (9.487729, 4, 0.05),
        (6.634897, 1, 0.01),
        (20.0, 2, math.exp(-10)),  # df=2 is exponential: p = exp(-x/2)
        (0.0, 3, 1.0),
    ],
)
def test_chi_square_p_values(statistic: float, df: int, expected: float) -> None:
    assert chi_square_p_value(statistic, df) == pytest.approx(expected, rel=1e-5)


def test_srm_detects_a_skewed_split_and_passes_a_fair_one() -> None:
    # 5000 vs 5200 on 50/50: chi2 = 2 * 100^2 / 5100 = 3.9216, p = erfc(sqrt(3.9216/2)) = 0.0477.
    stat, p = srm_test([5000, 5200], [0.5, 0.5]) or (0.0, 0.0)
    assert stat == pytest.approx(3.921569, rel=1e-6) and p == pytest.approx(math.erfc(math.sqrt(stat / 2)), rel=1e-9)
    skewed = analyse(
        {"control": ArmCounts("control", 5000, 0, 0), "b": ArmCounts("b", 5500, 0, 0)},
        {"control": 0.5, "b": 0.5},
        "control",
        None,
    )
    # chi2 = 2 * 250^2 / 5250 = 23.81, p ~ 1.07e-6 < 0.001
    assert skewed.srm_chi_square == pytest.approx(23.8095, rel=1e-4)
    assert skewed.srm_p_value is not None and skewed.srm_p_value < 1e-5 and skewed.srm_detected
    fair = analyse(
        {"control": ArmCounts("control", 5000, 0, 0), "b": ArmCounts("b", 5050, 0, 0)},
        {"control": 0.5, "b": 0.5},
        "control",
        None,
    )
    assert not fair.srm_detected


def _exact_b_beats_a(a_conv: int, a_n: int, b_conv: int, b_n: int) -> float:
    """Evan Miller's closed form for P(p_B > p_A) with Beta(1,1) priors."""
    alpha_a, beta_a = 1 + a_conv, 1 + a_n - a_conv
    alpha_b, beta_b = 1 + b_conv, 1 + b_n - b_conv

    def log_beta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    total = 0.0
    for i in range(alpha_b):
        total += math.exp(
            log_beta(alpha_a + i, beta_a + beta_b)
            - math.log(beta_b + i)
            - log_beta(1 + i, beta_b)
            - log_beta(alpha_a, beta_a)
        )
    return total


def test_probability_to_be_best_matches_the_closed_form() -> None:
    exact = _exact_b_beats_a(50, 1000, 65, 1000)
    a, b = probability_best([(50, 1000), (65, 1000)])
    assert b == pytest.approx(exact, abs=0.01) and a + b == pytest.approx(1.0)
    assert probability_best([(50, 1000), (65, 1000)]) == [a, b]  # fixed seed: reproducible
    even = probability_best([(30, 600), (30, 600), (30, 600)])
    assert all(abs(p - 1 / 3) < 0.02 for p in even)


def test_analyse_gives_rates_uplift_and_marks_control_and_holdout() -> None:
    counts = {
        "control": ArmCounts("control", 1000, 100, 50),
        "bold": ArmCounts("bold", 1000, 150, 60),
        "holdout": ArmCounts("holdout", 222, 0, 4),
    }
    shares = {"control": 0.45, "bold": 0.45, "holdout": 0.10}
    result = analyse(counts, shares, "control", "holdout")
    control, bold, holdout = result.arms
    assert control.is_control and control.uplift is None and control.conversion_rate == 0.05
    assert bold.click_rate == 0.15 and bold.conversion_rate == 0.06
    assert bold.uplift is not None and bold.uplift.estimate == pytest.approx(0.2)  # 0.01 / 0.05
    assert bold.difference is not None and bold.uplift.low == pytest.approx(bold.difference.low / 0.05)
    assert holdout.is_holdout and holdout.probability_best is None
    assert control.probability_best is not None and bold.probability_best is not None
    assert bold.probability_best > 0.8 and control.probability_best + bold.probability_best == pytest.approx(1.0)
    assert result.total_exposures == 2222 and not result.srm_detected
