"""`reproduce`: runs SeqGAN under a profile and publishes results only when every run has finished."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from reproduction.cli import main
from reproduction.config import PROFILE_SCHEDULES, describe_profile
from reproduction.metrics.stats import welch_p_value


def test_reproduce_smoke_publishes_table1_figure2_and_runs(tmp_path):
    runs, results = tmp_path / "runs", tmp_path / "results"
    code = main(["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "1", "--strategies", "--datasets",
                 "--methods", "mle", "ss", "pgbleu", "seqgan", "--runs", str(runs), "--results", str(results),
                 "--no-progress"])  # the synthetic experiment only, the paper's four methods
    assert code == 0
    dest = results / "synthetic" / "smoke"
    meta = json.loads((dest / "runs" / "seqgan_random_s0.json").read_text())
    assert meta["status"] == "complete" and meta["profile"] == "smoke" and meta["seed"] == 0
    assert (dest / "runs" / "ss_random_s1.csv").read_text().startswith("phase,epoch,x,nll_oracle,nll_test")
    for name in ("figure2_random.png", "seqgan_random_curve.png"):
        assert (dest / name).read_bytes()[:4] == b"\x89PNG"
    assert (dest / "figure2_random.pdf").read_bytes()[:4] == b"%PDF"
    summary = (dest / "seqgan_random.md").read_text()
    assert f"{meta['summary']['nll_oracle_final']:.3f}" in summary
    with open(dest / "table1_random.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["row"] for r in table] == ["Random", "MLE", "SS (paper's description)", "PG-BLEU (paper's description)",
                                         "SeqGAN"]
    seqgan = table[-1]
    assert float(seqgan["final_mean"]) == pytest.approx(
        np.mean([json.loads((dest / "runs" / f"seqgan_random_s{s}.json").read_text())["summary"]["nll_oracle_final"]
                 for s in (0, 1)]), abs=1e-6)  # the table reads the CSV, which keeps 6 decimals
    per_seed = {m: [json.loads((dest / "runs" / f"{m}_random_s{s}.json").read_text())["summary"]["nll_oracle_final"]
                    for s in (0, 1)] for m in ("mle", "seqgan")}
    assert float(table[1]["p_vs_seqgan_seeds"]) == pytest.approx(welch_p_value(per_seed["mle"], per_seed["seqgan"]),
                                                                 rel=1e-3)  # the replicates are seeds
    assert all(0 <= float(r["p_vs_seqgan_sequences"]) <= 1 for r in table[1:4])
    assert seqgan["p_vs_seqgan_seeds"] == "nan" and (dest / "frontier_random.png").read_bytes()[:4] == b"\x89PNG"
    assert float(table[0]["paper"]) == 10.31
    assert "| SeqGAN | 8.736 |" in (dest / "table1_random.md").read_text()
    # the shared pretraining: one snapshot per seed, and MLE, PG-BLEU, SeqGAN start from the same curve
    assert len(list((runs / "smoke" / "shared").glob("pretrained-*.npz"))) == 2


def test_quick_profile_changes_only_counts_and_says_which():
    changed = describe_profile("quick")
    assert "mle_epochs: 120 -> 50" in changed and "adv_batches: 200 -> 50" in changed
    quick, paper = PROFILE_SCHEDULES["quick"], PROFILE_SCHEDULES["paper"]
    assert (quick.batch_size, quick.rollout_num, quick.num_train) == (paper.batch_size, paper.rollout_num,
                                                                        paper.num_train)
    assert describe_profile("paper") == []


def test_paper_profile_is_the_authors_schedule():
    p = PROFILE_SCHEDULES["paper"]
    assert (p.mle_epochs, p.d_pretrain_rounds, p.d_pretrain_epochs) == (120, 50, 3)
    assert (p.adv_batches, p.g_steps, p.d_steps, p.k_epochs, p.rollout_num, p.batch_size) == (200, 1, 5, 3, 16, 64)


def test_reproduce_with_no_methods_runs_figure3_alone_and_leaves_table1_untouched(tmp_path):
    runs, results = tmp_path / "runs", tmp_path / "results"
    dest = results / "synthetic" / "smoke"
    dest.mkdir(parents=True)
    (dest / "figure2_random.png").write_bytes(b"published earlier")
    code = main(["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "--methods", "--strategies", "c",
                 "--datasets", "--runs", str(runs), "--results", str(results), "--no-progress"])
    assert code == 0
    assert (dest / "figure2_random.png").read_bytes() == b"published earlier"
    assert not (dest / "table1_random.md").exists() and not list(dest.glob("runs/seqgan_random_*"))
    assert [p.name for p in dest.glob("runs/*.csv")] == ["figure3_c_random_s0.csv"]
    assert (dest / "figure3.png").read_bytes()[:4] == b"\x89PNG"
