"""`reproduce`: runs SeqGAN under a profile and publishes results only when every run has finished."""

from __future__ import annotations

import json

from reproduction.cli import main
from reproduction.config import PROFILE_SCHEDULES, describe_profile


def test_reproduce_smoke_publishes_csv_json_figure_and_summary(tmp_path):
    runs, results = tmp_path / "runs", tmp_path / "results"
    code = main(["reproduce", "--profile", "smoke", "--oracle", "random", "--seeds", "0", "--runs", str(runs),
                 "--results", str(results), "--no-progress"])
    assert code == 0
    dest = results / "synthetic" / "smoke"
    meta = json.loads((dest / "seqgan_random_s0.json").read_text())
    assert meta["status"] == "complete" and meta["profile"] == "smoke" and meta["seed"] == 0
    assert (dest / "seqgan_random_s0.csv").read_text().startswith("phase,epoch,x,nll_oracle")
    assert (dest / "seqgan_random_curve.png").read_bytes()[:4] == b"\x89PNG"
    summary = (dest / "seqgan_random.md").read_text()
    assert f"{meta['summary']['nll_oracle_final']:.3f}" in summary


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
