"""Records (experiments/records.py): a run finished in one session is published, not retrained, in a later one
whose runs/ is empty (another machine); a record that does not match the run asked for is never used."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from reproduction.cli import main
from reproduction.experiments import frontier, records
from reproduction.metrics.stats import pool_moments, welch_p_from_moments, welch_p_value
from tests.conftest import tiny_config


@pytest.fixture
def tiny_experiment(monkeypatch):
    from reproduction import config

    monkeypatch.setattr(config, "make_config", lambda method, profile="paper", **kw: tiny_config(method=method, **kw))


@pytest.mark.slow
def test_a_later_session_with_empty_runs_publishes_the_same_table_from_records_without_training(
        tmp_path, tiny_experiment, monkeypatch):
    results = tmp_path / "results"
    args = ["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "1", "--strategies", "--datasets",
            "--methods", "mle", "seqgan", "--results", str(results), "--no-progress"]
    assert main([*args, "--runs", str(tmp_path / "session1")]) == 0
    dest = results / "synthetic" / "smoke"
    first = (dest / "table1_random.csv").read_text()
    assert json.loads((dest / "runs" / "mle_random_s0.json").read_text())["final_nll"]["n"] == 64
    assert (dest / "runs" / "mle_random_s1_temperatures.csv").exists()  # the frontier's curve, for MLE only
    assert not (dest / "runs" / "seqgan_random_s0_temperatures.csv").exists()

    from reproduction.training import driver

    def no_training(*a, **k):
        raise AssertionError("a run with a record was trained again")

    monkeypatch.setattr(driver.Trainer, "run", no_training)
    assert main([*args, "--runs", str(tmp_path / "session2")]) == 0  # a new machine: runs/ is empty
    assert (dest / "table1_random.csv").read_text() == first  # p (sequences) too, from the records' moments
    restored = json.loads((tmp_path / "session2" / "smoke" / "seqgan-random-s1" / "run.json").read_text())
    assert restored["restored_from"].endswith("seqgan_random_s1.json")
    assert "restored_from" not in json.loads((dest / "runs" / "seqgan_random_s1.json").read_text())


def _finished_run(path, cfg, with_curve=False):
    path.mkdir(parents=True)
    (path / "metrics.csv").write_text("phase,epoch,x,nll_oracle,nll_test\nmle,0,0,9.5,9.0\n")
    (path / "run.json").write_text(json.dumps({"status": "complete", "config": cfg.to_dict(),
                                               "final_nll": {"n": 4, "mean": 9.4, "variance": 0.1}}))
    if with_curve:
        (path / records.TEMPERATURES_FILE).write_text("temperature,nll_test,nll_oracle\n1.0,9.0,9.5\n")
    return path


def test_a_record_of_another_configuration_or_without_its_curve_is_not_restored(tmp_path):
    cfg = tiny_config(method="mle", seed=1)
    stem = tmp_path / "records" / "mle_random_s1"
    records.write(_finished_run(tmp_path / "done", cfg, with_curve=False), stem)
    assert not records.restore(stem, tmp_path / "a", tiny_config(method="mle", seed=2))  # another seed
    assert not (tmp_path / "a").exists()
    assert not records.restore(stem, tmp_path / "b", cfg, temperatures=True)  # the frontier needs its curve
    assert records.restore(stem, tmp_path / "c", cfg)
    assert records.finished(tmp_path / "c") and records.final_nll_moments(tmp_path / "c")["n"] == 4
    assert not records.restore(stem, tmp_path / "c", cfg)  # a run directory in use is never overwritten


def test_an_unfinished_run_keeps_no_record(tmp_path, monkeypatch):
    from reproduction.experiments import sweep

    cfg = tiny_config(method="mle")
    run = _finished_run(tmp_path / "run", cfg)
    meta = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**meta, "status": "running"}))
    sweep._keep_record(sweep.RunSpec(cfg, run, record=tmp_path / "rec"), None)
    assert not (tmp_path / "rec.json").exists()


def test_a_runs_temperature_curve_is_computed_once_and_read_back(tmp_path, monkeypatch):
    calls = []

    def curve(run, **_):
        calls.append(run)
        return [(t, 9.0 + t / 3, 8.0 + t / 7) for t in frontier.TEMPERATURES]

    monkeypatch.setattr(frontier, "temperature_curve", curve)
    run = tmp_path / "run"
    run.mkdir()
    first = frontier.run_curve(run)
    assert frontier.run_curve(run) == pytest.approx(first) and len(calls) == 1
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
