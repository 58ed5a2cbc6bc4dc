"""What SeqGAN's gain is made of, as a table: each row's final NLL-oracle and NLL-test across seeds, tested
against SeqGAN, against MLE and against its shuffled twin, Welch's test across seeds with the paired one beside."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from reproduction.metrics.stats import paired_p_value, welch_p_value
from reproduction.publications import gain_rows

FINALS = {  # method -> per seed (NLL-oracle, NLL-test)
    "mle": [(9.02, 9.02), (9.03, 9.01), (8.99, 8.93)],
    "seqgan": [(8.87, 8.97), (8.82, 8.96), (8.72, 8.89)],
    "self-imitation": [(8.63, 9.07), (8.55, 9.04), (8.59, 8.98)],
    "seqgan-baseline": [(9.02, 8.85), (9.05, 8.84), (9.04, 8.79)],
    "seqgan-baseline-shuffled": [(9.02, 8.94), (9.03, 8.91), (9.01, 8.88)],
}


def _runs(root: Path) -> dict[str, list[Path]]:
    dirs = {}
    for method, per_seed in FINALS.items():
        dirs[method] = []
        for seed, (nll, test) in enumerate(per_seed):
            run = root / f"{method}-s{seed}"
            run.mkdir(parents=True)
            (run / "metrics.csv").write_text("phase,epoch,x,nll_oracle,nll_test\nmle,0,0,9.5,9.0\n"
                                             f"adversarial,0,1,,\nadversarial,1,2,{nll},{test}\n")
            dirs[method].append(run)
    return dirs


def _column(method: str, metric: int) -> list[float]:
    return [v[metric] for v in FINALS[method]]


def test_each_row_is_tested_against_seqgan_mle_and_its_shuffled_twin_on_both_metrics(tmp_path):
    rows = {r["method"]: r for r in gain_rows.table(_runs(tmp_path))}
    assert list(rows) == ["mle", "seqgan", "self-imitation", "seqgan-baseline", "seqgan-baseline-shuffled"]
    own = rows["seqgan-baseline"]
    assert own["nll_test_mean"] == pytest.approx(8.8267, abs=1e-4) and own["nll_test_per_seed"] == "8.850 8.840 8.790"
    for metric, column in (("nll_oracle", 0), ("nll_test", 1)):
        for ref, other in (("seqgan", "seqgan"), ("mle", "mle"), ("twin", "seqgan-baseline-shuffled")):
            a, b = _column("seqgan-baseline", column), _column(other, column)
            assert own[f"{metric}_p_vs_{ref}_welch"] == pytest.approx(welch_p_value(a, b))
            assert own[f"{metric}_p_vs_{ref}_paired"] == pytest.approx(paired_p_value(a, b))
    assert math.isnan(rows["seqgan"]["nll_oracle_p_vs_seqgan_welch"])  # never against itself
    assert math.isnan(rows["mle"]["nll_test_p_vs_mle_paired"])
    assert math.isnan(rows["seqgan"]["nll_oracle_p_vs_twin_welch"])  # SeqGAN's shuffled control was not given
    assert math.isnan(rows["self-imitation"]["nll_test_p_vs_twin_welch"])  # no twin


def test_the_written_table_shows_both_metrics_with_welch_and_paired_p_and_its_csv_every_field(tmp_path):
    path = gain_rows.write(tmp_path / "out", "gain_rows_original", "What SeqGAN's gain is made of", "Some runs.",
                           gain_rows.table(_runs(tmp_path / "runs")))
    text = path.read_text()
    assert "## NLL-oracle (lower is better)" in text and "## NLL-test (lower is better)" in text
    a, b = _column("self-imitation", 0), _column("seqgan", 0)
    welch, paired = welch_p_value(a, b), paired_p_value(a, b)
    line = next(x for x in text.splitlines() if x.startswith("| Self-imitation, reward 1 (control) | 8.590 ± "))
    assert f"| {welch:.1e} ({paired:.1e}) |" in line
    with open(path.with_suffix(".csv"), newline="") as f:
        table = list(csv.DictReader(f))
    assert list(table[0]) == list(gain_rows.FIELDS) and len(table) == 5
