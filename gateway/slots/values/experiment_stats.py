"""Experiment statistics (pure): rates, uplift with a 95% interval, P(best), sample-ratio check.

Per arm, over unique visitors: `exposures` (saw the arm), `clicks` and `conversions` (did
so at least once; conversions within the attribution window after the first exposure).

- Rates: clicks / exposures and conversions / exposures, each with a Wilson score 95%
  interval (well-behaved with few visitors and rates near 0 or 1, where p ± 1.96·se is not:
  it never leaves [0, 1]).
- Uplift vs control, on the conversion rate: the absolute difference d = p_arm - p_control
  with a Wald 95% interval d ± 1.96·sqrt(p_a(1-p_a)/n_a + p_c(1-p_c)/n_c), and the relative
  uplift d / p_control with that interval divided by p_control (p_control taken as known).
- Probability to be best: each arm's rate has a Beta(1 + conversions, 1 + non-conversions)
  posterior (uniform prior); P(best) is estimated from 20,000 joint draws with a fixed seed,
  so the same counts always give the same numbers.
- Sample-ratio mismatch: a chi-square goodness-of-fit test of exposures per arm (and the
  holdout) against the configured split; p < 0.001 flags a broken split (a redirect that
  drops one arm, a bot filter hitting one arm, ...): do not trust the other numbers then.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054
SRM_THRESHOLD = 0.001
DRAWS = 20_000
SEED = 20_261_122


@dataclass(frozen=True, slots=True)
class ArmCounts:
    arm: str
    exposures: int
    clicks: int
    conversions: int


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ArmResult:
    arm: str
    is_control: bool
    is_holdout: bool
    expected_share: float
    exposures: int
    clicks: int
    conversions: int
    click_rate: float | None
    conversion_rate: float | None
    click_rate_interval: Interval | None  # Wilson 95%; None with no exposures
    conversion_rate_interval: Interval | None
    difference: Interval | None  # absolute, vs control; None for the control or with no data
    uplift: Interval | None  # relative, vs control
    probability_best: float | None


@dataclass(frozen=True, slots=True)
class Results:
    arms: tuple[ArmResult, ...]
    total_exposures: int
    srm_chi_square: float | None
    srm_p_value: float | None
    srm_detected: bool


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def wilson_interval(successes: int, trials: int, z: float = Z95) -> Interval | None:
    """The observed rate with its Wilson score interval; None with no trials."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # Exact at the edges (the formula's rounding leaves 1e-17 outside the observed rate).
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def difference_interval(conv_a: int, n_a: int, conv_c: int, n_c: int) -> Interval | None:
    """p_a - p_c with a Wald 95% interval; None if either arm has no exposures."""
    if not n_a or not n_c:
        return None
    pa, pc = conv_a / n_a, conv_c / n_c
    d = pa - pc
    se = math.sqrt(pa * (1 - pa) / n_a + pc * (1 - pc) / n_c)
    return Interval(d, d - Z95 * se, d + Z95 * se)


def probability_best(counts: Sequence[tuple[int, int]], draws: int = DRAWS, seed: int = SEED) -> list[float]:
    """P(each arm has the highest rate) from (conversions, exposures) pairs, Beta(1,1) prior."""
    if not counts:
        return []
    rng = np.random.Generator(np.random.PCG64(seed))
    samples = np.stack([rng.beta(1 + k, 1 + max(n - k, 0), size=draws) for k, n in counts])
    winners = np.argmax(samples, axis=0)
    return [float(np.mean(winners == i)) for i in range(len(counts))]


def _gamma_q(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x) (series / continued fraction)."""
    if x <= 0:
        return 1.0
    log_prefix = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:  # series for P, then Q = 1 - P
        term = total = 1.0 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    # Lentz's continued fraction for Q.
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefix) * h)


def chi_square_p_value(statistic: float, df: int) -> float:
    """P(X >= statistic) for a chi-square distribution with `df` degrees of freedom."""
    return _gamma_q(df / 2.0, statistic / 2.0)


def srm_test(observed: Sequence[int], expected_shares: Sequence[float]) -> tuple[float, float] | None:
    """(chi-square, p-value) of observed counts against expected shares; None without data."""
    total = sum(observed)
    cells = [(o, s) for o, s in zip(observed, expected_shares, strict=True) if s > 0]
    if total == 0 or len(cells) < 2:
        return None
    scale = sum(s for _, s in cells)
    statistic = sum((o - total * s / scale) ** 2 / (total * s / scale) for o, s in cells)
    return statistic, chi_square_p_value(statistic, len(cells) - 1)


def analyse(
    counts: Mapping[str, ArmCounts], shares: Mapping[str, float], control: str, holdout_arm: str | None
) -> Results:
    """Results for arms in `shares` order (control first), from per-arm unique-visitor counts."""
    names = list(shares)
    rows = [counts.get(a, ArmCounts(a, 0, 0, 0)) for a in names]
    base = counts.get(control, ArmCounts(control, 0, 0, 0))
    compared = [r for r in rows if r.arm != holdout_arm]
    best = (
        probability_best([(r.conversions, r.exposures) for r in compared]) if any(r.exposures for r in compared) else []
    )
    best_of = dict(zip([r.arm for r in compared], best, strict=False))
    arms: list[ArmResult] = []
    for row in rows:
        diff = (
            None
            if row.arm == control
            else difference_interval(row.conversions, row.exposures, base.conversions, base.exposures)
        )
        uplift = None
        if diff is not None and base.exposures and base.conversions:
            pc = base.conversions / base.exposures
            uplift = Interval(diff.estimate / pc, diff.low / pc, diff.high / pc)
        arms.append(
            ArmResult(
                arm=row.arm,
                is_control=row.arm == control,
                is_holdout=row.arm == holdout_arm,
                expected_share=shares[row.arm],
                exposures=row.exposures,
                clicks=row.clicks,
                conversions=row.conversions,
                click_rate=_rate(row.clicks, row.exposures),
                conversion_rate=_rate(row.conversions, row.exposures),
                click_rate_interval=wilson_interval(row.clicks, row.exposures),
                conversion_rate_interval=wilson_interval(row.conversions, row.exposures),
                difference=diff,
                uplift=uplift,
                probability_best=best_of.get(row.arm),
            )
        )
    srm = srm_test([r.exposures for r in rows], [shares[r.arm] for r in rows])
    return Results(
        tuple(arms),
        sum(r.exposures for r in rows),
        srm[0] if srm else None,
        srm[1] if srm else None,
        srm is not None and srm[1] < SRM_THRESHOLD,
    )
