"""Figure 2 of the paper redrawn from our runs: NLL-oracle against epochs for SeqGAN, MLE, scheduled
sampling and PG-BLEU (mean over seeds), a dashed line where adversarial training starts, and, on the authors'
oracle (the one the paper's curves belong to), the paper's curves read from the authors' published figure
(paper_figure2.py), drawn faintly and shifted so that their dashed line meets ours."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from reproduction import plots
from reproduction.datasets import download
from reproduction.errors import UserError
from reproduction.experiments import paper_figure2
from reproduction.run_log import mle_epochs, nll_curve

PAPER_ADVERSARIAL_START = 155  # epoch of the dashed line in the paper's Figure 2
STYLE = {"seqgan": ("SeqGAN", "tab:red"), "mle": ("MLE", "tab:blue"), "ss": ("Schedule Sampling", "tab:green"),
         "pgbleu": ("PG-BLEU", "tab:purple")}


def paper_curves(mirror: str | Path | None = None) -> tuple[dict[str, list[tuple[float, float]]], str]:
    """The paper's curves {method: [(epoch, NLL-oracle)]} and a note for the title; without the figure (no
    network and no mirror) no curves, and the note says why."""
    try:
        return paper_figure2.digitise(download.fetch("figure2_png", mirror)), ""
    except UserError as e:
        print(f"Figure 2 is drawn without the paper's curves: {e}")
        return {}, "\n(the paper's curves are missing: its figure could not be fetched)"


def mean_curve(runs: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    per_seed = [nll_curve(run) for run in runs]
    xs = np.array([x for x, _ in per_seed[0]])
    return xs, np.mean([[y for _, y in curve] for curve in per_seed], axis=0)


def draw(path_stem: Path, oracle: str, profile: str, seeds: list[int], methods: list[str],
         run_dir: Callable[[str, int], Path], mirror: str | Path | None = None) -> None:
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
    if start is not None and oracle == "original":
        shift = start - PAPER_ADVERSARIAL_START
        paper, missing = paper_curves(mirror)
        faint = {STYLE[m][0]: [(x + shift, y) for x, y in points if 0 <= x + shift <= right]
                 for m, points in paper.items() if m in methods}
        note = missing or f"\nfaint dotted: the paper's curves, shifted {shift:+d} epochs to align the dashed lines"
    plots.learning_curves(curves, start, path_stem,
                          f"Figure 2: {oracle} oracle, profile {profile}, mean of {len(seeds)} seed(s){note}",
                          colors={label: color for label, color in STYLE.values()}, faint=faint,
                          formats=("png", "pdf"))
