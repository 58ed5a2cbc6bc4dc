"""Figure 2 of the paper redrawn from our runs: NLL-oracle against epochs for SeqGAN, MLE, scheduled
sampling and PG-BLEU (mean over seeds), a dashed line where adversarial training starts, and the paper's
digitised curves drawn faintly, shifted so that their dashed line meets ours."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from reproduction.io_utils import atomic_write
from reproduction.run_log import read_rows

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
    per_seed = [[(float(r["x"]), float(r["nll_oracle"])) for r in read_rows(run / "metrics.csv") if r["nll_oracle"]]
                for run in runs]
    xs = np.array([x for x, _ in per_seed[0]])
    return xs, np.mean([[y for _, y in curve] for curve in per_seed], axis=0)


def draw(path_stem: Path, oracle: str, profile: str, seeds: list[int], methods: list[str],
         run_dir: Callable[[str, int], Path]) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    start = None
    shift = None
    right = 0.0
    for method in methods:
        label, color = STYLE[method]
        xs, ys = mean_curve([run_dir(method, s) for s in seeds])
        ax.plot(xs, ys, color=color, linewidth=1.6, label=label)
        right = max(right, float(xs.max()))
        if method != "ss":
            start = json.loads((run_dir(method, seeds[0]) / "run.json").read_text())["config"]["schedule"]["mle_epochs"]
    if start is not None:
        shift = start - PAPER_ADVERSARIAL_START
        ax.axvline(start, color="black", linestyle="--", linewidth=1)
        for method, points in paper_curves().items():
            if method in methods:
                px, py = np.array(points).T
                keep = (px + shift >= 0) & (px + shift <= right)
                ax.plot(px[keep] + shift, py[keep], color=STYLE[method][1], alpha=0.3, linewidth=1.0, linestyle=":")
    ax.set_xlabel("epochs (MLE epochs, then adversarial batches)")
    ax.set_ylabel("NLL by oracle")
    note = f"\nfaint dotted: the paper's curves, shifted {shift:+d} epochs to align the dashed lines" if shift else ""
    ax.set_title(f"Figure 2: {oracle} oracle, profile {profile}, mean of {len(seeds)} seed(s){note}", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    for suffix in (".png", ".pdf"):
        target = path_stem.with_suffix(suffix)
        atomic_write(target, lambda p, s=suffix: fig.savefig(p, format=s.lstrip("."), dpi=150))
    plt.close(fig)
