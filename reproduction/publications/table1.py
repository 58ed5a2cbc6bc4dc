"""Table 1 of the paper: NLL-oracle of Random, MLE, SS, PG-BLEU and SeqGAN on the synthetic data, with both
readings of the two baselines and three controls of SeqGAN (variants.VARIANTS).

Per row and seed: the best point of the NLL-oracle curve (the paper's convention), the final point, the best
point restricted to SeqGAN's evaluation grid (a curve evaluated after every batch gets more chances to dip:
best - best-on-grid is that selection), and NLL-test at the end. Across seeds: the mean with a 95%
t-interval, and Welch's t-test of the per-seed final NLL-oracle against SeqGAN's and against MLE's (the
primary p: seeds are the replicates). The test the paper reports, Welch on the per-sequence NLL-oracle of
10,000 final samples per seed pooled over seeds, is kept as a secondary column against SeqGAN: it measures
sampling noise within runs, not the variation between runs, so it is tiny whenever the means differ at all.
"Random" is the first evaluation of the shared pretraining (after one MLE epoch), as in the paper. The last
row, not in the paper, is the oracle scoring its own held-out samples: its entropy rate, what a generator
equal to the oracle would score; a generator below it has traded coverage for typical sequences (its
NLL-test says how much).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.io_utils import write_text
from reproduction.metrics.stats import format_p, mean_interval, pool_moments, welch_p_from_moments, welch_p_value
from reproduction.run_log import csv_text, read_rows
from reproduction.sweeps.records import final_nll_moments
from reproduction.variants import VARIANTS

LABELS = {name: v.label for name, v in VARIANTS.items()}
REQUIRED = ("mle", "seqgan")  # Random comes from the MLE run; p-values are against SeqGAN and against MLE
# The paper's Table 1. Its SS and PG-BLEU numbers came from the authors' scripts, so they stand beside those rows.
PAPER = {"Random": 10.310, "mle": 9.038, "ss-authors": 8.985, "pgbleu-authors": 8.946, "seqgan": 8.736}
COLUMNS = ("row", "method", "paper", "best_mean", "best_ci95", "best_on_grid_mean", "final_mean", "final_ci95",
           "nll_test_mean", "nll_test_ci95", "evaluations", "p_vs_seqgan_seeds", "p_vs_seqgan_sequences", "seeds",
           "profile", "oracle", "final_per_seed", "best_per_seed", "p_vs_mle_seeds")


def evaluations(run: Path) -> list[dict[str, str]]:
    """The rows of the run's metrics.csv that carry an NLL-oracle (its evaluations), in order."""
    return [r for r in read_rows(run / "metrics.csv") if r["nll_oracle"]]


ORACLE_ROW = "Oracle (its own held-out samples)"


def build(profile: str, oracle: str, seeds: list[int], variants: list[str],
          run_dir: Callable[[str, int], Path], own_nll: list[float] | None = None) -> list[dict[str, Any]]:
    """One row per variant (and Random), in the order of LABELS; then the oracle's own NLL per seed, if given."""
    ordered = [v for v in LABELS if v in variants]
    curves = {v: [evaluations(run_dir(v, s)) for s in seeds] for v in ordered}
    grid = {float(r["x"]) for c in curves["seqgan"] for r in c} if "seqgan" in curves else None
    finals = {v: [float(c[-1]["nll_oracle"]) for c in curves[v]] for v in ("seqgan", "mle") if v in curves}
    pooled_seqgan = _pooled(run_dir, "seqgan", seeds) if "seqgan" in curves else None
    rows = []
    if "mle" in curves:
        first = [c[0] for c in curves["mle"]]
        values = [float(p["nll_oracle"]) for p in first]
        rows.append(_row("Random", "first evaluation of the shared pretraining", values, values, values,
                         [float(p["nll_test"]) for p in first], 1, math.nan, math.nan, math.nan))
    for v in ordered:
        cs = curves[v]
        best = [min(float(r["nll_oracle"]) for r in c) for c in cs]
        on_grid = [min((float(r["nll_oracle"]) for r in c if grid is None or float(r["x"]) in grid), default=math.nan)
                   for c in cs]
        final = [float(c[-1]["nll_oracle"]) for c in cs]
        p_seeds, p_mle = (welch_p_value(final, finals[ref]) if ref != v and ref in finals and len(seeds) >= 2
                          else math.nan for ref in ("seqgan", "mle"))
        p_sequences = math.nan
        if v != "seqgan" and "seqgan" in finals:
            pooled = _pooled(run_dir, v, seeds)
            if pooled is not None and pooled_seqgan is not None:
                p_sequences = welch_p_from_moments(pooled, pooled_seqgan)
        rows.append(_row(v, VARIANTS[v].description, best, on_grid, final, [float(c[-1]["nll_test"]) for c in cs],
                         round(float(np.mean([len(c) for c in cs]))), p_seeds, p_sequences, p_mle))
    if own_nll is not None:
        rows.append(_row(ORACLE_ROW, "the oracle's NLL of each seed's held-out samples (its entropy rate; NLL-oracle "
                         "and NLL-test of a generator equal to the oracle)", own_nll, own_nll, own_nll, own_nll, 1,
                         math.nan, math.nan, math.nan))
    for r in rows:
        r.update(seeds=len(seeds), seed_list=list(seeds), profile=profile, oracle=oracle,
                 final_per_seed=" ".join(f"{x:.4f}" for x in r["final"]),
                 best_per_seed=" ".join(f"{x:.4f}" for x in r["best"]))
    return rows


def _pooled(run_dir: Callable[[str, int], Path], variant: str, seeds: list[int]) -> dict[str, float] | None:
    """n, mean and variance of the per-sequence final NLL-oracle of every seed, pooled (from each run's final
    samples or its record, sweeps/records.py); None where a run has neither."""
    parts = [final_nll_moments(run_dir(variant, s)) for s in seeds]
    return None if any(p is None for p in parts) else pool_moments(parts)


def _row(key: str, description: str, best: list[float], on_grid: list[float], final: list[float],
         tests: list[float], evaluations: int, p_seeds: float, p_sequences: float, p_mle: float) -> dict[str, Any]:
    (bm, bc), (fm, fc), (tm, tc) = mean_interval(best), mean_interval(final), mean_interval(tests)
    return {"row": LABELS.get(key, key), "method": key if key in LABELS else "", "paper": PAPER.get(key, math.nan),
            "best_mean": bm, "best_ci95": bc, "best_on_grid_mean": float(np.mean(on_grid)), "final_mean": fm,
            "final_ci95": fc, "nll_test_mean": tm, "nll_test_ci95": tc, "evaluations": evaluations,
            "p_vs_seqgan_seeds": p_seeds, "p_vs_seqgan_sequences": p_sequences, "p_vs_mle_seeds": p_mle,
            "description": description,
            "best": best, "final": final}


def _pm(mean: float, half: float) -> str:
    return f"{mean:.3f}" if math.isnan(half) else f"{mean:.3f} ± {half:.3f}"


def _num(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.3f}"


def _missing_sequences_note(rows: list[dict[str, Any]]) -> str:
    """Why p (sequences) is blank where p (seeds) is not: some run kept no per-sequence NLL of its final samples."""
    if not any(math.isnan(r["p_vs_seqgan_sequences"]) and not math.isnan(r["p_vs_seqgan_seeds"]) for r in rows):
        return ""
    return (" p (sequences) is blank where a run of the row, or of SeqGAN, is known only by a record written before "
            "records kept the per-sequence NLL of the final samples (its checkpoints and samples are gone).")


def write(dest: Path, oracle: str, rows: list[dict[str, Any]]) -> None:
    write_text(dest / f"table1_{oracle}.csv", csv_text(rows, COLUMNS))
    seeds, profile = rows[0]["seeds"], rows[0]["profile"]
    lines = [f"# Table 1: NLL-oracle on the {oracle} oracle (profile `{profile}`, {seeds} seed(s))", "",
             "Lower is better. Best = the lowest point of each curve (the paper's convention); on SeqGAN's grid = the "
             "lowest point among the evaluations SeqGAN also has (more evaluations give more chances to dip); final = "
             "the last evaluation; ± is the 95% t-interval across seeds. p (seeds) = Welch's t-test of the per-seed "
             "final NLL-oracle against SeqGAN's (the replicates are seeds); p (sequences) = the same test on the "
             "per-sequence NLL-oracle of the final samples, pooled over seeds (the paper's kind of test: sampling "
             "noise only); p vs MLE (seeds) = the per-seed test against MLE's." + _missing_sequences_note(rows) +
             " Written by `make reproduce`.", "",
             "| | paper | best | best on SeqGAN's grid | final | NLL-test (final) | evaluations | p (seeds) "
             "| p (sequences) | p vs MLE (seeds) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['row']} | {_num(r['paper'])} | {_pm(r['best_mean'], r['best_ci95'])} | "
                     f"{_num(r['best_on_grid_mean'])} | {_pm(r['final_mean'], r['final_ci95'])} | "
                     f"{_pm(r['nll_test_mean'], r['nll_test_ci95'])} | {r['evaluations']} | "
                     f"{format_p(r['p_vs_seqgan_seeds'])} | {format_p(r['p_vs_seqgan_sequences'])} | "
                     f"{format_p(r['p_vs_mle_seeds'])} |")
    if seeds > 1:
        lines += ["", "Per seed, final (best):", "",
                  "| | " + " | ".join(f"seed {s}" for s in rows[0]["seed_list"]) + " |", "|---|" + "---|" * seeds]
        lines += [f"| {r['row']} | " + " | ".join(f"{f:.3f} ({b:.3f})" for f, b in zip(r["final"], r["best"],
                                                                                     strict=True)) + " |"
                  for r in rows]
    lines += ["", "Rows:"] + [f"- **{r['row']}**: {r['description']}." for r in rows]
    write_text(dest / f"table1_{oracle}.md", "\n".join(lines) + "\n")
