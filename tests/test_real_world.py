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
from reproduction.datasets.corpus import Corpus
from reproduction.errors import UserError
from reproduction.experiments import real_world
from reproduction.metrics import real_data
from reproduction.metrics.bleu import bleu, self_bleu
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
    both = {"self_bleu", "self_bleu_legacy"}
    assert set(evaluate("poems", samples, refs, None)) == {"bleu2", "bleu2_legacy"} | both
    assert set(evaluate("obama", samples, refs, 0)) == {"bleu3", "bleu3_legacy", "bleu4", "bleu4_legacy"} | both
    assert set(evaluate("nottingham", samples, refs, None)) == {"bleu4", "bleu4_legacy", "mse"} | both


def test_both_bleu_rules_are_scored_and_legacy_is_never_below_method1():
    rng = np.random.default_rng(2)
    refs, samples = rng.integers(1, 60, (60, 32)), rng.integers(1, 60, (40, 32))
    scores = real_data.per_sequence("obama", samples, refs, end_token=0)
    hyps, references = trim(samples, 0), trim(refs, 0)
    for n in (3, 4):
        np.testing.assert_allclose(scores[f"bleu{n}"].mean(), bleu(references, hyps, n), rtol=1e-12)
        np.testing.assert_allclose(scores[f"bleu{n}_legacy"].mean(), bleu(references, hyps, n, rule="legacy"),
                                   rtol=1e-12)
        # legacy leaves an order without a match out (a factor 1) where method1 has 0.1 / count
        assert (scores[f"bleu{n}_legacy"] >= scores[f"bleu{n}"] - 1e-12).all()
        assert (scores[f"bleu{n}_legacy"] > scores[f"bleu{n}"]).any()
    row = evaluate("obama", samples, refs, 0, self_bleu_count=10)
    assert row["self_bleu"] == pytest.approx(self_bleu(hyps[:10], 3))
    assert row["self_bleu_legacy"] == pytest.approx(self_bleu(hyps[:10], 3, rule="legacy"))
    assert real_data.column("bleu2", "legacy") == "bleu2_legacy" and real_data.column("bleu2", "method1") == "bleu2"


def toy_corpus(name="poems", end_token=None, seed=0, vocab=30, length=12, refs=80, probe=20):
    """A corpus of random token rows with references and a probe (tests that need no real data)."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(1, vocab, (200 + refs + probe, length)).astype(np.int32)
    return Corpus(name=name, train=rows[:200], test=rows[200:200 + refs], vocab=tuple(f"w{i}" for i in range(vocab)),
                  end_token=end_token, probe=rows[200 + refs:])


def test_real_data_row_scores_the_probe_like_the_samples_at_the_same_count():
    corpus = toy_corpus()
    real = real_data.real_data_scores(corpus)
    assert (real.sequences, real.references, real.self_bleu_sequences) == (20, 80, 20)
    direct = evaluate("poems", corpus.probe, corpus.test, None, self_bleu_count=20)
    assert real.means == pytest.approx(direct)
    samples = np.random.default_rng(9).integers(1, 30, (64, 12))
    model = real_data.score_samples(corpus, samples)
    assert model.self_bleu_sequences == 20  # Self-BLEU over as many samples as the probe holds
    assert model.means["self_bleu"] == pytest.approx(self_bleu(trim(samples[:20], None), 2))
    assert model.means["bleu2"] == pytest.approx(bleu(trim(corpus.test, None), trim(samples, None), 2))
    with pytest.raises(UserError, match="outside the poems vocabulary of 30"):
        real_data.score_samples(corpus, samples + 30)
    with pytest.raises(UserError, match="built without a real-data probe"):
        real_data.score_samples(dataclasses.replace(corpus, probe=None), samples)


def test_bleu_by_reference_size_uses_nested_subsets_of_the_references():
    corpus = toy_corpus(refs=100)
    small, large = real_data.reference_subset(corpus, 10), real_data.reference_subset(corpus, 40)
    assert {r.tobytes() for r in small} <= {r.tobytes() for r in large} <= {r.tobytes() for r in corpus.test}
    curve = real_data.bleu_by_reference_size(corpus, corpus.probe, [10, 40, 100])
    assert set(curve) == {"bleu2", "bleu2_legacy"} and len(curve["bleu2"]) == 3
    assert curve["bleu2"][-1] == pytest.approx(real_data.real_data_scores(corpus).means["bleu2"])
    assert curve["bleu2"][0] < curve["bleu2"][2]  # more references, more matches


def test_real_data_refuses_unknown_datasets_and_other_methods():
    with pytest.raises(UserError, match="unknown dataset 'shakespeare'"):
        make_config("seqgan", "quick", dataset="shakespeare")
    with pytest.raises(UserError, match="method pgbleu is not run on real data"):
        make_config("pgbleu", "quick", dataset="poems")


def test_a_run_recorded_before_a_config_field_existed_still_resumes(tmp_path):
    cfg = tiny_config(method="mle")
    first = train(cfg, tmp_path, show_progress=False)
    meta = json.loads((tmp_path / "run.json").read_text())
    del meta["config"]["dataset"]
    (tmp_path / "run.json").write_text(json.dumps(meta))
    assert train(cfg, tmp_path, show_progress=False) == first


def shrink(cfg):
    """Tiny models and counts on the real corpus (its vocabulary and length are kept)."""
    sched = dataclasses.replace(TINY_SCHEDULE, num_train=256)  # the first 256 training sequences
    return dataclasses.replace(cfg, shape=dataclasses.replace(cfg.shape, emb_dim=8, hidden_dim=8),
                               discriminator=TINY_DISC, schedule=sched)


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
