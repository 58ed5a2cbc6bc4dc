"""`oracle-spread`: one Table 1 row on several random oracles, with each oracle's own NLL."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from reproduction.cli import main


@pytest.fixture
def tiny_rows(monkeypatch):
    from reproduction import config
    from tests.conftest import tiny_config

    monkeypatch.setattr(config, "make_config", lambda method, profile="paper", **kw: tiny_config(method=method, **kw))


def test_oracle_spread_trains_each_oracle_and_reports_its_own_nll_and_the_spread(tmp_path, tiny_rows, capsys):
    runs, results = tmp_path / "runs", tmp_path / "results"
    command = ["oracle-spread", "--profile", "smoke", "--method", "ss-authors", "--oracle-seeds", "1", "2",
               "--results", str(results), "--no-progress"]
    assert main([*command, "--runs", str(runs)]) == 0
    dest = results / "synthetic" / "smoke"
    assert capsys.readouterr().out.strip() == f"0 run(s) restored from their records, 2 trained; results written " \
                                              f"to {dest / 'oracle_spread_ss-authors.md'}"
    with open(dest / "oracle_spread_ss-authors.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["oracle_seed"] for r in rows] == ["1", "2"]  # no published-oracle run in Table 1: random ones only
    assert {r["method"] for r in rows} == {"ss-authors"}
    for r in rows:
        run = runs / "smoke" / f"ss-authors-random-oracle{r['oracle_seed']}-s0"
        meta = json.loads((run / "run.json").read_text())
        assert meta["status"] == "complete" and meta["config"]["oracle_seed"] == int(r["oracle_seed"])
        logged = csv.DictReader((run / "metrics.csv").read_text().splitlines())
        curve = [float(x["nll_oracle"]) for x in logged if x["nll_oracle"]]
        assert float(r["best"]) == pytest.approx(min(curve)) and float(r["final"]) == pytest.approx(curve[-1])
        assert float(r["best_above_own"]) == pytest.approx(float(r["best"]) - float(r["oracle_own_nll"]))
    own = [float(r["oracle_own_nll"]) for r in rows]
    assert own[0] != own[1]  # two oracles, two entropy rates
    best = [float(r["best"]) for r in rows]
    text = (dest / "oracle_spread_ss-authors.md").read_text()
    for k in (1, 2):  # provenance: each run's log and run.json beside the table, its commit and wall time in it
        run = runs / "smoke" / f"ss-authors-random-oracle{k}-s0"
        copied = dest / "runs" / f"oracle_spread_{run.name}"
        assert copied.with_suffix(".csv").read_bytes() == (run / "metrics.csv").read_bytes()
        meta = json.loads(copied.with_suffix(".json").read_text())
        assert f"`{meta['commit'][:12]}` |" in text
        assert f"| {meta['summary']['wall_seconds'] / 60:.0f} |" in text
    assert f"range {max(best) - min(best):.3f}" in text and "| random N(0, 1), seed 2 |" in text
    # another session, runs/ gone: every run comes back from its record and the same files are written again
    published = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    assert main([*command, "--runs", str(tmp_path / "runs2")]) == 0
    captured = capsys.readouterr()
    assert "plan: 2 runs; 2 restored from their records; 0 to train" in captured.err
    assert captured.out.startswith("2 run(s) restored from their records, 0 trained;")
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == published


def test_oracle_own_nll_is_what_the_oracle_scores_its_held_out_samples():
    from reproduction.training.components import load_data, oracle_own_nll
    from tests.conftest import tiny_config

    cfg = tiny_config(method="mle", oracle="random", oracle_seed=3)
    _, held_out, oracle, _ = load_data(cfg, None)
    assert oracle_own_nll(cfg) == pytest.approx(float(oracle.sequence_nll(held_out).mean()))
    fresh = oracle.sample(2000, np.array([5, 6], np.int32))  # a new draw scores about the same: an entropy rate
    assert float(oracle.sequence_nll(fresh).mean()) == pytest.approx(oracle_own_nll(cfg), abs=0.1)


def test_the_published_oracle_row_joins_only_when_its_run_differs_in_nothing_but_the_oracle(tmp_path):
    from reproduction.config import RunConfig
    from reproduction.publications.oracle_spread import _same_but_oracle
    from tests.conftest import tiny_config

    def write(name: str, cfg: RunConfig, status: str = "complete"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text(json.dumps({"status": status, "config": cfg.to_dict()}))
        return tmp_path / name

    random_run = write("random", tiny_config(method="ss", oracle="random", oracle_seed=4))
    assert _same_but_oracle(write("same", tiny_config(method="ss", oracle="original")), random_run)
    assert not _same_but_oracle(write("other-adam", tiny_config(method="ss", oracle="original", adam="keras")),
                                random_run)
    assert not _same_but_oracle(write("running", tiny_config(method="ss", oracle="original"), "in progress"),
                                random_run)
    assert not _same_but_oracle(tmp_path / "absent", random_run)


def test_oracle_spread_refuses_a_repeated_oracle_seed(capsys):
    assert main(["oracle-spread", "--oracle-seeds", "1", "1"]) == 2
    assert "repeats a seed" in capsys.readouterr().err
