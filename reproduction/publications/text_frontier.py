"""The quality-diversity frontier on real text (issue 43; docs/benchmark.md): does a GAN beat cooled MLE?

Sampling MLE's final generator at temperatures T (training/temperature_curve.text_curve: 0.7 to 1.5) trades
quality for diversity along a curve. Caccia et al. (ICLR 2020) compare a text GAN with that curve, not with MLE
at T = 1: a row that lies above it in BLEU-5 at its Self-BLEU-5 has learned more than a temperature. Two planes,
each under both protocols of metrics/benchmark_protocols.py:

- BLEU-5 against Self-BLEU-5 (Caccia's plane): quality against diversity;
- BLEU-5 against NLL-test: quality against coverage of held-out text.

Shared by COCO (publications/coco.py, with Texygen's published points) and the paper's text corpora, poems and
Obama (publications/real_world.py). Everything is read from the runs' records: each run's final samples and its
temperature curve (whose T = 1 row gives its NLL-test), so no checkpoint is needed.

Files (`write_frontier`): frontier.csv (MLE's curve, mean over seeds), frontier.png / frontier_nll.png (the two
planes) and the "cooled MLE at this diversity" rows of `cooled_lines`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from reproduction import plots
from reproduction.datasets.benchmark_view import BenchmarkData
from reproduction.errors import UserError
from reproduction.io_utils import write_text
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.run_log import csv_text, read_rows, read_samples
from reproduction.training.temperature_curve import read_text_curve

COLUMNS = [f"bleu{n}" for n in protocols.ORDERS] + [f"self_bleu{n}" for n in protocols.ORDERS] + ["nll_test"]
HEADERS = [f"BLEU-{n}" for n in protocols.ORDERS] + [f"Self-BLEU-{n}" for n in protocols.ORDERS] + ["NLL-test"]
NLL_OF = {"texygen": "nll_texygen", "corrected": "nll_test"}  # a text curve's NLL column of each protocol

Point = tuple[str, float, float]  # (label, BLEU-5, Self-BLEU-5 or NLL-test)


def score_run(run: Path, data: BenchmarkData) -> dict[str, dict[str, float]]:
    """Protocol -> columns of one finished run: its final samples' BLEU-n and Self-BLEU-n, and the NLL-test of
    its final generator (from its temperature curve at T = 1, computed when the run finished)."""
    tokens = read_samples(Path(run) / "final_samples.npz")["tokens"]
    sentences = data.sentences(tokens)
    at_one = next(r for r in _curve(run) if r["temperature"] == 1.0)
    rows = {"texygen": protocols.score_texygen(sentences, data.texygen_references),
            "corrected": protocols.corrected_samples_row(sentences, data.corrected_references, len(data.probe))}
    return {p: {**columns(r), "nll_test": at_one[NLL_OF[p]]} for p, r in rows.items()}


def columns(row: protocols.Row) -> dict[str, float]:
    return {**{f"bleu{n}": row.bleu[n] for n in protocols.ORDERS},
            **{f"self_bleu{n}": row.self_bleu[n] for n in protocols.ORDERS}}


def self_bleu_counts(data: BenchmarkData, samples: int) -> dict[str, int]:
    """Over how many sequences each protocol's Self-BLEU of `samples` scored samples is taken: all of them under
    `texygen`, at most the real-data probe's size under `corrected` (so that real data's row is comparable)."""
    return {"texygen": samples, "corrected": min(samples, len(data.probe))}


def real_data_row(data: BenchmarkData, samples: int) -> dict[str, float]:
    """The corrected protocol's real-data row for `samples` scored samples (at most the probe's size)."""
    count = self_bleu_counts(data, samples)["corrected"]
    protocols.check_apart(data.probe, data.corrected_references)
    return columns(protocols.score_rows(data.probe_label, "corrected", data.probe[:count], data.corrected_references))


def _curve(run: Path) -> list[dict[str, float]]:
    curve = read_text_curve(run)
    if curve is None:
        raise UserError(f"{run}: no temperature curve (temperatures.csv); its record is incomplete: retrain it "
                        "(reproduce --retrain) or publish from a run directory that has its checkpoint")
    return curve


def mean_curve(runs: Iterable[Path]) -> list[dict[str, float]]:
    """A text curve averaged over seeds at each temperature."""
    curves = [_curve(r) for r in runs]
    return [{k: float(np.mean([c[i][k] for c in curves])) for k in curves[0][i]} for i in range(len(curves[0]))]


def read_frontier(path: Path) -> list[dict[str, float]] | None:
    """A published frontier.csv (MLE's curve, write_frontier) as floats; None if it is missing or damaged."""
    try:
        rows = read_rows(path)
        return [{k: float(v) for k, v in r.items()} for r in rows] or None
    except (UserError, ValueError, TypeError):
        return None


def cooled_mle(curve: list[dict[str, float]], protocol: str, self_bleu: float,
               n: int = 5) -> tuple[float, float] | None:
    """(temperature, BLEU-n) of MLE's curve at the Self-BLEU-n `self_bleu`, interpolated linearly between the two
    temperatures around it; None outside the curve's range."""
    x, y = f"{protocol}_self_bleu{n}", f"{protocol}_bleu{n}"
    for a, b in itertools.pairwise(curve):
        lo, hi = sorted((a[x], b[x]))
        if lo <= self_bleu <= hi and hi > lo:
            w = (self_bleu - a[x]) / (b[x] - a[x])
            return a["temperature"] + w * (b["temperature"] - a["temperature"]), a[y] + w * (b[y] - a[y])
    return None


def seed_points(label: str, seeds: list[int], bleu: list[float], self_bleu: list[float]) -> list[Point]:
    """(label, BLEU-n, Self-BLEU-n) of each seed of one of our rows, where there is more than one seed: whether a
    row stands below cooled MLE is read per seed too, not only from the means."""
    if len(seeds) < 2:
        return []
    return [(f"{label} (ours), seed {s}", b, d) for s, b, d in zip(seeds, bleu, self_bleu, strict=True)]


def cooled_lines(curve: list[dict[str, float]], points: dict[str, list[Point]], figure: str = "frontier.png",
                 n: int = 5, heading: str = "Against cooled MLE") -> list[str]:
    """Markdown: MLE's curve, then each point (per protocol: label, BLEU-n, Self-BLEU-n) against cooled MLE at its
    Self-BLEU-n."""
    lines = [f"## {heading} ({figure})", "",
             "MLE's final generator sampled at temperatures " + ", ".join(f"{r['temperature']:g}" for r in curve)
             + f" (mean over seeds) traces a curve of BLEU-{n} against Self-BLEU-{n}. At each row's Self-BLEU-{n}, "
             f"the curve's BLEU-{n} (linear between temperatures) is what MLE reaches by sampling cooler or "
             "hotter: a row above it has learned more than a temperature.", "",
             f"| protocol | row | Self-BLEU-{n} | BLEU-{n} | cooled MLE at that Self-BLEU-{n}: T | BLEU-{n} "
             "| row − cooled MLE |",
             "|---|---|---|---|---|---|---|"]
    for protocol, rows in points.items():
        for label, bleu, self_bleu in rows:
            at = cooled_mle(curve, protocol, self_bleu, n)
            cells = ("outside the curve", "", "") if at is None else (
                f"{at[0]:.2f}", f"{at[1]:.3f}", f"{bleu - at[1]:+.3f}")
            lines.append(f"| {protocol} | {label} | {self_bleu:.3f} | {bleu:.3f} | " + " | ".join(cells) + " |")
    return lines


def diversity_plane(curve: list[dict[str, float]], points: dict[str, list[Point]], path: Path, title: str,
                    n: int = 5) -> None:
    """BLEU-n against Self-BLEU-n, one panel per protocol: MLE's curve and the `points` (label, BLEU-n,
    Self-BLEU-n)."""
    panels = {f"protocol {p}": ({"MLE (ours)": [(r["temperature"], r[f"{p}_bleu{n}"], r[f"{p}_self_bleu{n}"])
                                                for r in curve]}, {k: (x, y) for k, x, y in points[p]})
              for p in protocols.PROTOCOLS}
    plots.planes(panels, path, title, xlabel=f"BLEU-{n} (higher: closer to the references)",
                 ylabel=f"Self-BLEU-{n} (lower: more diverse)")


def write_frontier(title: str, curve: list[dict[str, float]], diversity: dict[str, list[Point]],
                   coverage: dict[str, list[Point]], dest: Path) -> None:
    """frontier.csv (the curve) and the two planes: per protocol, MLE's curve with the `diversity` points (label,
    BLEU-5, Self-BLEU-5) on frontier.png and the `coverage` points (label, BLEU-5, NLL-test) on
    frontier_nll.png."""
    fields = ["temperature"] + [f"{p}_{c}" for p in protocols.PROTOCOLS for c in COLUMNS[:-1]] + [
        "nll_test", "nll_texygen"]
    write_text(dest / "frontier.csv", csv_text(curve, fields))
    diversity_plane(curve, diversity, dest / "frontier", title)
    panels = {f"protocol {p}": ({"MLE (ours)": [(r["temperature"], r[f"{p}_bleu5"], r[NLL_OF[p]]) for r in curve]},
                                {k: (x, y) for k, x, y in coverage[p]}) for p in protocols.PROTOCOLS}
    plots.planes(panels, dest / "frontier_nll", title, xlabel="BLEU-5 (higher: closer to the references)",
                 ylabel="NLL-test (lower: better coverage)")
