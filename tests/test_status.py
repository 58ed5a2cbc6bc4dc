"""`status`: where each run of a sweep stands, read from the run directories alone."""

from __future__ import annotations

import json

import pytest

from reproduction.cli import main
from reproduction.training import driver
from tests.conftest import tiny_config


def test_status_names_finished_runs_and_where_an_interrupted_one_stands(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs" / "smoke"
    driver.train(tiny_config(seed=0), runs / "seqgan-done", show_progress=False)
    original = driver.Trainer.adversarial_step

    def dies_at_2(self, i):
        if i == 2:
            raise KeyboardInterrupt
        return original(self, i)

    monkeypatch.setattr(driver.Trainer, "adversarial_step", dies_at_2)
    with pytest.raises(KeyboardInterrupt):
        driver.train(tiny_config(seed=1), runs / "seqgan-killed", show_progress=False)
    capsys.readouterr()
    assert main(["status", "--runs", str(tmp_path / "runs"), "--json"]) == 0
    done, killed = json.loads(capsys.readouterr().out)
    assert (done["run"], done["status"]) == ("seqgan-done", "complete")
    schedule = tiny_config().schedule
    assert (killed["status"], killed["phase"], killed["step"], killed["steps"]) == (
        "in progress", "adversarial", 2, schedule.adv_batches)  # evaluated after batches 0 and 1
    assert killed["phase_hours_left"] >= 0


def test_status_of_a_missing_runs_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["status", "--runs", str(tmp_path / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err


UNIT = {"mle_epoch": 1.0, "ss_epoch": 2.0, "evaluation": 0.5, "g_step": 3.0, "pgbleu_g_step": 1.0,
        "sample_per_sequence": 0.001, "d_per_sequence": 0.002}  # seconds, made up for the test


def test_a_sweeps_status_prices_each_shared_pretraining_once_and_what_is_left_of_every_run(tmp_path):
    from reproduction.bench.report import phase_seconds
    from reproduction.publications import synthetic
    from reproduction.sweeps.status import plan_status

    seqgan, mle, _ = specs = synthetic.plan("smoke", {"random": [0]}, ["seqgan", "mle", "ss"], tmp_path / "runs")
    hours = {spec.cfg.method: phase_seconds(spec.cfg, UNIT) for spec in specs}
    rows = plan_status(specs, UNIT)
    assert [r["status"] for r in rows] == ["not started"] * 3
    assert [r["hours_left"] * 3600 for r in rows] == pytest.approx([
        sum(hours["seqgan"].values()),  # the first run pays for the MLE pretraining it shares with the second
        hours["mle"]["mle_continued"], hours["ss"]["ss"]])

    snapshot = seqgan.snapshot()
    snapshot.parent.mkdir(parents=True)
    snapshot.write_bytes(b"")  # the shared MLE pretraining exists: nobody pays for it
    mle.out.mkdir(parents=True)
    (mle.out / "run.json").write_text(json.dumps({"status": "complete", "summary": {"wall_seconds": 7200}}))
    rows = plan_status(specs, UNIT)
    assert rows[0]["hours_left"] * 3600 == pytest.approx(hours["seqgan"]["d_pretrain"] + hours["seqgan"]["adversarial"])
    assert (rows[1]["status"], rows[1]["hours"], rows[1]["hours_left"]) == ("complete", 2.0, 0.0)
    assert [r["hours_left"] for r in plan_status(specs, None)] == [None, 0.0, None]  # no bench: not priced


def test_the_hours_trained_count_a_shared_pretraining_once(tmp_path):
    """A run's wall time includes the seconds of the shared pretraining it restored; the sweep's hours trained (what
    retraining it costs) keep them for the first run with that snapshot only."""
    from reproduction.publications import synthetic
    from reproduction.sweeps.status import plan_markdown, plan_status

    specs = synthetic.plan("smoke", {"random": [0]}, ["seqgan", "mle", "ss"], tmp_path / "runs")
    assert specs[0].snapshot() == specs[1].snapshot() and specs[2].snapshot() is None
    phases = {"seqgan": {"mle": 1800.0, "d_pretrain": 360.0, "adversarial": 3600.0},
              "mle": {"mle": 1800.0, "mle_continued": 900.0}, "ss": {"ss": 540.0}}
    for spec in specs:
        spec.out.mkdir(parents=True)
        summary = {"wall_seconds": sum(phases[spec.cfg.method].values()), "phase_seconds": phases[spec.cfg.method]}
        (spec.out / "run.json").write_text(json.dumps({"status": "complete", "summary": summary}))
    rows = plan_status(specs, None)
    assert [r["hours"] * 3600 for r in rows] == pytest.approx([5760.0, 900.0, 540.0])  # MLE's pretraining: SeqGAN's
    assert "3 of 3 runs complete, 2.0 hours trained so far" in plan_markdown(rows, "test")


def test_reproduce_status_lists_the_sweep_without_training_and_says_how_it_priced_it(tmp_path, capsys):
    args = ["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "--methods", "mle", "seqgan",
            "--strategies", "--datasets", "--runs", str(tmp_path / "runs"), "--results", str(tmp_path / "res"),
            "--status"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "| smoke/seqgan-random-s0 | not started |" in out and "| smoke/mle-random-s0 | not started |" in out
    assert "0 of 2 runs complete" in out and "`make bench` writes it" in out and "not priced" in out
    assert not (tmp_path / "runs").exists()  # nothing trained

    rows = [{"key": key, "ours": [seconds]} for key, seconds in (
        ("mle_epoch", 1.0), ("ss_epoch", 2.0), ("evaluation", 0.5), ("g_step", 3.0), ("pgbleu_g_step", 1.0),
        ("sampling", 10.0), ("d_epoch", 40.0))]
    bench = {"rows": rows, "config": {"schedule": {"eval_samples": 10_000, "d_positives": 10_000,
                                                   "d_negatives": 10_000}},
             "when": "2026-11-23T03:43:30+00:00", "machine": {"cpu": "Some CPU"}}
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "bench.json").write_text(json.dumps(bench))
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "not priced" not in out and "of 2026-11-23 on Some CPU" in out


def test_a_synthetic_run_whose_other_seeds_finished_is_priced_by_their_own_phases_and_the_bench_for_the_shared(
        tmp_path):
    from reproduction.bench.report import phase_seconds
    from reproduction.publications import figure3
    from reproduction.sweeps.status import plan_status

    runs = tmp_path / "runs"
    first, second = figure3.plan("smoke", ["d"], "original", [0, 1], runs, tiny_config())
    first.out.mkdir(parents=True)
    (first.out / "run.json").write_text(json.dumps({"status": "complete", "summary": {"wall_seconds": 7203.0,
        "phase_seconds": {"mle": 1.0, "d_pretrain": 2.0, "adversarial": 7200.0}}}))  # restored its pretraining
    bench = phase_seconds(second.cfg, UNIT)
    row = plan_status([first, second], UNIT)[1]
    assert row["hours_left"] * 3600 == pytest.approx(bench["mle"] + bench["d_pretrain"] + 7200.0)


def test_a_real_data_run_is_priced_by_the_finished_runs_of_its_corpus_and_method(tmp_path):
    from reproduction.sweeps.status import measured_phases

    runs = tmp_path / "quick"
    for seed, adversarial in ((0, 900.0), (1, 1000.0), (3, 5000.0)):
        (runs / f"poems-seqgan-s{seed}").mkdir(parents=True)
        (runs / f"poems-seqgan-s{seed}" / "run.json").write_text(json.dumps({"status": "complete", "summary": {
            "phase_seconds": {"mle": 40.0, "d_pretrain": 90.0, "adversarial": adversarial}}}))
    (runs / "poems-seqgan-slow-s0").mkdir()  # another name that starts the same: not one of the seeds
    (runs / "poems-seqgan-slow-s0" / "run.json").write_text(json.dumps({"status": "complete", "summary": {
        "phase_seconds": {"mle": 1.0, "d_pretrain": 1.0, "adversarial": 1.0}}}))
    (runs / "poems-seqgan-s4").mkdir()
    (runs / "poems-seqgan-s4" / "run.json").write_text(json.dumps({"status": "in progress"}))
    assert measured_phases(runs / "poems-seqgan-s2") == {"mle": 40.0, "d_pretrain": 90.0, "adversarial": 1000.0}
    assert measured_phases(runs / "poems-mle-s2") is None and measured_phases(runs / "obama-seqgan-s0") is None


def test_a_real_data_run_no_finished_run_prices_is_priced_by_the_committed_records_of_its_seeds(tmp_path):
    """A fresh clone (or --retrain): no run directory has finished, so the records in results/ price the plan."""
    from reproduction.config import make_config
    from reproduction.publications import real_world
    from reproduction.sweeps.plan import RunSpec
    from reproduction.sweeps.status import plan_status

    runs, results = tmp_path / "runs", tmp_path / "results"
    cfg = make_config("seqgan", "quick", dataset="poems")
    specs = [RunSpec(cfg, real_world.run_dir(runs, "quick", "poems", "seqgan", s), None,
                     real_world.record(results, "poems", "quick", "seqgan", s)) for s in (0, 1)]
    specs.append(RunSpec(make_config("mle", "quick", dataset="poems"),
                         real_world.run_dir(runs, "quick", "poems", "mle", 0), None,
                         real_world.record(results, "poems", "quick", "mle", 0)))
    records = specs[0].record.parent
    records.mkdir(parents=True)
    for seed, adversarial in ((0, 900.0), (1, 1000.0), (2, 5000.0)):
        (records / f"seqgan_s{seed}.json").write_text(json.dumps({"status": "complete", "summary": {
            "phase_seconds": {"mle": 40.0, "d_pretrain": 90.0, "adversarial": adversarial}}}))
    (records / "seqgan_s3.json").write_text("{damaged")  # unreadable: no price from it, and no error
    (records / "seqgan-x_s0.json").write_text(json.dumps({"status": "complete", "summary": {
        "phase_seconds": {"mle": 1.0}}}))  # another row's record
    hours = [r["hours_left"] for r in plan_status(specs, None)]
    assert hours[0] * 3600 == hours[1] * 3600 == pytest.approx(40.0 + 90.0 + 1000.0)
    assert hours[2] is None  # MLE has no record of any seed: not priced


def test_a_real_data_run_nothing_has_measured_is_priced_by_the_bench_units_moved_to_its_shapes(tmp_path):
    """No finished seed and no record (COCO's first quick run, any real-data run under `paper`): the bench's units,
    scaled by each unit's matrix-product work to the run's shapes, price it roughly, and the row says so."""
    import dataclasses

    from reproduction.bench.report import phase_seconds, units_at
    from reproduction.config import make_config
    from reproduction.publications import real_world
    from reproduction.sweeps.plan import RunSpec
    from reproduction.sweeps.status import plan_markdown, plan_status

    bench = make_config("seqgan", "paper")
    assert units_at(bench, UNIT, bench) == pytest.approx(UNIT)  # at the bench's own shapes: its own prices
    longer = dataclasses.replace(bench, shape=dataclasses.replace(bench.shape, seq_len=2 * bench.shape.seq_len))
    moved = units_at(longer, UNIT, bench)
    assert moved["sample_per_sequence"] == pytest.approx(2 * UNIT["sample_per_sequence"])
    assert moved["d_per_sequence"] > 2 * UNIT["d_per_sequence"]  # more windows per filter, as many filters

    cfg = make_config("seqgan", "quick", dataset="coco")
    spec = RunSpec(cfg, real_world.run_dir(tmp_path / "runs", "quick", "coco", "seqgan", 0), None,
                   real_world.record(tmp_path / "results", "coco", "quick", "seqgan", 0))
    row = plan_status([spec], UNIT, 1.5, bench)[0]
    expected = 1.5 * sum(phase_seconds(cfg, units_at(cfg, UNIT, bench)).values())
    assert (row["hours_left"] * 3600, row["by_flops"]) == (pytest.approx(expected), True)
    assert "(by FLOPs)" in plan_markdown([row], "test")
    done = {"run": "quick/coco-mle-s0", "status": "complete", "hours": 1.25, "hours_left": 0.0}
    total = plan_markdown([done, {**row, "hours": 0.5}], "test").splitlines()[-1]
    assert total.startswith(f"1 of 2 runs complete, 1.8 hours trained so far; about {row['hours_left']:.1f} hours left")
    from reproduction.cli.training import _plan_line

    assert "(1 of them roughly, by FLOPs" in _plan_line(1, 0, [row], False)  # the plan a sweep prints says so too
    assert plan_status([spec], UNIT)[0]["hours_left"] is None  # without the bench's configuration: not priced


def _finished(spec, phase_seconds: dict[str, float], finished: str) -> None:
    spec.out.mkdir(parents=True)
    (spec.out / "run.json").write_text(json.dumps({"status": "complete", "finished": finished, "summary": {
        "wall_seconds": sum(phase_seconds.values()), "phase_seconds": phase_seconds}}))


def test_bench_prices_are_scaled_by_the_pace_of_the_sweeps_last_finished_run(tmp_path):
    from reproduction.bench.report import phase_seconds
    from reproduction.publications import figure3
    from reproduction.sweeps.status import host_pace, plan_status

    c0, c1, d0 = figure3.plan("smoke", ["c", "d"], "original", [0, 1], tmp_path / "runs", tiny_config())[:3]
    assert host_pace([c0, c1, d0], UNIT) is None  # nothing measured yet
    bench_c, bench_d = phase_seconds(c0.cfg, UNIT), phase_seconds(d0.cfg, UNIT)
    _finished(c0, {"mle": 0.1, "d_pretrain": 0.1, "adversarial": 3 * bench_c["adversarial"]}, "2026-12-04T05:00")
    _finished(c1, {"mle": 0.1, "d_pretrain": 0.1, "adversarial": 2 * bench_c["adversarial"]}, "2026-12-05T05:00")
    pace, name = host_pace([c0, c1, d0], UNIT)
    assert (pace, name) == (pytest.approx(2.0), "smoke/figure3-c-original-s1")  # the later one; restored phases ignored
    row = plan_status([c0, c1, d0], UNIT, pace)[2]  # (d) on seed 0: its pretraining exists for (c) on seed 0
    assert row["hours_left"] * 3600 == pytest.approx(2.0 * bench_d["adversarial"])


def test_a_run_in_progress_gives_the_hosts_pace_from_its_current_phase(tmp_path):
    import numpy as np

    from reproduction.bench.report import phase_seconds
    from reproduction.publications import figure3
    from reproduction.sweeps.status import host_pace
    from reproduction.training.checkpoint import STATE_KEY

    c0, d0 = figure3.plan("smoke", ["c", "d"], "original", [0], tmp_path / "runs", tiny_config())
    _finished(c0, {"mle": 1.0, "d_pretrain": 1.0, "adversarial": 5 * phase_seconds(c0.cfg, UNIT)["adversarial"]},
              "2026-12-05T05:00")
    steps, bench = d0.cfg.schedule.adv_batches, phase_seconds(d0.cfg, UNIT)["adversarial"]
    d0.out.mkdir(parents=True)
    (d0.out / "run.json").write_text(json.dumps({"status": "running", "config": d0.cfg.to_dict()}))
    state = {"phase": "adversarial", "step": 2, "wall": 100.0,
             "phase_seconds": {"adversarial": 2 * 1.5 * bench / steps}}  # 1.5x the bench per step
    np.savez(d0.out / "checkpoint.npz", **{STATE_KEY: np.frombuffer(json.dumps(state).encode(), dtype=np.uint8)})
    pace, name = host_pace([c0, d0], UNIT)  # the run going now, not the one finished before
    assert (pace, name) == (pytest.approx(1.5), "smoke/figure3-d-original-s0's adversarial so far")
