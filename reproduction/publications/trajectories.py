"""Paths on the quality-coverage plane: where each method goes during its adversarial phase (issue "what SeqGAN's
gain is made of").

frontier.py puts each row's final point beside MLE's temperature curve. This draws the path that led there:
every evaluation's (NLL-test, NLL-oracle), mean over seeds, from the end of the shared pretraining on, for MLE
continued and every row with an adversarial phase (SeqGAN, PG-BLEU, the controls, self-imitation, the
baseline rows; SS trains from scratch and has no such path). Two methods that move along one path at different
speeds draw the same line with their ends at different places; one that reaches a given NLL-test with a lower
NLL-oracle lies below. The table compares them at equal NLL-test: each path's NLL-oracle where it crosses
SeqGAN's final NLL-test (linear between evaluations), with the wall time of each method's adversarial phase.
Written to results/synthetic/<profile>/trajectories_<oracle>.png, .csv and .md.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np

from reproduction import plots
from reproduction.io_utils import write_text
from reproduction.methods import METHODS, PRETRAINING_PHASES, SHARED_PHASES
from reproduction.publications.frontier import CURVES
from reproduction.run_log import csv_text, read_json, read_rows
from reproduction.training.temperature_curve import run_curve
from reproduction.variants import VARIANTS

FIELDS = ("label", "x", "nll_test", "nll_oracle", "seeds")
Path_ = list[tuple[float, float, float]]  # (x, NLL-test, NLL-oracle)


def has_path(method: str) -> bool:
    """Rows whose runs continue from the shared pretraining (all but scheduled sampling)."""
    return "mle" in METHODS[VARIANTS[method].method].phases


def mean_path(runs: list[Path]) -> Path_:
    """The evaluations after the pretraining (x: Figure 2's epoch axis), mean over the runs at the x they share;
    the last pretraining evaluation first, where every path starts."""
    per_run = []
    for run in runs:
        rows = [r for r in read_rows(run / "metrics.csv") if r.get("nll_oracle") and r.get("nll_test")]
        start = [r for r in rows if r["phase"] in SHARED_PHASES + PRETRAINING_PHASES][-1:]
        after = [r for r in rows if r["phase"] not in SHARED_PHASES + PRETRAINING_PHASES]
        per_run.append({float(r["x"]): (float(r["nll_test"]), float(r["nll_oracle"])) for r in start + after})
    xs = sorted(set.intersection(*(set(p) for p in per_run)))
    return [(x, float(np.mean([p[x][0] for p in per_run])), float(np.mean([p[x][1] for p in per_run]))) for x in xs]


def at_nll_test(path: Path_, level: float) -> float | None:
    """The path's NLL-oracle where its NLL-test first reaches `level` (linear between evaluations); None if never."""
    for (_, t0, o0), (_, t1, o1) in pairwise(path):
        if min(t0, t1) <= level <= max(t0, t1) and t1 != t0:
            return o0 + (o1 - o0) * (level - t0) / (t1 - t0)
    return None


def adversarial_hours(runs: list[Path]) -> float | None:
    """Mean hours of the runs' own phase after the pretraining (adversarial, or MLE continued), from run.json."""
    hours = []
    for run in runs:
        seconds = read_json(run / "run.json").get("summary", {}).get("phase_seconds", {})
        own = [s for p, s in seconds.items() if p not in SHARED_PHASES + PRETRAINING_PHASES]
        if own:
            hours.append(sum(own) / 3600)
    return float(np.mean(hours)) if hours else None


def publish(path_stem: Path, oracle: str, profile: str, seeds: list[int], methods: list[str],
            run_dir: Callable[[str, int], Path], mirror: str | Path | None = None) -> None:
    shown = [m for m in methods if has_path(m)]
    paths = {VARIANTS[m].label: mean_path([run_dir(m, s) for s in seeds]) for m in shown}
    hours = {VARIANTS[m].label: adversarial_hours([run_dir(m, s) for s in seeds]) for m in shown}
    curves = {}
    for method, label in CURVES.items():  # MLE's temperature curves, as the frontier draws them
        if method in methods:
            per_seed = np.array([[p[1:] for p in run_curve(run_dir(method, s), mirror)] for s in seeds]).mean(axis=0)
            curves[label] = [(float(x), float(y)) for x, y in per_seed]
    rows = [{"label": label, "x": x, "nll_test": t, "nll_oracle": o, "seeds": len(seeds)}
            for label, path in paths.items() for x, t, o in path]
    write_text(path_stem.with_suffix(".csv"), csv_text(rows, FIELDS))
    write_text(path_stem.with_suffix(".md"), _markdown(paths, hours, oracle, profile, seeds, curves))
    plots.trajectories(paths, curves, path_stem.with_suffix(".png"),
          f"Paths during the adversarial phase, {oracle} oracle, profile {profile}, mean of {len(seeds)} seed(s)")


def _markdown(paths: dict[str, Path_], hours: dict[str, float | None], oracle: str, profile: str,
              seeds: list[int], curves: dict[str, list[tuple[float, float]]]) -> str:
    seqgan = paths.get(VARIANTS["seqgan"].label)
    level = seqgan[-1][1] if seqgan else None
    lines = [f"# Paths on the quality-coverage plane: {oracle} oracle, profile {profile}", "",
             f"Mean over seeds {', '.join(map(str, seeds))} of every evaluation after the shared pretraining "
             "(reproduction/publications/trajectories.py; the figure: trajectories_" + oracle + ".png)."
             + ("" if level is None else f" Compared at SeqGAN's final NLL-test, {level:.3f}."), "",
             "| row | start (NLL-test, NLL-oracle) | end | NLL-oracle at SeqGAN's final NLL-test | hours of its own "
             "phase |", "|---|---|---|---|---|"]
    for label, path in paths.items():
        crossing = None if level is None else at_nll_test(path, level)
        cross = "not reached" if crossing is None else f"{crossing:.3f}"
        hour = "" if hours[label] is None else f"{hours[label]:.2f}"
        lines.append(f"| {label} | {path[0][1]:.3f}, {path[0][2]:.3f} | {path[-1][1]:.3f}, {path[-1][2]:.3f} | "
                     f"{cross} | {hour} |")
    if level is not None and curves:
        lines.append("")
    for label, curve in curves.items() if level is not None else ():
        xs, ys = zip(*sorted(curve), strict=True)
        inside = xs[0] <= level <= xs[-1]
        lines.append(f"- {label} sampled at temperatures, at that NLL-test: "
                     + (f"NLL-oracle {float(np.interp(level, xs, ys)):.3f}." if inside else
                        f"outside its range ({xs[0]:.3f} to {xs[-1]:.3f})."))
    return "\n".join(lines) + "\n"
