"""Figure 2 of the paper redrawn from our runs: NLL-oracle against epochs for SeqGAN, MLE, scheduled
sampling and PG-BLEU (mean over seeds), a dashed line where adversarial training starts, and the paper's
digitised curves drawn faintly, shifted so that their dashed line meets ours."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

from reproduction import plots
from reproduction.run_log import mle_epochs, nll_curve

PAPER_CSV = Path(__file__).resolve().parents[1] / "reference" / "figure2_paper_digitized.csv"
PAPER_ADVERSARIAL_START = 155  # epoch of the dashed line in the paper's Figure 2
STYLE = {"seqgan": ("SeqGAN", "tab:red"), "mle": ("MLE", "tab:blue"), "ss": ("Schedule Sampling", "tab:green"),
         "pgbleu": ("PG-BLEU", "tab:purple")}
PAPER_NAMES = {"SeqGAN": "seqgan", "MLE": "mle", "ScheduledSampling": "ss", "PG-BLEU": "pgbleu"}


def paper_curves() -> dict[str, list[tuple[float, float]]]:
    curves: dict[str, list[tuple[float, float]]] = {}
    with open(PAPER_CSV, encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            curves.setdefault(PAPER_NAMES[row["curve"]], []).append((float(row["epoch"]), float(row["nll_oracle"])))
    return curves


def mean_curve(runs: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    per_seed = [nll_curve(run) for run in runs]
    xs = np.array([x for x, _ in per_seed[0]])
    return xs, np.mean([[y for _, y in curve] for curve in per_seed], axis=0)


def draw(path_stem: Path, oracle: str, profile: str, seeds: list[int], methods: list[str],
         run_dir: Callable[[str, int], Path]) -> None:
    curves: dict[str, plots.Points] = {}
    right, start = 0.0, None
    for method in methods:
        xs, ys = mean_curve([run_dir(method, s) for s in seeds])
        curves[STYLE[method][0]] = list(zip(xs.tolist(), ys.tolist(), strict=True))
        right = max(right, float(xs.max()))
        if method != "ss":
            start = mle_epochs(run_dir(method, seeds[0]))
    faint: dict[str, plots.Points] = {}
    note = ""
    if start is not None:
        shift = start - PAPER_ADVERSARIAL_START
        faint = {STYLE[m][0]: [(x + shift, y) for x, y in points if 0 <= x + shift <= right]
                 for m, points in paper_curves().items() if m in methods}
        note = f"\nfaint dotted: the paper's curves, shifted {shift:+d} epochs to align the dashed lines"
    plots.learning_curves(curves, start, path_stem,
                          f"Figure 2: {oracle} oracle, profile {profile}, mean of {len(seeds)} seed(s){note}",
                          colors={label: color for label, color in STYLE.values()}, faint=faint,
                          formats=("png", "pdf"))
