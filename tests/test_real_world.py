"""Real-world experiments: the metrics without an oracle, configuration checks, and MLE against SeqGAN end to
end on each corpus (tiny models, the real data from the mirror) with the table, curve and samples."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from reproduction.cli import main
from reproduction.config import make_config
from reproduction.errors import UserError
from reproduction.experiments import real_world
from reproduction.metrics.real_data import evaluate, nearest_mse, trim
from reproduction.training.driver import train
from tests.conftest import TINY_DISC, TINY_SCHEDULE, tiny_config


def test_sequences_are_cut_at_the_end_token_before_scoring():
    assert trim(np.array([[5, 6, 0, 0], [7, 8, 9, 1]]), end_token=0) == [[5, 6], [7, 8, 9, 1]]
    assert trim(np.array([[5, 0, 6]]), end_token=None) == [[5, 0, 6]]


def test_nearest_mse_is_the_closest_reference_in_squared_semitones():
    rng = np.random.default_rng(0)
    refs, samples = rng.integers(1, 89, (40, 32)), rng.integers(1, 89, (25, 32))
    brute = np.array([min(((s - r) ** 2).mean() for r in refs) for s in samples])
    np.testing.assert_allclose(nearest_mse(samples, refs, chunk=7), brute, rtol=1e-5)
    assert nearest_mse(refs[:3], refs).max() == pytest.approx(0.0, abs=1e-3)


def test_each_corpus_reports_the_papers_metrics_and_self_bleu():
    rng = np.random.default_rng(1)
    refs, samples = rng.integers(1, 30, (50, 32)), rng.integers(1, 30, (20, 32))
    assert set(evaluate("poems", samples, refs, None)) == {"bleu2", "self_bleu"}
    assert set(evaluate("obama", samples, refs, 0)) == {"bleu3", "bleu4", "self_bleu"}
    assert set(evaluate("nottingham", samples, refs, None)) == {"bleu4", "mse", "self_bleu"}


def test_real_data_refuses_unknown_datasets_and_other_methods():
    with pytest.raises(UserError, match="unknown dataset 'shakespeare'"):
        make_config("seqgan", "quick", dataset="shakespeare")
    with pytest.raises(UserError, match="method pgbleu is not run on real data"):
        make_config("pgbleu", "quick", dataset="poems")


def test_a_run_recorded_before_a_config_field_existed_still_resumes(tmp_path, method_runs):
    import shutil

    cfg = tiny_config(method="mle")
    finished, first = method_runs["mle"]
    run = shutil.copytree(finished, tmp_path / "run")
    meta = json.loads((run / "run.json").read_text())
    del meta["config"]["dataset"]
    (run / "run.json").write_text(json.dumps(meta))
    assert train(cfg, run, show_progress=False) == first


def shrink(cfg):
    """Tiny models and counts on the real corpus (its vocabulary and length are kept)."""
    sched = dataclasses.replace(TINY_SCHEDULE, num_train=256)  # the first 256 training sequences
    return dataclasses.replace(cfg, shape=dataclasses.replace(cfg.shape, emb_dim=8, hidden_dim=8),
                               discriminator=TINY_DISC, schedule=sched)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["poems", "obama", "nottingham"])
def test_mle_against_seqgan_on_a_corpus_writes_table_curve_and_samples(tmp_path, mirror, capsys, dataset):
    dest, = real_world.reproduce("smoke", [dataset], [0], mirror, runs=tmp_path / "runs",
                                 results=tmp_path / "results", show_progress=False, configure=shrink)
    table = (dest / "table.md").read_text()
    first = real_world.metrics_of(dataset)[0]
    paper_mle, paper_seqgan = real_world.PAPER[dataset][first]
    assert f"| {first} | {paper_mle:.4g} | {paper_seqgan:.4g} |" in table
    rows = {r["metric"]: r for r in real_world.build_table(
        dataset, [0], lambda m, s: real_world.run_dir(tmp_path / "runs", "smoke", dataset, m, s))}
    assert 0.0 <= rows[first]["seqgan_mean"] <= 1.0 and 0.0 <= rows[first]["p_value"] <= 1.0
    assert (dest / "learning_curve.png").stat().st_size > 0
    samples = (dest / "samples.md").read_text()
    assert "## SeqGAN" in samples and "## MLE" in samples and "## test split" in samples and "(seed 0)" in samples
    run = str(real_world.run_dir(tmp_path / "runs", "smoke", dataset, "seqgan", 0))
    for extra, as_ids in (([], False), (["--ids"], True)):
        out = tmp_path / f"sample{as_ids}.txt"
        assert main(["sample", "--run", run, "--n", "4", "--data-mirror", str(mirror), "--out", str(out), *extra]) == 0
        lines = out.read_text().splitlines()
        assert len(lines) == 4 and all(t.isdigit() for t in " ".join(lines).split()) == as_ids
    meta_path = Path(run) / "run.json"
    meta = json.loads(meta_path.read_text())
    meta["config"]["shape"]["vocab_size"] += 1  # a run from another vocabulary than the corpus has now
    meta_path.write_text(json.dumps(meta))
    capsys.readouterr()
    assert main(["sample", "--run", run, "--n", "4", "--data-mirror", str(mirror)]) == 2
    assert "pass --ids" in capsys.readouterr().err
    if dataset == "nottingham":
        assert len(list((dest / "midi").glob("seqgan_*.mid"))) == 5 and (dest / "piano_roll.png").exists()
        assert rows["mse"]["mle_mean"] >= 0
