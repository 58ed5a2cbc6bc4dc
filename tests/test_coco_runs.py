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

from reproduction.config import make_config
from reproduction.errors import UserError
from reproduction.metrics.published_benchmarks import published_rows
from reproduction.publications import coco, text_frontier
from reproduction.run_log import read_rows
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
    dest, _ = experiment
    for method in coco.METHODS:
        for suffix in (".json", ".csv", "_samples.npz", "_temperatures.csv"):
            assert (dest / "runs" / f"{method}_s0{suffix}").stat().st_size > 0
    table = (dest / "table.md").read_text()
    for label in ("SeqGAN (ours, 1 seed)", "MLE (ours, 1 seed)", "self-imitation (ours, 1 seed)",
                  "SeqGAN, published", "MLE: ours − published", "real data (training captions)"):
        assert f"| {label} |" in table
    for name in ("frontier.png", "frontier_nll.png", "frontier.csv", "samples.md", "table.csv"):
        assert (dest / name).stat().st_size > 0
    logged = read_rows(dest / "runs" / "seqgan_s0.csv")[-1]  # the training log has every order of Texygen's BLEU
    assert all(0.0 <= float(logged[f"bleu{n}"]) <= 1.0 for n in (2, 3, 4, 5))
    rows = json.loads((dest / "benchmark.json").read_text())["rows"]
    assert {(r["protocol"], r["label"]) for r in rows} == {
        (p, label) for p in ("texygen", "corrected") for label in ("MLE", "SeqGAN", "self-imitation")}
    assert all(0.0 <= r["bleu5"] <= r["bleu2"] <= 1.0 and r["nll_test"] > 0 for r in rows)


@pytest.mark.slow
def test_the_published_rows_stand_beside_ours_with_their_difference(experiment):
    dest, _ = experiment
    table = (dest / "table.md").read_text()
    mle = next(p for p in published_rows("coco") if p.model == "MLE")
    assert f"| MLE, published | {mle.bleu[2]:.3f} | {mle.bleu[3]:.3f} |" in table


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


def test_the_texygen_profile_is_texygens_configuration_on_coco_only():
    seqgan, mle = make_config("seqgan", "texygen"), make_config("mle", "texygen")
    assert seqgan.dataset == "coco" and seqgan.rollout_update_rate == 0.8 and mle.rollout_update_rate is None
    assert (seqgan.schedule.adv_batches, mle.schedule.adv_batches) == (100, 0)  # Texygen's MLE: its 80 epochs
    assert seqgan.discriminator.filter_sizes == (2, 3) and seqgan.shape.seq_len == 37
    with pytest.raises(UserError, match="texygen profile is Texygen's configuration on COCO"):
        make_config("seqgan", "texygen", dataset="poems")
    with pytest.raises(UserError, match="configures mle, seqgan, self-imitation"):
        make_config("pgbleu", "texygen")
    with pytest.raises(UserError, match="strategies are the paper's"):
        make_config("seqgan", "texygen", strategy="c")
