"""What SeqGAN's gain is made of (README, "What SeqGAN's gain is made of"): the rows that take SeqGAN apart,
beside SeqGAN and MLE, seed by seed, on both NLL-oracle and NLL-test, each tested against SeqGAN, against MLE
and against its shuffled twin.

The rows (variants.VARIANTS) change one thing in SeqGAN's policy gradient (paper Eq. (3)-(4)):
`self-imitation` has no discriminator (every token's reward is 1: the gradient of MLE on the generator's own
samples), `seqgan-baseline` subtracts the batch's mean reward at each step from D's rewards (only D's per-sample
information is left), and `seqgan-baseline-shuffled` does the same with rewards shuffled between samples (no
information at all), as `seqgan-shuffled` does for SeqGAN. Table 1 has their final NLL-oracle; this table adds
NLL-test and the comparisons the README's three questions rest on.

Every run of a seed continues from that seed's pretraining, so two rows' runs pair up by seed: each p is given
as Welch's t-test across seeds (Table 1's convention) and, in brackets, the paired t-test. synthetic.py
publishes the table under a profile's own schedule (results/synthetic/<profile>/gain_rows_<oracle>.md and
.csv), strategy_d_rows.py under Figure 3's strategy (d).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from reproduction.io_utils import write_text
from reproduction.metrics.stats import format_p, mean_interval, paired_p_value, welch_p_value
from reproduction.run_log import csv_text, read_rows
from reproduction.variants import VARIANTS

ROWS = ("self-imitation", "seqgan-baseline", "seqgan-baseline-shuffled")
ORDER = ("mle", "seqgan", "seqgan-shuffled", *ROWS)  # the table's rows, when their runs are given
TWINS = {"seqgan": "seqgan-shuffled", "seqgan-baseline": "seqgan-baseline-shuffled"}  # the same, rewards shuffled
METRICS = {"nll_oracle": "NLL-oracle", "nll_test": "NLL-test"}
REFERENCES = ("seqgan", "mle", "twin")
FIELDS = ("row", "method", "seeds", *(f"{metric}_{part}" for metric in METRICS for part in (
    "mean", "ci95", "per_seed", *(f"p_vs_{ref}_{test}" for ref in REFERENCES for test in ("welch", "paired")))))


def finals(run: Path) -> dict[str, float]:
    """The run's last evaluation: its final NLL-oracle and NLL-test."""
    last = [r for r in read_rows(run / "metrics.csv") if r.get("nll_oracle")][-1]
    return {metric: float(last[metric]) for metric in METRICS}


def table(dirs: dict[str, list[Path]], labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per method of `dirs` (method -> its run directory per seed, seeds in the same order for every
    method), in ORDER: mean, 95% t-interval and per-seed values of each metric, and p against SeqGAN's, MLE's
    and the twin's runs where those are among `dirs`. `labels` names rows other than by VARIANTS' labels."""
    values = {m: [finals(d) for d in dirs[m]] for m in ORDER if m in dirs}

    def p(method: str, ref: str, metric: str) -> tuple[float, float]:
        ref = TWINS.get(method, "") if ref == "twin" else ref
        if ref == method or ref not in values or len(values[method]) < 2:
            return math.nan, math.nan
        a, b = ([v[metric] for v in values[m]] for m in (method, ref))
        return welch_p_value(a, b), paired_p_value(a, b)

    out = []
    for method, runs in values.items():
        row: dict[str, Any] = {"row": (labels or {}).get(method, VARIANTS[method].label), "method": method,
                               "seeds": len(runs)}
        for metric in METRICS:
            per_seed = [v[metric] for v in runs]
            row[f"{metric}_mean"], row[f"{metric}_ci95"] = mean_interval(per_seed)
            row[f"{metric}_per_seed"] = " ".join(f"{x:.3f}" for x in per_seed)
            for ref in REFERENCES:
                row[f"{metric}_p_vs_{ref}_welch"], row[f"{metric}_p_vs_{ref}_paired"] = p(method, ref, metric)
        out.append(row)
    return out


def _p(row: dict[str, Any], metric: str, ref: str) -> str:
    welch, paired = row[f"{metric}_p_vs_{ref}_welch"], row[f"{metric}_p_vs_{ref}_paired"]
    return "" if math.isnan(welch) else f"{format_p(welch)} ({format_p(paired)})"


def _pm(mean: float, half: float) -> str:
    return f"{mean:.3f}" if math.isnan(half) else f"{mean:.3f} ± {half:.3f}"


def write(dest: Path, name: str, title: str, source: str, rows: list[dict[str, Any]]) -> Path:
    """`name`.csv and `name`.md in `dest`: `title`, then one table per metric; `source` says which runs these are."""
    write_text(dest / f"{name}.csv", csv_text(rows, FIELDS))
    lines = [f"# {title}", "",
             f"{source} Final value of each run, mean ± 95% t-interval over seeds "
             f"({rows[0]['seeds']} here) and per seed. p: Welch's t-test across seeds (the paired t-test in "
             "brackets: each seed's runs continue from the same pretraining) against SeqGAN, against MLE, and "
             "against the row's twin with rewards shuffled between samples (reproduction/publications/"
             "gain_rows.py).", ""]
    for metric, label in METRICS.items():
        lines += [f"## {label} (lower is better)", "",
                  "| row | final | per seed | p vs SeqGAN | p vs MLE | p vs its shuffled twin |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {r['row']} | {_pm(r[f'{metric}_mean'], r[f'{metric}_ci95'])} | {r[f'{metric}_per_seed']} | "
                  + " | ".join(_p(r, metric, ref) for ref in REFERENCES) + " |" for r in rows]
        lines.append("")
    lines += ["Rows:", ""] + [f"- **{r['row']}**: {VARIANTS[r['method']].description}." for r in rows]
    write_text(dest / f"{name}.md", "\n".join(lines) + "\n")
    return dest / f"{name}.md"
