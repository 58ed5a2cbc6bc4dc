"""The frontier (quality against coverage): which temperature curves it draws and what its CSV holds."""

from __future__ import annotations

import csv

import pytest

from reproduction.publications import frontier
from reproduction.training import temperature_curve


@pytest.fixture
def fake_runs(tmp_path, monkeypatch):
    """Runs that exist only as a final metrics row; each run's temperature curve is a known function of it."""
    monkeypatch.setattr(frontier.plots, "frontier", lambda curves, points, path, title: None)
    offsets = {("mle", 0): 0.0, ("mle", 1): 0.2, ("ss-authors", 0): -1.0, ("ss-authors", 1): -1.2,
               ("seqgan", 0): 0.0, ("seqgan", 1): 0.0}
    monkeypatch.setattr(temperature_curve, "temperature_curve", lambda run, **_: [
        (t, 9.0 + offsets[(run.parent.name, int(run.name))] + t, 9.0 - t) for t in temperature_curve.TEMPERATURES])
    for (method, seed), offset in offsets.items():
        run = tmp_path / method / str(seed)
        run.mkdir(parents=True)
        (run / "metrics.csv").write_text(f"phase,nll_oracle,nll_test\nadv,{8.7 + offset},{9.0 + offset}\n")
    return lambda method, seed: tmp_path / method / str(seed)


def read(path):
    with open(path.with_suffix(".csv"), newline="") as f:
        return list(csv.DictReader(f))


def test_the_authors_ss_run_adds_a_second_temperature_curve_averaged_over_seeds(tmp_path, fake_runs):
    frontier.publish(tmp_path / "f", "original", "quick", [0, 1], ["mle", "ss-authors", "seqgan"], fake_runs)
    rows = read(tmp_path / "f")
    curves = {r["label"] for r in rows if r["kind"] == "temperature"}
    assert curves == set(frontier.CURVES.values())
    at_one = {r["label"]: float(r["nll_test"]) for r in rows
              if r["kind"] == "temperature" and r["temperature"] == "1.0"}
    assert at_one[frontier.CURVES["mle"]] == pytest.approx(10.1)  # 9 + mean(0, 0.2) + 1
    assert at_one[frontier.CURVES["ss-authors"]] == pytest.approx(8.9)  # 9 + mean(-1, -1.2) + 1
    finals = {r["label"]: float(r["nll_oracle"]) for r in rows if r["kind"] == "final point"}
    assert finals["SeqGAN"] == pytest.approx(8.7)


def test_without_the_authors_ss_row_only_the_mle_curve_is_drawn(tmp_path, fake_runs):
    frontier.publish(tmp_path / "f", "original", "quick", [0, 1], ["mle", "seqgan"], fake_runs)
    assert {r["label"] for r in read(tmp_path / "f") if r["kind"] == "temperature"} == {frontier.CURVES["mle"]}
