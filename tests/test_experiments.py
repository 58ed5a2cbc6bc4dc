"""`reproduce`: runs SeqGAN under a profile and publishes results only when every run has finished."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from reproduction.cli import main
from reproduction.config import PROFILE_SCHEDULES, describe_profile
from reproduction.metrics.stats import welch_p_value
from reproduction.training import temperature_curve


@pytest.fixture
def tiny_experiment(monkeypatch):
    """The synthetic experiment's runs at tiny shapes (the smoke profile's label, the tests' small schedule)."""
    from reproduction import config
    from reproduction.publications import synthetic
    from tests.conftest import tiny_config

    monkeypatch.setattr(config, "make_config", lambda method, profile="paper", **kw: tiny_config(method=method, **kw))
    return synthetic  # (make_variant builds every row of Table 1 on make_config)


@pytest.mark.slow
def test_reproduce_smoke_publishes_table1_figure2_and_runs(tmp_path, tiny_experiment, capsys):
    """Through the real `main` (the runs at tiny shapes: publication does not depend on them)."""
    runs, results = tmp_path / "runs", tmp_path / "results"
    code = main(["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "1", "--strategies", "--datasets",
                 "--methods", "mle", "ss", "pgbleu", "seqgan", "--runs", str(runs), "--results", str(results),
                 "--no-progress"])  # the synthetic experiment only, the paper's four methods
    assert code == 0
    dest = results / "synthetic" / "smoke"
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == f"0 run(s) restored from their records, 8 trained; results written to {dest}"
    assert "plan: 8 runs; 0 restored from their records; 8 to train" in err
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
                                         "SeqGAN", "Oracle (its own held-out samples)"]
    seqgan, oracle_row = table[-2], table[-1]
    # cross-entropy is never below entropy: no model scores the oracle's held-out samples better than the oracle
    assert all(float(r["nll_test_mean"]) > float(oracle_row["final_mean"]) for r in table[:-1])
    assert oracle_row["final_mean"] == oracle_row["nll_test_mean"] and oracle_row["p_vs_seqgan_seeds"] == "nan"
    assert float(seqgan["final_mean"]) == pytest.approx(
        np.mean([json.loads((dest / "runs" / f"seqgan_random_s{s}.json").read_text())["summary"]["nll_oracle_final"]
                 for s in (0, 1)]), abs=1e-6)  # the table reads the CSV, which keeps 6 decimals
    per_seed = {m: [json.loads((dest / "runs" / f"{m}_random_s{s}.json").read_text())["summary"]["nll_oracle_final"]
                    for s in (0, 1)] for m in ("mle", "seqgan")}
    assert float(table[1]["p_vs_seqgan_seeds"]) == pytest.approx(welch_p_value(per_seed["mle"], per_seed["seqgan"]),
                                                                 rel=1e-3)  # the replicates are seeds
    assert float(seqgan["p_vs_mle_seeds"]) == pytest.approx(float(table[1]["p_vs_seqgan_seeds"]), rel=1e-9)
    assert table[1]["p_vs_mle_seeds"] == table[0]["p_vs_mle_seeds"] == oracle_row["p_vs_mle_seeds"] == "nan"
    assert 0 <= float(table[2]["p_vs_mle_seeds"]) <= 1 and table[2]["p_vs_mle_seeds"] != table[2]["p_vs_seqgan_seeds"]
    assert all(0 <= float(r["p_vs_seqgan_sequences"]) <= 1 for r in table[1:4])
    assert seqgan["p_vs_seqgan_seeds"] == "nan" and (dest / "frontier_random.png").read_bytes()[:4] == b"\x89PNG"
    assert [float(x) for x in table[1]["final_per_seed"].split()] == pytest.approx(per_seed["mle"], abs=1e-4)
    per_seed_line = next(x for x in (dest / "table1_random.md").read_text().splitlines()
                         if x.startswith("| MLE |") and "(" in x)  # the per-seed table: final (best)
    assert per_seed_line.count("(") == 2 and f"{per_seed['mle'][1]:.3f} (" in per_seed_line
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


@pytest.mark.slow
def test_reproduce_with_no_methods_runs_figure3_alone_and_leaves_table1_untouched(tmp_path, capsys):
    """(The suite's one run of the smoke profile at the paper's shapes: vocabulary 5,000, the full discriminator.)"""
    runs, results = tmp_path / "runs", tmp_path / "results"
    dest = results / "synthetic" / "smoke"
    dest.mkdir(parents=True)
    (dest / "figure2_random.png").write_bytes(b"published earlier")
    code = main(["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "--methods", "--strategies", "c",
                 "--datasets", "--runs", str(runs), "--results", str(results), "--no-progress"])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"0 run(s) restored from their records, 1 trained; results " \
                                                       f"written to {dest}"
    assert (dest / "figure2_random.png").read_bytes() == b"published earlier"
    assert not (dest / "table1_random.md").exists() and not list(dest.glob("runs/seqgan_random_*"))
    assert [p.name for p in dest.glob("runs/*.csv")] == ["figure3_c_random_s0.csv"]
    assert (dest / "figure3.png").read_bytes()[:4] == b"\x89PNG"


def test_reproduce_publishes_only_the_finished_runs_records_until_every_run_has_finished(tmp_path, monkeypatch,
                                                                                        tiny_experiment):
    """Killed between runs (the second `train` call is interrupted, the first run has finished), `reproduce`
    leaves every table and figure published earlier byte for byte and writes only the finished run's record
    (records.py); finishing then replaces the rest."""
    synthetic = tiny_experiment
    from reproduction.training import driver

    train, calls, interrupt = driver.train, [], [True]

    def train_then_killed(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 2 and interrupt[0]:
            raise KeyboardInterrupt
        return train(*args, **kwargs)

    monkeypatch.setattr(driver, "train", train_then_killed)  # (the sweep imports it when it trains)
    runs, results = tmp_path / "runs", tmp_path / "results"
    dest = results / "synthetic" / "smoke"
    old = {name: f"published earlier: {name}".encode() for name in (
        "runs/mle_random_s0.csv", "runs/mle_random_s0.json", "runs/ss_random_s0.csv", "runs/ss_random_s0.json",
        "figure2_random.png", "figure2_random.pdf", "notes.txt")}
    for name, content in old.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(content)

    def published():
        return {str(p.relative_to(results)): p.read_bytes() for p in results.rglob("*") if p.is_file()}

    before = published()
    with pytest.raises(KeyboardInterrupt):
        synthetic.reproduce("smoke", {"random": [0]}, ["mle", "ss"], runs=runs, results=results, show_progress=False)
    assert len(calls) == 2 and (calls[0] / "run.json").exists()  # the first run finished, the second was killed
    assert json.loads((calls[0] / "run.json").read_text())["status"] == "complete"
    now = published()
    record = {f"synthetic/smoke/runs/mle_random_s0{x}" for x in (".csv", ".json", "_temperatures.csv")}
    assert {k for k in now if now[k] != before.get(k)} == record and set(before) <= set(now)
    interrupt[0] = False  # the same command again: the runs finish and the results are published
    synthetic.reproduce("smoke", {"random": [0]}, ["mle", "ss"], runs=runs, results=results, show_progress=False)
    after = published()
    replaced = {name for name in old if after[f"synthetic/smoke/{name}"] != old[name]}
    assert replaced == set(old) - {"notes.txt"}  # the files checked above are the ones a publication writes
    assert (dest / "runs" / "mle_random_s0.csv").read_bytes() == (calls[0] / "metrics.csv").read_bytes()


def test_publishing_only_rows_outside_figure2_writes_their_runs_and_no_empty_figure(tmp_path):
    from reproduction.publications import synthetic

    run = synthetic.run_dir(tmp_path / "runs", "paper", "ss-authors", "original", 0)
    run.mkdir(parents=True)
    (run / "metrics.csv").write_text("phase,epoch,x,nll_oracle,nll_test\nss,0,0,10.0,7.9\n")
    (run / "run.json").write_text("{}")
    from reproduction.sweeps import records

    (run / records.TEMPERATURES_FILE).write_text(  # its curve, as computed when it finished (no generator here)
        "temperature,nll_test,nll_oracle\n" + "".join(f"{t},9.0,9.0\n" for t in temperature_curve.TEMPERATURES))
    dest = tmp_path / "results" / "synthetic" / "paper"
    synthetic.publish("paper", "original", [0], ["ss-authors"], tmp_path / "runs", dest)
    assert (dest / "runs" / "ss-authors_original_s0.csv").read_text().startswith("phase,epoch")
    assert not list(dest.glob("figure2_*")) and not list(dest.glob("table1_*"))


@pytest.mark.slow
def test_reproduce_in_progress_draws_runs_as_far_as_they_have_got_and_the_full_publication_removes_it(
        tmp_path, monkeypatch, tiny_experiment, capsys, mirror):
    """A sweep killed inside SeqGAN's adversarial phase: `--in-progress` trains nothing and shows the SeqGAN run as
    far as it got (Figure 2, its log so far, a status table, and on the authors' oracle the authors' run beside
    it); MLE, not started, is left out. The finished sweep's publication then removes those files."""
    from reproduction.training import driver

    original = driver.Trainer.adversarial_step

    def dies_at_2(self, i):
        if i == 2:
            raise KeyboardInterrupt
        return original(self, i)

    runs, results = tmp_path / "runs", tmp_path / "results"
    sweep = ["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "--methods", "mle", "seqgan",
             "--strategies", "--datasets", "--runs", str(runs), "--results", str(results), "--no-progress"]
    monkeypatch.setattr(driver.Trainer, "adversarial_step", dies_at_2)
    assert main(sweep) == 130
    monkeypatch.setattr(driver.Trainer, "adversarial_step", original)
    assert main([*sweep, "--train-only", "--in-progress"]) == 2
    assert "exclude each other" in capsys.readouterr().err
    trained = {p: p.stat().st_mtime_ns for p in runs.rglob("*") if p.is_file()}
    assert main([*sweep, "--in-progress"]) == 0
    assert {p: p.stat().st_mtime_ns for p in runs.rglob("*") if p.is_file()} == trained  # nothing trained
    shown = results / "synthetic" / "smoke" / "in_progress"
    assert sorted(p.name for p in shown.rglob("*") if p.is_file()) == [
        "figure2_random.pdf", "figure2_random.png", "progress_random.md", "seqgan_random_s0.csv"]
    killed = runs / "smoke" / "seqgan-random-s0"
    assert (shown / "runs" / "seqgan_random_s0.csv").read_bytes() == (killed / "metrics.csv").read_bytes()
    progress = (shown / "progress_random.md").read_text()
    assert "| smoke/seqgan-random-s0 | in progress | adversarial | 2/" in progress
    assert "| smoke/mle-random-s0 | not started |" in progress and "--in-progress" in progress

    from reproduction.publications import synthetic  # on the authors' oracle: the authors' run beside ours

    as_original = synthetic.run_dir(runs, "smoke", "seqgan", "original", 0)
    as_original.mkdir()
    for name in ("metrics.csv", "run.json"):
        (as_original / name).write_bytes((killed / name).read_bytes())
    synthetic.publish_in_progress("smoke", {"original": [0]}, ["seqgan"], runs, results, "status", "cmd", mirror)
    text = (shown / "progress_original.md").read_text()
    assert "## SeqGAN seed 0 against the authors' run log" in text and "| batch 0 | 9.085 |" in text

    assert main(sweep) == 0  # finished: the full publication replaces what was shown in progress
    assert (results / "synthetic" / "smoke" / "figure2_random.png").exists()
    assert sorted(p.name for p in shown.rglob("*") if p.is_file()) == [
        "figure2_original.pdf", "figure2_original.png", "progress_original.md", "seqgan_original_s0.csv"]


@pytest.mark.parametrize("strategies", [[], ["c", "d"]])
def test_reproduce_in_progress_with_nothing_started_is_a_clear_error(tmp_path, capsys, strategies):
    assert main(["reproduce", "--in-progress", "--profile", "smoke", "--seeds", "--random-seeds", "0", "--methods",
                 "seqgan", "--strategies", *strategies, "--datasets", "--runs", str(tmp_path / "runs"), "--results",
                 str(tmp_path / "results")]) == 2
    err = capsys.readouterr().err
    assert "no run of Figure 3's strategies has finished" in err and "nothing to show (is --runs right?)" in err
    assert not (tmp_path / "results" / "synthetic" / "smoke" / "in_progress").exists()
