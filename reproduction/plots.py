"""Figures in the paper's style: NLL-oracle against epochs, a dashed line where adversarial training starts
(paper Figure 2)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from reproduction.io_utils import atomic_write

PAPER_TABLE1 = {"MLE": 9.038, "SeqGAN": 8.736}  # paper Table 1, NLL-oracle


def learning_curves(curves: dict[str, list[tuple[float, float]]], adversarial_start: float, path: Path,
                    title: str, reference: dict[str, float] | None = None) -> None:
    """One line per curve (label -> [(epoch, nll)]); faint horizontal lines for reference values."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, points in curves.items():
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, label=label, linewidth=1.6)
    for label, value in (reference or {}).items():
        ax.axhline(value, color="grey", alpha=0.5, linewidth=0.8, linestyle=":")
        ax.annotate(f"paper {label} {value}", (ax.get_xlim()[0], value), fontsize=7, color="grey",
                    xytext=(4, 2), textcoords="offset points")
    ax.axvline(adversarial_start, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("epochs (MLE epochs, then adversarial batches)")
    ax.set_ylabel("NLL by oracle")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format=path.suffix.lstrip("."), dpi=150))
    plt.close(fig)
