"""Records (sweeps/records.py): a run finished in one session is published, not retrained, in a later one
whose runs/ is empty (another machine); a record that does not match the run asked for is never used."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from scipy import stats

from reproduction.cli import main
from reproduction.io_utils import save_npz
from reproduction.metrics.stats import pool_moments, welch_p_from_moments, welch_p_value
from reproduction.sweeps import records
from reproduction.training import temperature_curve
from tests.conftest import tiny_config


@pytest.fixture
def tiny_experiment(monkeypatch):
    from reproduction import config

    monkeypatch.setattr(config, "make_config", lambda method, profile="paper", **kw: tiny_config(method=method, **kw))


@pytest.mark.slow
def test_a_later_session_with_empty_runs_publishes_the_same_table_from_records_without_training(
        tmp_path, tiny_experiment, monkeypatch, capsys):
    results = tmp_path / "results"
    args = ["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "--strategies", "d",
            "--datasets", "--methods", "mle", "seqgan", "--results", str(results), "--no-progress"]
    assert main([*args, "--runs", str(tmp_path / "session1")]) == 0
    dest = results / "synthetic" / "smoke"
    first, figure3 = (dest / "table1_random.csv").read_text(), (dest / "figure3.csv").read_text()
    assert json.loads((dest / "runs" / "figure3_d_random_s0.json").read_text())["status"] == "complete"
    assert json.loads((dest / "runs" / "mle_random_s0.json").read_text())["final_nll"]["n"] == 64
    assert (dest / "runs" / "mle_random_s0_temperatures.csv").exists()  # the frontier's curve, for MLE only
    assert not (dest / "runs" / "seqgan_random_s0_temperatures.csv").exists()

    from reproduction.training import driver

    def no_training(*a, **k):
        raise AssertionError("a run with a record was trained again")

    monkeypatch.setattr(driver.Trainer, "run", no_training)
    capsys.readouterr()
    session2 = tmp_path / "session2"  # a new machine: runs/ is empty
    assert main([*args, "--runs", str(session2), "--status"]) == 0
    assert "3 of 3 runs complete" in capsys.readouterr().out
    assert not session2.exists()  # the status wrote nothing into runs/
    for _ in range(2):  # the second time the runs are already back in runs/: still counted as restored
        assert main([*args, "--runs", str(session2)]) == 0
        out, err = capsys.readouterr()
        assert "plan: 3 runs; 3 restored from their records; 0 to train" in err
        assert out.startswith("3 run(s) restored from their records, 0 trained; results written to")
    assert (dest / "table1_random.csv").read_text() == first  # p (sequences) too, from the records' moments
    assert (dest / "figure3.csv").read_text() == figure3  # Figure 3's runs too
    restored = json.loads((tmp_path / "session2" / "smoke" / "seqgan-random-s0" / "run.json").read_text())
    assert restored["restored_from"].endswith("seqgan_random_s0.json")
    assert "restored_from" not in json.loads((dest / "runs" / "seqgan_random_s0.json").read_text())

    # --retrain ignores the records, and the runs they restored into this runs/: every run is trained again (here:
    # refused, so the sweep stops at the first); its status says so first, and the records stay
    assert main([*args, "--runs", str(session2), "--status", "--retrain"]) == 0
    assert "0 of 3 runs complete" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="trained again"):
        main([*args, "--runs", str(session2), "--retrain"])
    assert "records ignored (--retrain); 3 to train" in capsys.readouterr().err
    assert not (session2 / "smoke" / "mle-random-s0" / "run.json").exists()
    assert (dest / "runs" / "mle_random_s0.json").exists() and (dest / "table1_random.csv").read_text() == first


def _finished_run(path, cfg, with_curve=False):
    path.mkdir(parents=True)
    (path / "metrics.csv").write_text("phase,epoch,x,nll_oracle,nll_test\nmle,0,0,9.5,9.0\n")
    (path / "run.json").write_text(json.dumps({"status": "complete", "config": cfg.to_dict(),
                                               "final_nll": {"n": 4, "mean": 9.4, "variance": 0.1}}))
    save_npz(path / records.SAMPLES_FILE, {"tokens": np.array([[1, 2], [1, 2], [3, 4]])})
    if with_curve:
        rows = "".join(f"{t},9.0,{9.5 - t / 10}\n" for t in temperature_curve.TEMPERATURES)  # computed when it finished
        (path / records.TEMPERATURES_FILE).write_text("temperature,nll_test,nll_oracle\n" + rows)
    return path


def test_a_record_of_another_configuration_or_without_its_curve_is_not_restored(tmp_path):
    cfg = tiny_config(method="mle", seed=1)
    stem = tmp_path / "records" / "mle_random_s1"
    records.write(_finished_run(tmp_path / "done", cfg, with_curve=False), stem)
    assert not records.restore(stem, tmp_path / "a", tiny_config(method="mle", seed=2))  # another seed
    assert not (tmp_path / "a").exists()
    assert not records.restore(stem, tmp_path / "b", cfg, extras=("temperatures",))  # the frontier needs its curve
    assert records.restore(stem, tmp_path / "c", cfg)
    assert records.finished(tmp_path / "c") and records.final_nll_moments(tmp_path / "c")["n"] == 4
    assert records.final_distinct(tmp_path / "c") == {"n": 3, "distinct": 2}  # counted when written, kept
    assert not records.restore(stem, tmp_path / "c", cfg)  # a run directory in use is never overwritten


def test_an_unusable_record_is_named_with_its_reason_before_the_run_is_trained(tmp_path, capsys):
    from reproduction.sweeps.plan import RunSpec
    from reproduction.sweeps.sweep import restore_records

    cfg = tiny_config(method="mle", seed=1)
    stem = tmp_path / "records" / "mle_random_s1"
    records.write(_finished_run(tmp_path / "done", cfg, with_curve=False), stem)
    assert records.unusable(stem, cfg) is None
    assert records.unusable(tmp_path / "records" / "none", cfg) == "there is none"
    assert records.unusable(stem, cfg, ("temperatures",)) == "it lacks mle_random_s1_temperatures.csv"
    other = dataclasses.replace(cfg, seed=2, adam="keras")
    assert records.unusable(stem, other) == ("it is of another configuration "
                                             "(adam: 'fused', not 'keras', seed: 1, not 2)")
    specs = [RunSpec(other, tmp_path / "a", record=stem), RunSpec(cfg, tmp_path / "b", record=stem)]
    assert restore_records(specs) == specs[1:]
    err = capsys.readouterr().err
    assert f"{tmp_path / 'a'}: its record {stem}.json is not used, so the run is trained: it is of another" in err
    assert not (tmp_path / "a").exists() and records.finished(tmp_path / "b")


def test_a_record_whose_curve_or_samples_are_not_its_runs_own_is_refused(tmp_path):
    cfg = tiny_config(method="mle", seed=1)
    stem = tmp_path / "records" / "mle_random_s1"
    extras = ("temperatures", "samples")
    records.write(_finished_run(tmp_path / "done", cfg, with_curve=True), stem, extras)
    assert records.unusable(stem, cfg, extras) is None
    sealed = json.loads(stem.with_suffix(".json").read_text())["extras_sha256"]
    assert set(sealed) == set(extras)
    curve = stem.with_name(stem.name + "_temperatures.csv")
    curve.write_text(curve.read_text().replace(",9.0,", ",9.1,"))  # an older run's curve beside this record
    assert records.unusable(stem, cfg, extras).startswith("mle_random_s1_temperatures.csv is not what its run wrote")
    assert records.unusable(stem, cfg, ("samples",)) is None  # (the samples are still its own)
    assert not records.restore(stem, tmp_path / "a", cfg, extras)
    save_npz(stem.with_name(stem.name + "_samples.npz"), {"tokens": np.array([[1, 2], [3, 4], [3, 4]])})
    assert "_samples.npz is not what its run wrote" in records.unusable(stem, cfg, ("samples",))


def test_a_restored_record_is_written_back_unchanged_and_an_unsealed_one_stays_unsealed(tmp_path):
    cfg = tiny_config(method="mle", seed=1)
    sealed, unsealed = tmp_path / "records" / "sealed", tmp_path / "records" / "unsealed"
    records.write(_finished_run(tmp_path / "done", cfg, with_curve=True), sealed, ("temperatures", "samples"))
    records.write(tmp_path / "done", unsealed)  # (no extras: nothing to seal)
    for extra in ("_temperatures.csv", "_samples.npz"):  # an old record: extras, and no seal
        (tmp_path / "records" / f"unsealed{extra}").write_bytes((tmp_path / "records" / f"sealed{extra}").read_bytes())
    for stem in (sealed, unsealed):
        before = stem.with_suffix(".json").read_bytes()
        assert records.restore(stem, tmp_path / stem.name, cfg, ("temperatures", "samples"))
        records.write(tmp_path / stem.name, stem, ("temperatures", "samples"))
        assert stem.with_suffix(".json").read_bytes() == before  # republishing leaves git status clean
    assert "extras_sha256" not in json.loads(unsealed.with_suffix(".json").read_text())


def test_an_unfinished_run_keeps_no_record(tmp_path, monkeypatch):
    from reproduction.sweeps import sweep
    from reproduction.sweeps.plan import RunSpec

    cfg = tiny_config(method="mle")
    run = _finished_run(tmp_path / "run", cfg)
    meta = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**meta, "status": "running"}))
    sweep._keep_record(RunSpec(cfg, run, record=tmp_path / "rec"), None)
    assert not (tmp_path / "rec.json").exists()


def test_a_runs_temperature_curve_is_computed_once_and_read_back(tmp_path, monkeypatch):
    calls = []

    def curve(run, **_):
        calls.append(run)
        return [(t, 9.0 + t / 3, 8.0 + t / 7) for t in temperature_curve.TEMPERATURES]

    monkeypatch.setattr(temperature_curve, "temperature_curve", curve)
    run = tmp_path / "run"
    run.mkdir()
    first = temperature_curve.run_curve(run)
    assert temperature_curve.run_curve(run) == pytest.approx(first) and len(calls) == 1
    assert first == pytest.approx(curve(run))


def test_pooled_moments_give_the_welch_p_of_the_concatenated_samples():
    rng = np.random.default_rng(0)
    a = [rng.normal(9.0, 1.0, n) for n in (50, 80)]
    b = [rng.normal(9.2, 1.3, n) for n in (60, 40)]

    def moments(x):
        return {"n": x.size, "mean": float(x.mean()), "variance": float(x.var(ddof=1))}

    pa, pb = pool_moments([moments(x) for x in a]), pool_moments([moments(x) for x in b])
    assert pa["variance"] == pytest.approx(float(np.concatenate(a).var(ddof=1)))
    assert welch_p_from_moments(pa, pb) == pytest.approx(welch_p_value(np.concatenate(a), np.concatenate(b)))
    assert welch_p_from_moments(pa, pb) == pytest.approx(
        stats.ttest_ind(np.concatenate(a), np.concatenate(b), equal_var=False).pvalue)


@pytest.mark.slow
def test_train_only_keeps_the_records_and_publishes_no_table(tmp_path, tiny_experiment):
    results = tmp_path / "results"
    assert main(["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "--strategies", "--datasets",
                 "--methods", "mle", "seqgan", "--results", str(results), "--runs", str(tmp_path / "runs"),
                 "--no-progress", "--train-only"]) == 0
    written = sorted(p.relative_to(results).as_posix() for p in results.rglob("*") if p.is_file())
    assert written == [f"synthetic/smoke/runs/{name}" for name in (
        "mle_random_s0.csv", "mle_random_s0.json", "mle_random_s0_temperatures.csv",
        "seqgan_random_s0.csv", "seqgan_random_s0.json")]


def test_a_recorded_configuration_without_the_adam_field_reads_as_keras_adam():
    """Runs recorded before the fused Adam existed used Keras's update; other missing fields take defaults."""
    from reproduction.config import RunConfig

    stored = tiny_config(method="seqgan", adam="keras").to_dict()
    for new_field in ("adam", "reward", "ss_coin", "bleu_rule", "reward_references", "dataset"):
        stored.pop(new_field)
    assert RunConfig.from_dict(stored) == tiny_config(method="seqgan", adam="keras")
    assert RunConfig.from_dict(tiny_config(method="seqgan").to_dict()).adam == "fused"


def test_table1_says_why_p_sequences_is_blank_when_a_record_lacks_the_final_samples(tmp_path):
    from reproduction.publications import table1

    def run(name, finals, moments):
        runs = []
        for seed, final in enumerate(finals):
            path = tmp_path / f"{name}-{seed}"
            path.mkdir()
            (path / "metrics.csv").write_text(f"phase,epoch,x,nll_oracle,nll_test\nmle,0,0,10,7.7\nadv,1,1,{final},9\n")
            kept = {"final_nll": {"n": 10, "mean": final, "variance": 0.5}} if moments else {}
            meta = {"status": "complete", **kept}
            (path / "run.json").write_text(json.dumps(meta))
            runs.append(path)
        return runs

    dirs = {"seqgan": run("seqgan", [8.7, 8.8], True), "mle": run("mle", [9.0, 9.1], False)}
    rows = table1.build("quick", "original", [0, 1], ["mle", "seqgan"], lambda v, s: dirs[v][s])
    mle = next(r for r in rows if r["method"] == "mle")
    assert not np.isnan(mle["p_vs_seqgan_seeds"]) and np.isnan(mle["p_vs_seqgan_sequences"])
    table1.write(tmp_path, "original", rows)
    assert "p (sequences) is blank where" in (tmp_path / "table1_original.md").read_text()
    dirs["mle"] = run("mle-kept", [9.0, 9.1], True)  # every record keeps its moments: no note
    rows = table1.build("quick", "original", [0, 1], ["mle", "seqgan"], lambda v, s: dirs[v][s])
    table1.write(tmp_path, "original", rows)
    assert "p (sequences) is blank" not in (tmp_path / "table1_original.md").read_text()
