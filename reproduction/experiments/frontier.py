"""Quality against coverage: does any method beat simply cooling MLE? (Caccia et al., ICLR 2020, "Language
GANs Falling Short".)

Sampling the final MLE generator at temperature T (softmax(logits / T)) traces a curve in the plane of
NLL-test (the model's NLL of held-out oracle data, under the same temperature: coverage) and NLL-oracle (the
oracle's NLL of its samples: quality). Below T = 1 the curve trades coverage for quality. Every method's and
control's final point (mean over seeds) goes on the same plane: a method that lowers NLL-oracle only by
sharpening the generator lands on or above the curve; one that learned something MLE did not lands below it.
Written to results/synthetic/<profile>/frontier_<oracle>.png and .csv.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from oracle.network import sample_many, sequence_nll
from reproduction import plots
from reproduction.experiments.records import TEMPERATURES_FILE
from reproduction.experiments.table1 import LABELS
from reproduction.io_utils import write_text
from reproduction.models.generator import LSTMPolicy
from reproduction.run_log import csv_text, read_rows, run_config
from reproduction.seeding import derive
from reproduction.training import checkpoint
from reproduction.training.components import load_data

TEMPERATURES = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)
FIELDS = ("kind", "label", "temperature", "nll_test", "nll_oracle", "seeds")
CURVE_FIELDS = ("temperature", "nll_test", "nll_oracle")


def temperature_curve(run: Path, temperatures: tuple[float, ...] = TEMPERATURES,
                      mirror: str | Path | None = None) -> list[tuple[float, float, float]]:
    """[(T, NLL-test, NLL-oracle)] of the final generator of `run` sampled at each temperature."""
    cfg = run_config(run)
    _, held_out, oracle, _ = load_data(cfg, mirror)
    generator = LSTMPolicy(cfg.shape)
    checkpoint.load_model(run / "checkpoint.npz", "generator", generator)
    points = []
    for k, t in enumerate(temperatures):
        samples = sample_many(generator, cfg.schedule.eval_samples, derive(cfg.seed, "frontier", k), temperature=t)
        points.append((t, float(sequence_nll(generator, held_out, temperature=t).mean()),
                       float(oracle.sequence_nll(samples).mean())))
    return points


def run_curve(run: Path, mirror: str | Path | None = None) -> list[tuple[float, float, float]]:
    """`temperature_curve(run)` at TEMPERATURES, computed once per run and kept in the run directory (a run
    restored from its record, experiments/records.py, has only this file, no generator)."""
    path = Path(run) / TEMPERATURES_FILE
    rows = read_rows(path)
    if [float(r["temperature"]) for r in rows] != list(TEMPERATURES):
        points = temperature_curve(Path(run), mirror=mirror)
        write_text(path, csv_text([dict(zip(CURVE_FIELDS, p, strict=True)) for p in points], CURVE_FIELDS))
        rows = read_rows(path)
    return [(float(r["temperature"]), float(r["nll_test"]), float(r["nll_oracle"])) for r in rows]


# The temperature curves: MLE as the paper pretrains it, and, when Table 1 has the row, the authors' SS script,
# which is teacher-forced MLE from scratch at Adam 0.001 (frozen coin, config.SS_FROZEN_COIN): a better-fitted MLE
# (far lower NLL-test), so its curve is the harder test of "below the MLE curve".
CURVES = {"mle": "MLE (Adam 0.01, the paper's pretraining)",
          "ss-authors": "MLE at Adam 0.001 (the authors' SS script)"}


def publish(path_stem: Path, oracle: str, profile: str, seeds: list[int], methods: list[str],
            run_dir: Callable[[str, int], Path], mirror: str | Path | None = None) -> None:
    curves = {}
    for method, label in CURVES.items():
        if method in methods:  # (the caller publishes a frontier only when "mle" is among them)
            per_seed = np.array([[p[1:] for p in run_curve(run_dir(method, s), mirror)]
                                 for s in seeds])
            curves[label] = [(t, float(x), float(y)) for t, (x, y) in zip(TEMPERATURES, per_seed.mean(axis=0),
                                                                         strict=True)]
    points = {}
    for m in methods:
        finals = [read_rows(run_dir(m, s) / "metrics.csv")[-1] for s in seeds]
        points[LABELS[m]] = (float(np.mean([float(r["nll_test"]) for r in finals])),
                             float(np.mean([float(r["nll_oracle"]) for r in finals])))
    rows = [{"kind": "temperature", "label": label, "temperature": t, "nll_test": x, "nll_oracle": y,
             "seeds": len(seeds)} for label, curve in curves.items() for t, x, y in curve]
    rows += [{"kind": "final point", "label": label, "temperature": 1.0, "nll_test": x, "nll_oracle": y,
              "seeds": len(seeds)} for label, (x, y) in points.items()]
    write_text(path_stem.with_suffix(".csv"), csv_text(rows, FIELDS))
    plots.frontier(curves, points, path_stem.with_suffix(".png"),
                   f"Quality against coverage, {oracle} oracle, profile {profile}, mean of {len(seeds)} seed(s)")
