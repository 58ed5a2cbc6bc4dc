"""The generator: the authors' parameter layout, teacher-forced log-probabilities, sampling, MLE."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from oracle.network import sequence_nll
from reproduction.config import GeneratorConfig
from reproduction.models.generator import LSTMPolicy, make_generator, sample_many
from reproduction.training.mle import MLETrainer
from tests.conftest import TINY_SHAPE
from tests.test_oracle import numpy_sequence_log_likelihood


def test_parameters_round_trip_through_the_authors_layout():
    g = make_generator(TINY_SHAPE, 0.1, np.random.default_rng(0))
    h = LSTMPolicy(TINY_SHAPE)
    h.set_params(g.get_params())
    for a, b in zip(g.get_params(), h.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_init_is_normal_with_stddev_0_1():
    g = make_generator(TINY_SHAPE.__class__(), 0.1, np.random.default_rng(0))
    flat = np.concatenate([p.ravel() for p in g.get_params()])
    assert abs(flat.std() - 0.1) < 0.002 and abs(flat.mean()) < 0.002


def test_teacher_forced_log_probs_match_numpy_equations():
    g = make_generator(TINY_SHAPE, 0.5, np.random.default_rng(1))
    seqs = np.random.default_rng(2).integers(0, 40, (10, 8)).astype(np.int32)
    ours = g.token_log_probs(tf.constant(seqs)).numpy().sum(axis=1)
    np.testing.assert_allclose(ours, numpy_sequence_log_likelihood(g.get_params(), seqs), rtol=1e-5)


def test_log_probs_at_a_temperature_match_numpy_equations_with_the_output_layer_scaled():
    g = make_generator(TINY_SHAPE, 0.5, np.random.default_rng(1))
    seqs = np.random.default_rng(2).integers(0, 40, (10, 8)).astype(np.int32)
    for t in (0.7, 1.3):
        params = g.get_params()
        params[-2], params[-1] = params[-2] / t, params[-1] / t  # logits / t = h (Wo / t) + bo / t
        expected = -numpy_sequence_log_likelihood(params, seqs) / seqs.shape[1]
        np.testing.assert_allclose(sequence_nll(g, seqs, temperature=t), expected, rtol=1e-5)


def test_the_model_at_temperature_one_is_the_plain_model_bit_for_bit():
    """Temperature curves pass T = 1 to the scaled functions (one compiled function for every T): their samples
    and NLLs equal the plain model's exactly, so a curve's T = 1 point is the final evaluation's."""
    g = make_generator(TINY_SHAPE, 1.0, np.random.default_rng(3))
    seed = np.array([4, 5], np.int32)
    plain, scaled = sample_many(g, 500, seed), sample_many(g, 500, seed, temperature=1.0)
    np.testing.assert_array_equal(plain, scaled)
    assert not np.array_equal(plain, sample_many(g, 500, seed, temperature=0.5))  # the scale is applied
    np.testing.assert_array_equal(sequence_nll(g, plain), sequence_nll(g, plain, temperature=1.0))


def test_sampling_is_reproducible_for_a_seed_and_differs_between_seeds():
    g = make_generator(TINY_SHAPE, 1.0, np.random.default_rng(3))
    seed = np.array([1, 2], np.int32)
    a, b = sample_many(g, 300, seed, chunk=100), sample_many(g, 300, seed, chunk=100)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (300, 8) and a.dtype == np.int32
    assert not np.array_equal(a, sample_many(g, 300, np.array([1, 3], np.int32), chunk=100))


def test_sampling_follows_the_model_distribution():
    g = make_generator(TINY_SHAPE, 1.0, np.random.default_rng(4))
    first = sample_many(g, 20000, np.array([7, 7], np.int32))[:, 0]
    logits = g(tf.zeros([1, 8], tf.int32))[0, 0].numpy()
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    freq = np.bincount(first, minlength=40) / len(first)
    assert np.abs(freq - probs).max() < 0.015


def test_samples_drawn_10000_at_a_time_follow_the_same_distribution_as_batches_of_64():
    """The training draws its negatives and evaluation samples in chunks of 10,000 (one compiled call), the
    authors' code in batches of 64: the same distribution, checked on every position's token frequencies (a
    chi-square test of homogeneity per position; the model's own sequences vary, so later positions are checked
    through what the earlier ones led to)."""
    from scipy.stats import chi2_contingency

    g = make_generator(TINY_SHAPE, 1.0, np.random.default_rng(8))
    large = sample_many(g, 12_800, np.array([3, 4], np.int32))  # one chunk
    small = sample_many(g, 12_800, np.array([5, 6], np.int32), chunk=64)  # 200 calls of 64
    for t in range(TINY_SHAPE.seq_len):
        counts = np.stack([np.bincount(x[:, t], minlength=TINY_SHAPE.vocab_size) for x in (large, small)])
        counts = counts[:, counts.sum(axis=0) > 0]
        assert chi2_contingency(counts)[1] > 1e-3, t
    assert not np.array_equal(large[:64], small[:64])  # (two draws, not one)


def test_mle_epochs_lower_the_loss():
    g = make_generator(TINY_SHAPE, 0.1, np.random.default_rng(5))
    data = np.tile(np.arange(8, dtype=np.int32), (64, 1))  # one deterministic sequence
    trainer = MLETrainer(g, GeneratorConfig())
    rng = np.random.default_rng(0)
    first = trainer.epoch(data, 16, rng)
    for _ in range(20):
        last = trainer.epoch(data, 16, rng)
    assert last < first / 2
