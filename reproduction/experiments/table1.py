"""Table 1 of the paper: NLL-oracle of Random, MLE, SS, PG-BLEU and SeqGAN on the synthetic data.

Per method and seed: the best point of the NLL-oracle curve (as the paper reports), the final point, and
NLL-test at the end; across seeds the mean with a 95% t-interval; and Welch's t-test of each baseline's
final per-sequence NLL-oracle against SeqGAN's (10,000 samples per seed, pooled over seeds). "Random" is
the first evaluation of the shared pretraining (after one MLE epoch), as in the paper.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.io_utils import load_npz, write_text
from reproduction.metrics.stats import format_p, mean_interval, welch_p_value
from reproduction.run_log import csv_text, read_rows

ROWS = ("Random", "MLE", "SS", "PG-BLEU", "SeqGAN")
LABELS = {"mle": "MLE", "ss": "SS", "pgbleu": "PG-BLEU", "seqgan": "SeqGAN"}
PAPER = {"Random": 10.310, "MLE": 9.038, "SS": 8.985, "PG-BLEU": 8.946, "SeqGAN": 8.736}
COLUMNS = ("method", "paper", "best_mean", "best_ci95", "final_mean", "final_ci95", "nll_test_mean", "nll_test_ci95",
           "p_value_vs_seqgan", "seeds", "profile", "oracle")


def _curve(run: Path) -> list[dict[str, str]]:
    return [r for r in read_rows(run / "metrics.csv") if r["nll_oracle"]]


def build(profile: str, oracle: str, seeds: list[int], run_dir: Callable[[str, int], Path]) -> list[dict[str, Any]]:
    finals = {m: np.concatenate([load_npz(run_dir(m, s) / "final_samples.npz")["nll_oracle"] for s in seeds])
              for m in LABELS}
    rows = []
    for label in ROWS:
        if label == "Random":
            points = [_curve(run_dir("mle", s))[0] for s in seeds]
            best = final = [float(p["nll_oracle"]) for p in points]
            tests = [float(p["nll_test"]) for p in points]
            p_value = math.nan
        else:
            method = next(m for m, lab in LABELS.items() if lab == label)
            curves = [_curve(run_dir(method, s)) for s in seeds]
            best = [min(float(r["nll_oracle"]) for r in c) for c in curves]
            final = [float(c[-1]["nll_oracle"]) for c in curves]
            tests = [float(c[-1]["nll_test"]) for c in curves]
            p_value = math.nan if method == "seqgan" else welch_p_value(finals[method], finals["seqgan"])
        (bm, bc), (fm, fc), (tm, tc) = mean_interval(best), mean_interval(final), mean_interval(tests)
        rows.append(dict(zip(COLUMNS, (label, PAPER[label], bm, bc, fm, fc, tm, tc, p_value, len(seeds), profile,
                                       oracle), strict=True)))
    return rows


def _pm(mean: float, half: float) -> str:
    return f"{mean:.3f}" if math.isnan(half) else f"{mean:.3f} ± {half:.3f}"


def write(dest: Path, oracle: str, rows: list[dict[str, Any]]) -> None:
    write_text(dest / f"table1_{oracle}.csv", csv_text(rows, COLUMNS))
    seeds, profile = rows[0]["seeds"], rows[0]["profile"]
    lines = [f"# Table 1: NLL-oracle on the {oracle} oracle (profile `{profile}`, {seeds} seed(s))", "",
             "Best = the lowest point of each curve (the paper's convention); final = the last evaluation; ± is the "
             "95% t-interval across seeds; p = Welch's t-test of the final per-sequence NLL-oracle against SeqGAN.",
             "Written by `make reproduce`.", "",
             "| | paper | ours, best | ours, final | NLL-test (final) | p vs SeqGAN |", "|---|---|---|---|---|---|"]
    for r in rows:
        p = format_p(r["p_value_vs_seqgan"])
        lines.append(f"| {r['method']} | {r['paper']:.3f} | {_pm(r['best_mean'], r['best_ci95'])} | "
                     f"{_pm(r['final_mean'], r['final_ci95'])} | {_pm(r['nll_test_mean'], r['nll_test_ci95'])} | {p} |")
    write_text(dest / f"table1_{oracle}.md", "\n".join(lines) + "\n")
