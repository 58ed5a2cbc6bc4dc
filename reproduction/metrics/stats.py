"""Significance and intervals (paper Section 4: "each baseline differs from SeqGAN with p < 1e-6").

Welch's t-test (unequal variances) on per-sequence NLL-oracle between two methods, the paired t-test for runs
that share their seed's pretraining (Figure 3's strategies), and the mean across seeds with a 95% Student-t
interval; all from scipy.stats rather than hand-written distributions.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def welch_p_value(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of Welch's t-test between samples a and b."""
    return float(stats.ttest_ind(np.asarray(a, float), np.asarray(b, float), equal_var=False).pvalue)


def paired_p_value(a: list[float], b: list[float]) -> float:
    """Two-sided p-value of the paired t-test of a[i] against b[i] (NaN for fewer than 2 pairs)."""
    if len(a) < 2:
        return math.nan
    return float(stats.ttest_rel(np.asarray(a, float), np.asarray(b, float)).pvalue)


def pool_moments(parts: list[dict[str, float]]) -> dict[str, float]:
    """n, mean and variance (ddof 1) of the concatenation of samples given by their own n, mean and variance."""
    n = sum(p["n"] for p in parts)
    mean = sum(p["n"] * p["mean"] for p in parts) / n
    m2 = sum((p["n"] - 1) * p["variance"] + p["n"] * (p["mean"] - mean) ** 2 for p in parts)
    return {"n": n, "mean": mean, "variance": m2 / (n - 1)}


def welch_p_from_moments(a: dict[str, float], b: dict[str, float]) -> float:
    """`welch_p_value` of two samples known only by their n, mean and variance (ddof 1): the same number."""
    return float(stats.ttest_ind_from_stats(a["mean"], math.sqrt(a["variance"]), a["n"], b["mean"],
                                            math.sqrt(b["variance"]), b["n"], equal_var=False).pvalue)


def mean_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float]:
    """(mean, half-width of the t-interval); the half-width is NaN for a single value."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return float(x.mean()), math.nan
    sem = stats.sem(x)
    return float(x.mean()), float(sem * stats.t.ppf((1 + confidence) / 2, len(x) - 1))


def format_p(p: float) -> str:
    """A p-value for a table: empty when there is none, '< 1e-300' below double precision's reach."""
    return "" if math.isnan(p) else "< 1e-300" if p == 0 else f"{p:.1e}"
