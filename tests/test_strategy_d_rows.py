"""The rows of "what the gain is made of" under strategy (d): planned with the strategy's schedule and the row's
own settings, and tabulated beside SeqGAN under (d) and MLE (gain_rows.py's table)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from reproduction.metrics.stats import paired_p_value, welch_p_value
from reproduction.publications import figure3, gain_rows, strategy_d_rows, synthetic


def test_each_row_is_planned_with_strategy_d_and_keeps_its_own_settings(tmp_path):
    specs = strategy_d_rows.plan("quick", ["self-imitation", "seqgan-baseline", "mle"], "original", [0, 1],
                                 tmp_path / "runs", results=tmp_path / "results")
    assert [(s.cfg.method, s.cfg.baseline, s.cfg.seed) for s in specs] == [
        ("self-imitation", "none", 0), ("self-imitation", "none", 1), ("seqgan", "batch-mean", 0),
        ("seqgan", "batch-mean", 1)]  # mle is no row of this table
    d = {s.cfg.seed: s for s in figure3.plan("quick", ["d"], "original", [0, 1], tmp_path / "runs")}
    for s in specs:  # SeqGAN's run under (d) on the same seed (schedule and all), but for the row's own settings
        assert dataclasses.replace(s.cfg, method="seqgan", baseline="none") == d[s.cfg.seed].cfg
        assert s.share_dir == d[s.cfg.seed].share_dir  # and its pretraining
    assert specs[0].out == tmp_path / "runs" / "quick" / "figure3-d-self-imitation-original-s0"
    records = tmp_path / "results" / "synthetic" / "quick" / "runs"
    assert specs[3].record == records / "figure3_d-seqgan-baseline_original_s1"
    assert specs[0].share_dir == tmp_path / "runs" / "quick" / "shared"


def _run(path: Path, nll: float, test: float) -> None:
    path.mkdir(parents=True)
    (path / "metrics.csv").write_text(f"phase,epoch,x,nll_oracle,nll_test\nmle,0,0,9.5,9.0\nadversarial,0,1,{nll},"
                                      f"{test}\n")


def test_the_table_sets_each_row_under_d_beside_seqgan_under_d_and_tables_mle(tmp_path):
    runs, seeds = tmp_path / "runs", [0, 1, 2]
    finals = {"d": [8.80, 8.75, 8.83], "self": [8.60, 8.65, 8.62], "mle": [9.02, 9.00, 9.03]}
    for s in seeds:
        _run(figure3.run_dir(runs, "quick", "d", "original", s), finals["d"][s], 9.0 + s / 50)
        _run(figure3.run_dir(runs, "quick", "d-self-imitation", "original", s), finals["self"][s], 9.1 + s / 100)
        _run(synthetic.run_dir(runs, "quick", "mle", "original", s), finals["mle"][s], 8.9 - s / 70)
    dest = tmp_path / "results"
    path = strategy_d_rows.publish("quick", ["self-imitation"], "original", seeds, runs, dest, with_mle=True)
    rows = {r["row"]: r for r in strategy_d_rows.table("quick", ["self-imitation"], "original", seeds, runs, True)}
    assert list(rows) == ["MLE (continued, Table 1's run)", "SeqGAN, strategy (d)",
                          "Self-imitation, reward 1 (control), strategy (d)"]
    own = rows["Self-imitation, reward 1 (control), strategy (d)"]
    assert own["nll_oracle_mean"] == pytest.approx(8.6233, abs=1e-4)
    assert own["nll_oracle_per_seed"] == "8.600 8.650 8.620"
    assert own["nll_oracle_p_vs_seqgan_paired"] == pytest.approx(paired_p_value(finals["self"], finals["d"]))
    assert own["nll_oracle_p_vs_mle_welch"] == pytest.approx(welch_p_value(finals["self"], finals["mle"]))
    assert math.isnan(rows["SeqGAN, strategy (d)"]["nll_oracle_p_vs_seqgan_welch"])  # not against itself
    assert "| Self-imitation, reward 1 (control), strategy (d) | 8.623 ± " in path.read_text()
    assert (dest / "strategy_d_rows.csv").read_text().startswith(",".join(gain_rows.FIELDS))
