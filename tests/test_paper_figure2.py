"""The paper's Figure 2 read from its published image, against a digitisation of the same figure's vector PDF
(the data mirror's seqgan_original/figure2_learning_curve_digitized.csv, read here and never committed)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from reproduction.datasets import download
from reproduction.publications import figure2, paper_figure2

VECTOR_NAMES = {"SeqGAN": "seqgan", "MLE": "mle", "ScheduledSampling": "ss", "PG-BLEU": "pgbleu"}


def vector_curves(mirror) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    points = defaultdict(list)
    with open(mirror / "seqgan_original" / "figure2_learning_curve_digitized.csv", newline="") as f:
        for row in csv.DictReader(f):
            points[VECTOR_NAMES[row["curve"]]].append((float(row["epoch"]), float(row["nll_oracle"])))
    return {name: (np.array([p[0] for p in pts]), np.array([p[1] for p in pts])) for name, pts in points.items()}


def finished_run(run: Path, mle_epochs: int = 3) -> Path:
    """The two files Figure 2 reads from a run: its log and its schedule."""
    run.mkdir(parents=True)
    rows = [f"mle,{e},{e},{10 - 0.1 * e}" for e in range(mle_epochs + 1)] + ["adversarial,1,4,9.5"]
    (run / "metrics.csv").write_text("\n".join(["phase,epoch,x,nll_oracle", *rows]) + "\n")
    (run / "run.json").write_text(json.dumps({"config": {"schedule": {"mle_epochs": mle_epochs}}}))
    return run


def capture_drawing(monkeypatch) -> list[tuple[str, dict]]:
    drawn: list[tuple[str, dict]] = []
    monkeypatch.setattr(figure2.plots, "learning_curves", lambda curves, start, path, title, **kw: drawn.append(
        (title, kw["faint"])))
    return drawn


def test_curves_read_from_the_image_match_the_vector_figure_to_within_two_pixels(mirror):
    image = paper_figure2.digitise(download.fetch("figure2_png", mirror))
    vector = vector_curves(mirror)
    assert set(image) == set(vector)
    for name, points in image.items():
        epochs, nlls = np.array(points).T
        assert len(points) > 60, name  # the dash-dotted MLE is visible only after the pretraining it shares
        assert epochs.max() > 230 and nlls.min() > 8.6 and nlls.max() < 10.0
        xs, ys = vector[name]
        within = (epochs >= xs.min()) & (epochs <= xs.max())
        error = np.abs(np.interp(epochs[within], xs, ys) - nlls[within])
        assert np.median(error) < 0.003 and error.max() < 0.02, name  # one pixel is 0.006 NLL


def test_the_end_points_are_the_papers_table1_values_read_off_the_curves(mirror):
    image = paper_figure2.digitise(download.fetch("figure2_png", mirror))
    last = {name: points[-1][1] for name, points in image.items()}
    assert last["seqgan"] == pytest.approx(8.736, abs=0.01)  # Table 1: SeqGAN 8.736
    assert last["pgbleu"] == pytest.approx(8.97, abs=0.03)  # the curve ends above its best point, 8.946


def test_figure2_draws_the_papers_curves_on_the_authors_oracle_only(mirror, monkeypatch, tmp_path):
    drawn = capture_drawing(monkeypatch)
    runs = {method: finished_run(tmp_path / method) for method in ("mle", "seqgan")}
    for oracle in ("original", "random"):
        figure2.draw(tmp_path / oracle, oracle, "smoke", [0], list(runs), lambda method, seed: runs[method], mirror)
    (original_title, original), (random_title, random) = drawn
    assert set(original) == {"MLE", "SeqGAN"} and all(original.values()) and "the paper's curves" in original_title
    assert random == {} and "paper" not in random_title


def test_without_the_image_figure2_is_drawn_without_the_papers_curves_and_says_so(monkeypatch, tmp_path, capsys):
    drawn = capture_drawing(monkeypatch)
    runs = {method: finished_run(tmp_path / method) for method in ("mle", "seqgan")}
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    figure2.draw(tmp_path / "f", "original", "smoke", [0], list(runs), lambda method, seed: runs[method], empty_mirror)
    (title, faint), = drawn
    assert faint == {} and "the paper's curves are missing" in title
    assert "seqgan_original/lc.png is not in the data mirror" in capsys.readouterr().out
