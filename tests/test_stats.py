"""Significance: Welch's and the paired t-test and t-intervals agree with their textbook formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reproduction.metrics.stats import mean_interval, paired_p_value, welch_p_value


def test_welch_p_value_separates_shifted_samples_and_not_equal_ones():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 5000), rng.normal(0.2, 2, 5000)
    assert welch_p_value(a, b) < 1e-6
    assert welch_p_value(a, rng.normal(0, 1, 5000)) > 1e-3


def test_mean_interval_matches_the_t_formula():
    mean, half = mean_interval([8.7, 8.8, 8.9])
    assert mean == pytest.approx(8.8)
    assert half == pytest.approx(4.302652729911275 * 0.1 / math.sqrt(3), rel=1e-9)  # t(0.975, 2) * s / sqrt(n)
    assert math.isnan(mean_interval([8.7])[1])


def test_paired_p_value_sees_a_steady_shift_that_the_spread_between_pairs_hides_from_welch():
    a = [8.0, 9.0, 10.0]  # (c) on three seeds, far apart
    b = [x + g for x, g in zip(a, [0.1, 0.2, 0.15], strict=True)]  # (d) on the same seeds: above by 0.15 +- 0.05
    t = 0.15 / (0.05 / math.sqrt(3))
    assert paired_p_value(b, a) == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-9)  # t CDF, 2 d.f., closed
    assert paired_p_value(b, a) < 0.05 < welch_p_value(np.array(b), np.array(a))
    assert math.isnan(paired_p_value([8.0], [8.1]))  # one pair: no test
