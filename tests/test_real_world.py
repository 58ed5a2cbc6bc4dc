"""Real-world experiments: the metrics without an oracle, configuration checks, and MLE against SeqGAN end to
end on each corpus (tiny models, the real data from the mirror) with the table, curve and samples."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from reproduction.cli import main
from reproduction.config import make_config
from reproduction.datasets.corpus import Corpus
from reproduction.datasets.registry import load_corpus
from reproduction.errors import UserError
from reproduction.io_utils import save_npz
from reproduction.metrics import real_data
from reproduction.metrics.bleu import bleu, self_bleu
from reproduction.metrics.real_data import evaluate, nearest_mse, trim
from reproduction.metrics.stats import format_p, mean_interval, welch_p_value
from reproduction.publications import real_world, real_world_table
from reproduction.run_log import REAL_DATA_FIELDS, csv_text, read_rows
from reproduction.training.driver import train
from tests.conftest import TINY_DISC, TINY_SCHEDULE, shrink_text_curves, tiny_config


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


def test_the_share_without_a_match_counts_samples_cut_at_the_end_token():
    refs = np.array([[1, 2, 3, 4, 5, 0], [6, 7, 8, 9, 0, 0]])
    samples = np.array([[1, 2, 3, 4, 0, 0],   # a 4-gram match
                        [6, 7, 8, 1, 0, 0],   # a 3-gram match, no 4-gram
                        [1, 2, 0, 3, 4, 5],   # cut to [1, 2]: no 3- or 4-gram at all
                        [9, 8, 7, 6, 5, 4]])  # unigrams only
    shares = real_data.per_sequence("obama", samples, refs, end_token=0, with_unmatched=True)
    assert shares["unmatched3"].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert shares["unmatched4"].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert real_data.unmatched_columns("obama") == ["unmatched3", "unmatched4"]


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
    assert {k: real.means[k] for k in direct} == pytest.approx(direct)
    assert real.means["unmatched2"] == pytest.approx(real.per_sequence["unmatched2"].mean())
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
@pytest.mark.parametrize("dataset", ["poems", "nottingham"])
def test_mle_against_seqgan_on_a_corpus_writes_table_curve_and_samples(tmp_path, mirror, capsys, dataset, monkeypatch):
    """End to end on a text corpus and on the music one (MSE, MIDI). Obama takes poems' path through training and
    publication; what is its own (its BLEU orders, end token, tokens and decoding) is tested without training
    above and in test_datasets_real.py."""
    shrink_text_curves(monkeypatch)
    dest, = real_world.reproduce("smoke", [dataset], [0], mirror, runs=tmp_path / "runs",
                                 results=tmp_path / "results", show_progress=False, configure=shrink)
    table = (dest / "table.md").read_text()
    first = real_world_table.metrics_of(dataset)[0]
    paper_mle, paper_seqgan = real_world_table.PAPER[dataset][first]
    assert f"| {first} | method1 | {paper_mle:.4g} | {paper_seqgan:.4g} |" in table
    assert f"| {first}_legacy | legacy | {paper_mle:.4g} | {paper_seqgan:.4g} |" in table
    locate = lambda m, s: real_world.run_dir(tmp_path / "runs", "smoke", dataset, m, s)  # noqa: E731
    corpus = load_corpus(dataset, mirror)
    rows = {r["metric"]: r for r in real_world_table.build_table(dataset, [0], locate, corpus)}
    assert 0.0 <= rows[first]["seqgan_mean"] <= 1.0 and 0.0 <= rows[first]["p_within"] <= 1.0
    assert 0.0 < rows[first]["real"] <= 1.0 and math.isnan(rows[first]["p_seeds"])  # one seed: no test across
    # BLEU against the reference count: at all the references, the table's numbers (what its figure draws: above)
    at_all = {r["source"]: float(r[first]) for r in read_rows(dest / "reference_size.csv")
              if int(r["references"]) == len(corpus.test)}
    assert at_all == pytest.approx({"real data": rows[first]["real"],
                                    "MLE": rows[first]["mle_mean"], "SeqGAN": rows[first]["seqgan_mean"]})
    samples = (dest / "samples.md").read_text()
    assert "## SeqGAN" in samples and "## MLE" in samples and "## real data (held-out probe)" in samples
    assert "(seed 0)" in samples
    run = str(locate("seqgan", 0))
    # rescoring the saved samples gives the numbers the training's evaluation path stored beside them
    capsys.readouterr()
    assert main(["rescore", "--run", run, "--json", "--data-mirror", str(mirror)]) == 0
    rescored = json.loads(capsys.readouterr().out)
    final = np.load(Path(run) / "final_samples.npz")
    for key in real_data.bleu_columns(dataset) + (["mse"] if dataset == "nottingham" else []):
        assert rescored[key] == pytest.approx(float(final[key].mean()), rel=1e-12)
    assert rescored["references"] == len(corpus.test) and rescored["samples"] == len(final["tokens"])
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
    assert main(["rescore", "--run", run, "--data-mirror", str(mirror)]) == 2
    assert "but the corpus now has" in capsys.readouterr().err
    if dataset == "poems":  # the benchmark's frontier (text corpora): every run kept its temperature curve
        frontier = (dest / "frontier.md").read_text()
        for protocol in ("texygen", "corrected"):
            for label in ("MLE (ours)", "SeqGAN (ours)"):
                assert frontier.count(f"| {protocol} | {label} | ") == 3  # its scores, against cooled MLE in 5 and 2
        assert frontier.count("| corrected | real data (held-out probe) | ") == 3
        own = frontier.split("## Against cooled MLE in BLEU-2, the paper's metric for poems (frontier_bleu2.png)")[1]
        assert "| protocol | row | Self-BLEU-2 | BLEU-2 | cooled MLE at that Self-BLEU-2: T | BLEU-2 |" in own
        with open(dest / "frontier.csv", newline="") as f:
            assert [float(r["temperature"]) for r in csv.DictReader(f)] == [0.8, 1.0]
        corpus_text = tmp_path / "poems.txt"  # the benchmark command sets a file of samples beside our rows
        corpus_text.write_text("\n".join(corpus.decode(row) for row in corpus.train[:20]) + "\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["benchmark", "--corpus", "poems", "--samples", str(corpus_text), "--results",
                     str(tmp_path / "results"), "--data-mirror", str(mirror), "--protocol", "corrected"]) == 0
        out = capsys.readouterr().out
        assert "| MLE (smoke, 1 seed; Self-BLEU over " in out and "| SeqGAN (smoke, 1 seed; " in out
        assert "not yet trained" not in out
        for n in (5, 2):  # against cooled MLE in BLEU-5 and in the paper's BLEU-2 (here not compared: 20 samples)
            assert f"Against cooled MLE, MLE's temperature curve of profile smoke ({dest / 'frontier.csv'}), " \
                   f"BLEU-{n}: not compared" in out
        assert all((dest / f"{name}.png").stat().st_size > 0 for name in ("frontier", "frontier_nll",
                                                                           "frontier_bleu2"))
    else:
        assert not (dest / "frontier.md").exists()
    if dataset == "nottingham":
        assert len(list((dest / "midi").glob("seqgan_*.mid"))) == 5 and (dest / "piano_roll.png").exists()
        assert len(list((dest / "midi").glob("real_*.mid"))) == 5
        assert rows["mse"]["mle_mean"] >= 0 and rows["mse"]["real"] >= 0


# --- publishing from finished runs, without training ------------------------------------------------------------

HANZI = tuple(chr(0x4E00 + i) for i in range(400))


def quatrain_corpus(refs=600, probe=40, seed=0):
    """A toy poems corpus of random rows over 400 characters, length 20, with references and a probe."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(2, 400, (300 + refs + probe, 20)).astype(np.int32)
    return Corpus(name="poems", train=rows[:300], test=rows[300:300 + refs], vocab=("<s>", "<unk>", *HANZI[2:]),
                  separator="", probe=rows[300 + refs:])


def write_fake_run(path, corpus, method, seed, n=64, xs=(1.0, 2.0, 3.0, 4.0)):
    """A finished real-data run as publish reads it: run.json, metrics.csv, final_samples.npz. SeqGAN's samples
    are references with a few tokens changed (high BLEU), MLE's random rows (low BLEU); the seed adds noise."""
    rng = np.random.default_rng(1000 * seed + (method == "seqgan"))
    if method == "seqgan":
        tokens = corpus.test[rng.integers(0, len(corpus.test), n)].copy()
        mask = rng.random(tokens.shape) < 0.3 + 0.1 * seed
        tokens[mask] = rng.integers(2, corpus.vocab_size, mask.sum())
    else:
        tokens = rng.integers(2, corpus.vocab_size, (n, corpus.seq_len)).astype(np.int32)
    path.mkdir(parents=True)
    config = {"dataset": corpus.name, "method": method, "seed": seed, "schedule": {"mle_epochs": 2},
              "shape": {"vocab_size": corpus.vocab_size, "seq_len": corpus.seq_len}}
    (path / "run.json").write_text(json.dumps({"config": config}))
    curve = [{"phase": "mle" if x <= 2 else "adversarial", "x": x,
              "bleu2": 0.1 * x + 0.01 * seed + 0.02 * (method == "mle"), "nll_test": 5.0 + seed + x} for x in xs]
    (path / "metrics.csv").write_text(csv_text(curve, REAL_DATA_FIELDS))
    scores = real_data.per_sequence("poems", tokens, corpus.test, None)
    save_npz(path / "final_samples.npz", {"tokens": tokens, **scores})


def fake_runs(tmp_path, corpus, seeds):
    locate = lambda m, s: tmp_path / "runs" / f"{m}-s{s}"  # noqa: E731
    for m in real_world.METHODS:
        for s in seeds:
            write_fake_run(locate(m, s), corpus, m, s)
    return locate


def test_publishing_two_seeds_gives_intervals_the_across_seed_test_real_data_and_the_figures(tmp_path, monkeypatch):
    corpus = quatrain_corpus()
    locate = fake_runs(tmp_path, corpus, [0, 1])
    dest = tmp_path / "results"
    drawn, draw = {}, real_world.plots.band_panels  # figure name -> its panels, as drawn
    monkeypatch.setattr(real_world.plots, "band_panels", lambda panels, path, *a, **k: drawn.update(
        {path.name: panels}) or draw(panels, path, *a, **k))
    real_world.publish("poems", "smoke", [0, 1], corpus, locate, dest)
    rows = {r["metric"]: r for r in read_rows(dest / "table.csv")}
    assert list(rows) == ["bleu2", "bleu2_legacy", "unmatched2", "self_bleu", "self_bleu_legacy", "nll_test"]
    real = real_data.real_data_scores(corpus, self_bleu_count=40)
    per_seed = {m: [real_data.score_samples(corpus, np.load(locate(m, s) / "final_samples.npz")["tokens"],
                                            self_bleu_count=40) for s in (0, 1)] for m in real_world.METHODS}
    for metric in ("bleu2", "bleu2_legacy", "unmatched2", "self_bleu"):
        row = rows[metric]
        values = {m: [sc.means[metric] for sc in per_seed[m]] for m in real_world.METHODS}
        for m in real_world.METHODS:
            mean, half = mean_interval(values[m])
            assert float(row[f"{m}_mean"]) == pytest.approx(mean) and float(row[f"{m}_ci95"]) == pytest.approx(half)
            assert float(row[f"{m}_of_real"]) == pytest.approx(mean / real.means[metric])
            assert [float(row[f"{m}_s{s}"]) for s in (0, 1)] == pytest.approx(values[m])  # per seed, as tested
        assert float(row["real"]) == pytest.approx(real.means[metric])
        # the primary test is across seeds: Welch on the two per-seed scores of each method
        assert float(row["p_seeds"]) == pytest.approx(welch_p_value(values["seqgan"], values["mle"]))
    pooled = {m: np.concatenate([sc.per_sequence["bleu2"] for sc in per_seed[m]]) for m in real_world.METHODS}
    assert float(rows["bleu2"]["p_within"]) == pytest.approx(welch_p_value(pooled["seqgan"], pooled["mle"]))
    assert float(rows["nll_test"]["mle_mean"]) == pytest.approx(9.5) and math.isnan(float(rows["nll_test"]["real"]))
    assert rows["bleu2"]["paper_real"] == "0.746" and rows["bleu2_legacy"]["paper_real"] == "0.746"
    table = (dest / "table.md").read_text()
    assert "| p across seeds | p within runs (secondary) |" in table
    line = next(x for x in table.splitlines() if x.startswith("| bleu2 |"))
    assert line.count("±") == 3 and "| 0.667 | 0.7389 | 0.746 |" in line  # MLE, SeqGAN and real data
    assert "2 seed(s)" in table and "600 references" in table and "first 40 sequences" in table
    per_seed_line = next(x for x in table.splitlines()[table.splitlines().index("| metric | seed 0 | seed 1 |"):]
                         if x.startswith("| bleu2 |"))
    assert per_seed_line == "| bleu2 | " + " | ".join(
        f"{float(rows['bleu2'][f'mle_s{s}']):.4f} / {float(rows['bleu2'][f'seqgan_s{s}']):.4f}" for s in (0, 1)) + " |"
    # BLEU against the reference-set size: real data and each run, at 250, 500 and all 600 references
    sizes = read_rows(dest / "reference_size.csv")
    assert {(r["source"], r["seed"]) for r in sizes} == {("real data", ""), ("MLE", "0"), ("MLE", "1"),
                                                         ("SeqGAN", "0"), ("SeqGAN", "1")}
    assert sorted({int(r["references"]) for r in sizes}) == [250, 500, 600]
    full = next(r for r in sizes if r["source"] == "real data" and r["references"] == "600")
    assert float(full["bleu2"]) == pytest.approx(real.means["bleu2"])
    # its figure draws the CSV: per rule and source, mean and range over the seeds at each reference count
    for rule, column in (("method1", "bleu2"), ("legacy", "bleu2_legacy")):
        for source in ("real data", "SeqGAN", "MLE"):
            band = drawn["reference_size"][f"rule {rule}"][f"{source} BLEU-2"]
            assert [x for x, *_ in band] == [250.0, 500.0, 600.0]
            for x, *mean_low_high in band:
                v = [float(r[column]) for r in sizes if r["source"] == source and float(r["references"]) == x]
                assert len(v) == (1 if source == "real data" else 2)  # each seed's samples: a band over seeds
                assert mean_low_high == pytest.approx([np.mean(v), min(v), max(v)]), (rule, source, x)
    assert (dest / "runs" / "seqgan_s1.csv").read_bytes() == (locate("seqgan", 1) / "metrics.csv").read_bytes()
    # the learning curve: mean and range across seeds at each evaluation, as logged, and drawn so
    bands = real_world.learning_curve_bands([0, 1], locate, "bleu2")
    assert bands["SeqGAN"][0] == pytest.approx((1.0, 0.105, 0.1, 0.11))
    assert bands["MLE"][-1] == pytest.approx((4.0, 0.425, 0.42, 0.43))
    assert list(drawn["learning_curve"].values()) == [bands]
    # samples as quatrains: four lines of five characters
    samples = (dest / "samples.md").read_text().splitlines()
    first = samples.index("## SeqGAN") + 3
    poem = [samples[first][4:]] + [x[4:] for x in samples[first + 1: first + 4]]
    assert samples[first].startswith(" 1. ") and [len(x) for x in poem] == [5, 5, 5, 5]
    assert "".join(poem) == corpus.decode(np.load(locate("seqgan", 0) / "final_samples.npz")["tokens"][0])


def test_one_seed_has_no_across_seed_test_and_old_logs_without_legacy_columns_still_publish(tmp_path):
    corpus = quatrain_corpus()
    locate = fake_runs(tmp_path, corpus, [0])
    for m in real_world.METHODS:  # a log written before the _legacy columns existed
        path = locate(m, 0) / "metrics.csv"
        rows = read_rows(path)
        path.write_text(csv_text(rows, ["phase", "epoch", "x", "bleu2", "nll_test"]))
    real_world.publish("poems", "smoke", [0], corpus, locate, tmp_path / "results")
    rows = {r["metric"]: r for r in read_rows(tmp_path / "results" / "table.csv")}
    row = {k: float(v) for k, v in rows["bleu2"].items() if k not in ("metric", "rule")}
    assert math.isnan(row["p_seeds"]) and math.isnan(row["mle_ci95"]) and 0 <= row["p_within"] <= 1
    table = (tmp_path / "results" / "table.md").read_text()
    line = next(x for x in table.splitlines() if x.startswith("| bleu2 |"))
    assert line.count("±") == 1 and line.endswith(" |  | " + format_p(row["p_within"]) + " |")  # real data's ±


def test_rescore_cli_scores_a_run_under_either_rule_as_the_evaluation_path_does(tmp_path, mirror, capsys):
    corpus = load_corpus("poems", mirror)
    run = tmp_path / "run"
    rng = np.random.default_rng(3)
    tokens = corpus.train[rng.integers(0, len(corpus.train), 500)]
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"config": {"dataset": "poems", "shape": {
        "vocab_size": corpus.vocab_size, "seq_len": corpus.seq_len}}}))
    save_npz(run / "final_samples.npz", {"tokens": tokens})
    expected = evaluate("poems", tokens, corpus.test, None, self_bleu_count=len(corpus.probe))  # the training path
    for rule in ("method1", "legacy"):
        assert main(["rescore", "--run", str(run), "--rule", rule, "--json", "--data-mirror", str(mirror)]) == 0
        out = json.loads(capsys.readouterr().out)
        keys = [real_data.column("bleu2", rule), real_data.column("self_bleu", rule)]
        assert {k: out[k] for k in keys} == pytest.approx({k: expected[k] for k in keys})
        assert real_data.column("bleu2", "legacy" if rule == "method1" else "method1") not in out
        assert out["real_data"][keys[0]] == pytest.approx(real_data.real_data_scores(corpus).means[keys[0]])
    assert main(["rescore", "--run", str(run), "--references", "500", "--json", "--data-mirror", str(mirror)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["references"] == 500 and out["bleu2"] < expected["bleu2"]  # fewer references, fewer matches
    assert main(["rescore", "--run", str(run), "--data-mirror", str(mirror)]) == 0
    assert "bleu2_legacy" in capsys.readouterr().out
    (run / "final_samples.npz").unlink()
    assert main(["rescore", "--run", str(run), "--data-mirror", str(mirror)]) == 2
    assert "no final samples" in capsys.readouterr().err
    (run / "run.json").write_text(json.dumps({"config": {"dataset": "synthetic"}}))
    assert main(["rescore", "--run", str(run)]) == 2
    assert "synthetic run" in capsys.readouterr().err


def test_a_real_data_run_restored_from_its_record_publishes_the_same_tables(tmp_path):
    from reproduction.sweeps import records

    corpus = quatrain_corpus()
    locate = fake_runs(tmp_path, corpus, [0, 1])
    again = lambda m, s: tmp_path / "again" / f"{m}-s{s}"  # noqa: E731  (a new machine's runs/)
    for m in real_world.METHODS:
        for s in (0, 1):
            cfg = real_world.config("poems", m, "smoke", s, corpus=corpus)
            (locate(m, s) / "run.json").write_text(json.dumps({"status": "complete", "config": cfg.to_dict()}))
            records.write(locate(m, s), tmp_path / "records" / f"{m}_s{s}", ("samples",))
            assert records.restore(tmp_path / "records" / f"{m}_s{s}", again(m, s), cfg, ("samples",))
    real_world.publish("poems", "smoke", [0, 1], corpus, locate, tmp_path / "first")
    real_world.publish("poems", "smoke", [0, 1], corpus, again, tmp_path / "second")
    for name in ("table.md", "table.csv", "reference_size.csv", "samples.md"):
        assert (tmp_path / "first" / name).read_text() == (tmp_path / "second" / name).read_text()
    kept = tmp_path / "first" / "runs" / "seqgan_s1_samples.npz"
    before = kept.stat().st_mtime_ns
    real_world.publish("poems", "smoke", [0, 1], corpus, locate, tmp_path / "first")  # published again
    assert kept.stat().st_mtime_ns == before  # the same samples: not rewritten (a rewrite changes zip timestamps)


def test_real_data_runs_keep_their_final_samples_in_their_record(tmp_path, mirror):
    specs = real_world.plan("smoke", ["poems"], [1], mirror, runs=tmp_path / "runs", results=tmp_path / "results")
    assert [(s.record, s.extras) for s in specs] == [
        (tmp_path / "results" / "poems" / "smoke" / "runs" / f"{m}_s1", ("samples", "temperatures"))
        for m in real_world.METHODS]
