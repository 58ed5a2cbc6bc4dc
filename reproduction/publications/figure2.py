"""Figure 2 of the paper redrawn from our runs: NLL-oracle against epochs for SeqGAN, MLE, scheduled
sampling and PG-BLEU (mean over seeds), a dashed line where adversarial training starts, and, on the authors'
oracle (the one the paper's curves belong to), the paper's curves read from the authors' published figure
(paper_figure2.py), drawn faintly and shifted so that their dashed line meets ours, and the authors' own SeqGAN
run as their code logged it (authors_log.py), shifted the same way. Runs still training are drawn as far as they
have got (`reproduce --in-progress`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from reproduction import plots
from reproduction.datasets import download
from reproduction.errors import UserError
from reproduction.publications import authors_log, paper_figure2
from reproduction.run_log import fields_of, mle_epochs, nll_curve, read_json

PAPER_ADVERSARIAL_START = 155  # epoch of the dashed line in the paper's Figure 2
AUTHORS_LABEL = "SeqGAN, the authors' run (their log)"
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


def authors_run(mirror: str | Path | None = None) -> dict[str, list[tuple[float, float]]] | None:
    """The authors' run log parsed (authors_log.py); None, with a message, when it cannot be had."""
    try:
        return authors_log.load(mirror)
    except UserError as e:
        print(f"Figure 2 is drawn without the authors' run log: {e}")
        return None


def planned_end(run: Path) -> float:
    """The last x of `run`'s schedule (where a run in progress will end); 0 if its run.json does not say."""
    with fields_of(run / "run.json"):  # a damaged one: an error naming it
        schedule = read_json(run / "run.json")["config"]["schedule"]
    try:
        return float(schedule.get("ss_epochs") or schedule["mle_epochs"] + schedule["adv_batches"])
    except (KeyError, TypeError):
        return 0.0


def mean_curve(runs: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """The mean over `runs` (seeds) of their NLL-oracle curves, as far as every one has got (all of a finished
    run: finished runs of one method have the same evaluations)."""
    per_seed = [nll_curve(run) for run in runs]
    length = min(len(curve) for curve in per_seed)
    xs = np.array([x for x, _ in per_seed[0][:length]])
    return xs, np.mean([[y for _, y in curve[:length]] for curve in per_seed], axis=0)


def draw(path_stem: Path, oracle: str, profile: str, seeds: list[int], methods: list[str],
         run_dir: Callable[[str, int], Path], mirror: str | Path | None = None, progress: str = "") -> None:
    """Figure 2 of `methods` (mean over `seeds`) at `path_stem`.png and .pdf; `progress` (runs still training:
    how far they are) goes in the title."""
    curves: dict[str, plots.Points] = {}
    right, start = 0.0, None
    for method in methods:
        xs, ys = mean_curve([run_dir(method, s) for s in seeds])
        curves[STYLE[method][0]] = list(zip(xs.tolist(), ys.tolist(), strict=True))
        right = max(right, float(xs.max()), planned_end(run_dir(method, seeds[0])))
        if method != "ss":
            start = mle_epochs(run_dir(method, seeds[0]))
    faint: dict[str, plots.Points] = {}
    marked: dict[str, plots.Points] = {}
    note = ""
    if start is not None and oracle == "original":
        shift = start - PAPER_ADVERSARIAL_START
        paper, missing = paper_curves(mirror)
        faint = {STYLE[m][0]: [(x + shift, y) for x, y in points if 0 <= x + shift <= right]
                 for m, points in paper.items() if m in methods}
        note = missing or f"\nfaint dotted: the paper's curves, shifted {shift:+d} epochs to align the dashed lines"
        if "seqgan" in methods and (authors := authors_run(mirror)) is not None:
            marked = {AUTHORS_LABEL: [(x, y) for x, y in authors_log.shifted(authors, start) if x <= right]}
            if (moved := start - authors_log.MLE_EPOCHS) != 0:
                note += (f"\ncrosses: the authors' run, its adversarial part shifted {moved:+d} epochs (their MLE "
                         f"ran {authors_log.MLE_EPOCHS})")
    colors = {label: color for label, color in STYLE.values()} | {AUTHORS_LABEL: "darkred"}
    plots.learning_curves(curves, start, path_stem,
                          f"Figure 2: {oracle} oracle, profile {profile}, mean of {len(seeds)} seed(s){progress}{note}",
                          colors=colors, faint=faint, formats=("png", "pdf"), marked=marked)
