"""COCO as a training corpus (publications/coco.py; issue 43): MLE, SeqGAN and self-imitation train on it, their
records keep what publishing needs (final samples, the temperature curve), and the table, benchmark rows,
frontier and samples are written from them, and again, byte for byte, from the records alone.

Tiny models on the real corpus (its vocabulary of 4,681 and length 37 kept); the held-out and NLL sets are cut to
their first sequences and the curve to two temperatures, so that the whole experiment runs in about a minute."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from reproduction.config import RunConfig
from reproduction.datasets.benchmark_view import load_data as benchmark_data
from reproduction.methods import phase_plan
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.metrics.published_benchmarks import published_rows
from reproduction.publications import coco, text_frontier
from reproduction.publications.text_frontier import COLUMNS
from reproduction.run_log import read_rows, read_samples
from reproduction.sweeps.sweep import restore_records, train_all
from reproduction.training import components
from tests.conftest import MIRROR, TINY_DISC, TINY_SCHEDULE, shrink_text_curves


def shrink(cfg):
    """Tiny models and counts on the real corpus (vocabulary and length kept); MLE keeps its adversarial count."""
    sched = dataclasses.replace(TINY_SCHEDULE, num_train=256, mle_epochs=2,
                                adv_batches=min(cfg.schedule.adv_batches, 2))
    return dataclasses.replace(cfg, shape=dataclasses.replace(cfg.shape, emb_dim=8, hidden_dim=8),
                               discriminator=TINY_DISC, schedule=sched)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    """One seed of every COCO row, trained, published; then published again from the records alone."""
    base = tmp_path_factory.mktemp("coco")
    with pytest.MonkeyPatch.context() as mp:
        corpus_of = components.load_corpus

        def small_corpus(name, mirror=None):
            c = corpus_of(name, mirror)
            return dataclasses.replace(c, test=c.test[:64], test_origin=c.test_origin[:64])

        mp.setattr(components, "load_corpus", small_corpus)
        shrink_text_curves(mp)
        if not (MIRROR / "image_coco").is_dir():
            pytest.skip(f"no data mirror at {MIRROR}")
        mirror = str(MIRROR)
        specs = coco.plan("smoke", [0], coco.METHODS, mirror, base / "runs", results=base / "results",
                          configure=shrink)
        train_all(specs, mirror, show_progress=False)
        dest = coco.publish_all("smoke", [0], base / "runs", base / "results", mirror)
        shutil.rmtree(base / "runs")
        again = base / "again"
        shutil.copytree(dest / "runs", again / "coco" / "smoke" / "runs")
        respecs = coco.plan("smoke", [0], coco.METHODS, mirror, base / "runs2", results=again, configure=shrink)
        assert len(restore_records(respecs)) == 3
        republished = coco.publish_all("smoke", [0], base / "runs2", again, mirror)
    return dest, republished


@pytest.mark.slow
def test_every_row_is_trained_recorded_and_published(experiment):
    """Each row's record is of a complete run, logged to the last step of its method's last phase; the published
    rows (benchmark.json, and table.csv per seed) are the protocols' scores of the record's final samples:
    recomputed here under Texygen's protocol (BLEU-n against every test caption, Self-BLEU-n of every sample
    against the others)."""
    dest, _ = experiment
    data = benchmark_data("coco", MIRROR)
    table = (dest / "table.md").read_text()
    for label in ("SeqGAN (ours, 1 seed)", "MLE (ours, 1 seed)", "self-imitation (ours, 1 seed)",
                  "SeqGAN, published", "MLE: ours − published", "real data (training captions)"):
        assert f"| {label} |" in table
    rows = {(r["protocol"], r["label"]): r for r in json.loads((dest / "benchmark.json").read_text())["rows"]}
    assert set(rows) == {(p, coco.LABELS[m]) for p in protocols.PROTOCOLS for m in coco.METHODS}
    per_seed = {(r["protocol"], r["row"]): r for r in read_rows(dest / "table.csv") if r["seed"] == "0"}
    for method in coco.METHODS:
        stem = dest / "runs" / f"{method}_s0"
        meta = json.loads(stem.with_suffix(".json").read_text())
        cfg = RunConfig.from_dict(meta["config"])
        assert meta["status"] == "complete" and (cfg.method, cfg.dataset) == (method, "coco")
        last_logged, last_phase = read_rows(stem.with_suffix(".csv"))[-1], [p for p in phase_plan(cfg) if p.steps][-1]
        assert (last_logged["phase"], int(last_logged["epoch"])) == (last_phase.name, last_phase.steps - 1)
        tokens = read_samples(stem.with_name(f"{stem.name}_samples.npz"))["tokens"]
        texygen = protocols.score_texygen(data.sentences(tokens), data.texygen_references)
        label = coco.LABELS[method]
        expected = {**{f"bleu{n}": texygen.bleu[n] for n in protocols.ORDERS},
                    **{f"self_bleu{n}": texygen.self_bleu[n] for n in protocols.ORDERS}}
        assert {c: rows["texygen", label][c] for c in expected} == pytest.approx(expected, abs=1e-12), method
        for protocol in protocols.PROTOCOLS:  # one seed: its row is the mean
            assert {c: float(per_seed[protocol, label][c]) for c in COLUMNS} == pytest.approx(
                {c: rows[protocol, label][c] for c in COLUMNS}, abs=1e-6), (method, protocol)


@pytest.mark.slow
def test_the_published_rows_stand_beside_ours_with_their_difference(experiment):
    dest, _ = experiment
    table = (dest / "table.md").read_text()
    ours = {r["label"]: r for r in json.loads((dest / "benchmark.json").read_text())["rows"]
            if r["protocol"] == "texygen"}
    published = published_rows("coco")
    assert {p.model for p in published} == {"MLE", "SeqGAN"}
    for p in published:
        values = {**{f"bleu{n}": v for n, v in p.bleu.items()}, **{f"self_bleu{n}": v for n, v in p.self_bleu.items()},
                  "nll_test": p.nll_gen}
        assert f"| {p.model}, published | " + " | ".join(f"{values[c]:.3f}" for c in COLUMNS) + " |" in table
        assert f"| {p.model}: ours − published | " + " | ".join(
            f"{ours[p.model][c] - values[c]:+.3f}" for c in COLUMNS) + " |" in table


@pytest.mark.slow
def test_republishing_from_the_records_alone_gives_the_same_files(experiment):
    dest, republished = experiment
    for name in ("table.md", "table.csv", "benchmark.json", "frontier.csv", "samples.md"):
        assert (republished / name).read_bytes() == (dest / name).read_bytes(), name


@pytest.mark.slow
def test_the_temperature_curve_reaches_the_table_through_its_t1_row(experiment):
    dest, _ = experiment
    curve = read_rows(dest / "runs" / "mle_s0_temperatures.csv")
    assert [float(r["temperature"]) for r in curve] == [0.8, 1.0]
    at_one = next(r for r in curve if float(r["temperature"]) == 1.0)
    rows = {(r["protocol"], r["label"]): r for r in json.loads((dest / "benchmark.json").read_text())["rows"]}
    assert rows["texygen", "MLE"]["nll_test"] == pytest.approx(float(at_one["nll_texygen"]))
    assert rows["corrected", "MLE"]["nll_test"] == pytest.approx(float(at_one["nll_test"]))


def test_cooled_mle_interpolates_between_the_temperatures_around_a_diversity():
    curve = [{"temperature": 0.8, "texygen_self_bleu5": 0.6, "texygen_bleu5": 0.30},
             {"temperature": 1.0, "texygen_self_bleu5": 0.4, "texygen_bleu5": 0.20}]
    t, bleu5 = text_frontier.cooled_mle(curve, "texygen", 0.5)
    assert (t, bleu5) == pytest.approx((0.9, 0.25))
    assert text_frontier.cooled_mle(curve, "texygen", 0.7) is None  # outside the curve: no extrapolation
    in_order_2 = [{**r, "texygen_self_bleu2": 2 * r["texygen_self_bleu5"], "texygen_bleu2": 3 * r["texygen_bleu5"]}
                  for r in curve]  # another BLEU order's columns (poems' and Obama's own metric)
    assert text_frontier.cooled_mle(in_order_2, "texygen", 1.0, 2) == pytest.approx((0.9, 0.75))
