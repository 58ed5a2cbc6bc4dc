"""The speed benchmark: every row runs (tiny shapes), the floor's FLOP counts match the models, the reference
implementations do the same work as ours, and the projection counts evaluations as the driver does."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from reproduction.bench import flops, reference, report, suite
from reproduction.config import with_precision
from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import make_generator
from reproduction.variants import VARIANTS
from tests.conftest import TINY_DISC, TINY_SCHEDULE, TINY_SHAPE, tiny_config


@pytest.fixture(scope="module")
def tiny_result():
    """Every row at the tests' shapes, one rollout per prefix (the reference rollout's Keras `predict` calls are
    most of the time)."""
    cfg = tiny_config(schedule=dataclasses.replace(TINY_SCHEDULE, rollout_num=1))
    return suite.run(cfg, repeats=1, adv_repeats=1, nltk_sample=3, show_progress=False)


@pytest.mark.slow  # (with the next test: the tiny_result fixture times every row)
def test_every_row_is_timed_with_its_reference_and_floor(tiny_result):
    rows = {r["key"]: r for r in tiny_result["rows"]}
    assert set(rows) == {"mle_epoch", "sampling", "d_epoch", "d_epoch_bfloat16", "rewards", "g_step",
                         "adversarial_batch", "pgbleu_g_step", "evaluation", "ss_epoch", "bleu"}
    for key in ("mle_epoch", "sampling", "d_epoch", "rewards", "adversarial_batch", "evaluation", "bleu"):
        assert rows[key]["reference"] and min(rows[key]["reference"]) > 0, key
    assert all(min(r["ours"]) > 0 for r in rows.values())
    assert rows["bleu"]["values_agree"] is True
    assert rows["evaluation"]["values_agree"] is True  # our NLL and the fused op's, on the same samples
    assert tiny_result["matmul_gflops"] > 0


@pytest.mark.slow
def test_report_states_each_target_and_projects_every_profile(tiny_result):
    text = report.markdown(tiny_result)
    for target in ("within 2.0x of its float32 FLOP floor", "at least 2x faster than the reference",
                   "at least 3x faster", "at least 100x faster than nltk", "at least 1.5x faster than Keras `fit`"):
        assert target in text
    seqgan = report.make_variant("seqgan", "paper")
    float32, low = (sum(report.phase_seconds(with_precision(seqgan, p), report.unit_costs(tiny_result)).values())
                    for p in ("float32", "bfloat16"))
    assert low != float32  # priced with the bfloat16 row's discriminator epoch
    assert (f"one paper-profile SeqGAN run (pretraining included) projected under 8 hours on this machine: "
            f"{report._hours(float32)} in float32") in text
    assert f"results/synthetic/quick/precision_check.md) {report._hours(low)}" in text
    assert "projected under 2 hours" in text
    d = Discriminator(TINY_DISC, TINY_SHAPE.vocab_size, TINY_SHAPE.seq_len, seed=0)
    assert tiny_result["d_params"] == sum(int(np.prod(v.shape)) for v in d.trainable_variables)
    assert f"over {tiny_result['d_params']:,} parameters, move 28 bytes" in text and tiny_result["memory_gbs"] > 1
    assert "| part | smoke | quick | paper |" in text and "| seqgan-frozen-d |" in text and "| **total** |" in text


def test_discriminator_flops_equal_its_convolution_and_dense_kernels():
    d = Discriminator(TINY_DISC, TINY_SHAPE.vocab_size, TINY_SHAPE.seq_len, seed=0)
    expected = sum(2 * (TINY_SHAPE.seq_len - c.kernel.shape[0] + 1) * int(np.prod(c.kernel.shape)) for c in d.convs)
    expected += sum(2 * int(np.prod(layer.kernel.shape))
                    for layer in (d.highway_transform, d.highway_gate, d.out))
    assert flops.d_forward(TINY_DISC, TINY_SHAPE.seq_len) == pytest.approx(expected)


def test_reference_language_model_has_the_generators_sizes():
    cfg = tiny_config()
    ours = make_generator(cfg.shape, 0.1, np.random.default_rng(0))
    theirs = reference.keras_language_model(cfg)
    assert theirs.count_params() == sum(int(np.prod(v.shape)) for v in ours.trainable_variables)


def test_authors_rollout_keeps_each_prefix_and_rewards_are_probabilities():
    cfg = tiny_config()
    gen = make_generator(cfg.shape, 0.1, np.random.default_rng(0))
    d = Discriminator(TINY_DISC, TINY_SHAPE.vocab_size, TINY_SHAPE.seq_len, seed=0)
    authors = reference.AuthorsRollout(gen, reference.keras_discriminator(d), rollout_num=2)
    tokens = gen.sample_compiled(tf.constant(5), tf.constant([1, 2])).numpy()
    for given in range(1, TINY_SHAPE.seq_len):
        done = authors.complete(tf.constant(tokens), tf.constant(given), tf.constant([3, given])).numpy()
        np.testing.assert_array_equal(done[:, :given], tokens[:, :given])
    rewards = authors.rewards(tokens, seed=0)
    assert rewards.shape == tokens.shape and ((rewards > 0) & (rewards < 1)).all()


@pytest.mark.parametrize("total,every", [(1, 1), (3, 1), (50, 5), (120, 5), (200, 5), (7, 3), (0, 5)])
def test_projection_counts_evaluations_like_the_driver(total, every):
    driver_count = sum(1 for step in range(total) if step % every == 0 or step == total - 1)
    assert report.evaluations(total, every) == driver_count


def test_projection_counts_the_evaluations_the_driver_logged(method_runs):
    """Against the real driver's metrics.csv of every method (not a restatement of its rule)."""
    from tests.test_driver import rows

    s = tiny_config().schedule
    steps = {"mle": (s.mle_epochs, s.mle_eval_every), "adversarial": (s.adv_batches, s.adv_eval_every),
             "mle_continued": (s.adv_batches, s.adv_eval_every), "ss": (s.mle_epochs + s.adv_batches, s.mle_eval_every)}
    for out, _ in method_runs.values():
        logged = [r["phase"] for r in rows(out) if r["phase"] != "d_pretrain"]
        assert logged and all(logged.count(p) == report.evaluations(*steps[p]) for p in set(logged)), out.name


UNIT = {"mle_epoch": 3.5, "ss_epoch": 5.0, "evaluation": 5.0, "g_step": 6.0, "pgbleu_g_step": 5.0,
        "sample_per_sequence": 3.6e-4, "d_per_sequence": 13.0 / 20_000}


def test_projection_of_the_paper_schedule_is_dominated_by_seqgan_discriminator_work():
    parts = report.project("paper", UNIT)
    trains_d = [name for name in VARIANTS if name.startswith("seqgan") and name != "seqgan-frozen-d"]
    assert sum(parts[name] for name in trains_d) > 0.8 * sum(parts.values())  # SeqGAN and its controls train D alike
    assert parts["seqgan"] == pytest.approx(parts["seqgan-shuffled"]) == pytest.approx(parts["seqgan-constant"])
    assert parts["MLE pretraining (shared)"] == pytest.approx(120 * 3.5 + 25 * 5.0)
    d_step = 10_000 * 3.6e-4 + 3 * 20_000 * 13.0 / 20_000
    assert parts["D pretraining (shared)"] == pytest.approx(50 * d_step)
    assert parts["seqgan"] == pytest.approx(200 * (6.0 + 5 * d_step) + 41 * 5.0)
    assert parts["seqgan-frozen-d"] == pytest.approx(200 * 6.0 + 41 * 5.0)


def test_projection_prices_the_authors_scripts_by_their_own_settings():
    parts = report.project("paper", UNIT)
    assert parts["ss-authors"] == pytest.approx(300 * (3.5 + 5.0))  # teacher forced, evaluated every epoch
    assert parts["ss"] == pytest.approx(320 * 5.0 + 65 * 5.0)  # epochs 0, 5, ..., 315 and the last
    assert parts["pgbleu-authors"] == pytest.approx(800 * (5.0 + 5.0))  # 4x the batches, evaluated every batch
    assert parts["pgbleu"] == pytest.approx(200 * 5.0 + 41 * 5.0)


@pytest.mark.parametrize("profile,batches", [("paper", {"a": 200, "b": 200, "c": 200, "d": 200}),
                                             ("quick", {"a": 20, "b": 20, "c": 50, "d": 50})])
def test_figure3_projection_prices_each_strategys_g_steps_on_its_seeds(profile, batches):
    unit = {**dict.fromkeys(UNIT, 0.0), "g_step": 1.0}
    assert report.figure3(profile, unit, seeds=3) == pytest.approx(
        batches["a"] * 100 + batches["b"] * 30 + 3 * (batches["c"] + batches["d"]))


def test_the_d_step_profile_times_every_part_and_keras_fits_step_beside_ours():
    from reproduction.bench import d_step

    result = d_step.run(tiny_config(), calls=2, repeats=1)
    parts = [r["part"] for r in result["rows"]]
    assert parts[-1] == "whole training step (ours)" and any("Keras `fit`" in p for p in parts)
    assert all(r["ms"] > 0 for r in result["rows"])
    fit = next(r["ms"] for r in result["rows"] if "Keras `fit`" in r["part"])
    text = d_step.markdown(result)
    assert f"Keras `fit`'s step of the same layers, same run: {fit / result['rows'][-1]['ms']:.2f}x as fast" in text
    assert "bfloat16 compute" in text


def test_a_bfloat16_run_is_priced_with_the_bfloat16_discriminator_epoch_and_the_rest_unchanged():
    unit = {"mle_epoch": 1.0, "ss_epoch": 1.0, "evaluation": 1.0, "g_step": 1.0, "pgbleu_g_step": 1.0,
            "sample_per_sequence": 1e-4, "d_per_sequence": 2e-3, "d_per_sequence_bfloat16": 1e-3}
    cfg = report.make_variant("seqgan", "quick")
    low = with_precision(cfg, "bfloat16")
    f32, b16 = report.phase_seconds(cfg, unit), report.phase_seconds(low, unit)
    assert b16["mle"] == f32["mle"]
    s = cfg.schedule
    d_sequences = s.d_pretrain_rounds * s.d_pretrain_epochs * (s.d_negatives + s.d_positives)
    assert f32["d_pretrain"] - b16["d_pretrain"] == pytest.approx(d_sequences * 1e-3)
    trained = s.adv_batches * s.d_steps * s.k_epochs * (s.d_negatives + s.d_positives)
    assert f32["adversarial"] - b16["adversarial"] == pytest.approx(trained * 1e-3)
    del unit["d_per_sequence_bfloat16"]  # a bench from before the row: priced as float32
    assert report.phase_seconds(low, unit) == f32
