"""Quality against coverage: does any method beat simply cooling MLE? (Caccia et al., ICLR 2020, "Language
GANs Falling Short".)

Sampling the final MLE generator at temperature T (softmax(logits / T); training/temperature_curve.py) traces
a curve in the plane of NLL-test (the model's NLL of held-out oracle data, under the same temperature:
coverage) and NLL-oracle (the oracle's NLL of its samples: quality). Below T = 1 the curve trades coverage for
quality. Every method's and
control's final point (mean over seeds) goes on the same plane: a method that lowers NLL-oracle only by
sharpening the generator lands on or above the curve; one that learned something MLE did not lands below it.
Written to results/synthetic/<profile>/frontier_<oracle>.png and .csv.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from reproduction import plots
from reproduction.io_utils import write_text
from reproduction.run_log import csv_text, read_rows
from reproduction.training.temperature_curve import TEMPERATURES, run_curve
from reproduction.variants import VARIANTS

FIELDS = ("kind", "label", "temperature", "nll_test", "nll_oracle", "seeds")


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
        points[VARIANTS[m].label] = (float(np.mean([float(r["nll_test"]) for r in finals])),
                             float(np.mean([float(r["nll_oracle"]) for r in finals])))
    rows = [{"kind": "temperature", "label": label, "temperature": t, "nll_test": x, "nll_oracle": y,
             "seeds": len(seeds)} for label, curve in curves.items() for t, x, y in curve]
    rows += [{"kind": "final point", "label": label, "temperature": 1.0, "nll_test": x, "nll_oracle": y,
              "seeds": len(seeds)} for label, (x, y) in points.items()]
    write_text(path_stem.with_suffix(".csv"), csv_text(rows, FIELDS))
    plots.frontier(curves, points, path_stem.with_suffix(".png"),
                   f"Quality against coverage, {oracle} oracle, profile {profile}, mean of {len(seeds)} seed(s)")
