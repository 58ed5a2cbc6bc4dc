"""The discriminator: the paper's architecture, its loss, dropout only when training."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from reproduction.config import DiscriminatorConfig
from reproduction.models.discriminator import Discriminator
from reproduction.training.discriminator import DiscriminatorTrainer
from tests.conftest import TINY_DISC


def test_layer_shapes_and_filter_counts_equal_the_paper():
    d = Discriminator(DiscriminatorConfig(), vocab_size=5000, seq_len=20, seed=0)
    widths = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
    counts = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
    assert tuple(d.embedding.embeddings.shape) == (5000, 64)
    assert [tuple(c.kernel.shape) for c in d.convs] == [(w, 64, n) for w, n in zip(widths, counts, strict=True)]
    assert tuple(d.highway_transform.kernel.shape) == tuple(d.highway_gate.kernel.shape) == (1720, 1720)
    assert tuple(d.out.kernel.shape) == (1720, 2)
    assert d(tf.zeros([3, 20], tf.int32)).shape == (3, 2)
    emb = d.embedding.embeddings.numpy()
    assert emb.min() >= -1 and emb.max() <= 1
    for c in d.convs:
        np.testing.assert_allclose(c.bias.numpy(), 0.1)
        assert np.abs(c.kernel.numpy()).max() <= 0.2 + 1e-6  # truncated at 2 std
    np.testing.assert_allclose(d.out.bias.numpy(), 0.1)


def test_l2_penalty_covers_only_the_output_layer():
    d = Discriminator(TINY_DISC, vocab_size=40, seq_len=8, seed=0)
    w, b = d.out.kernel.numpy(), d.out.bias.numpy()
    expected = 0.2 * (np.sum(w**2) + np.sum(b**2)) / 2
    np.testing.assert_allclose(d.l2_penalty().numpy(), expected, rtol=1e-5)


def test_dropout_applies_only_with_a_seed():
    d = Discriminator(TINY_DISC, vocab_size=40, seq_len=8, seed=0)
    x = tf.constant(np.random.default_rng(0).integers(0, 40, (32, 8)), tf.int32)
    np.testing.assert_array_equal(d(x).numpy(), d(x).numpy())
    assert not np.allclose(d(x, dropout_seed=tf.constant([1, 2])).numpy(), d(x).numpy())


def test_training_separates_real_from_fake():
    d = Discriminator(TINY_DISC, vocab_size=40, seq_len=8, seed=0)
    trainer = DiscriminatorTrainer(d, DiscriminatorConfig(learning_rate=1e-2))
    rng = np.random.default_rng(0)
    real = rng.integers(0, 20, (256, 8)).astype(np.int32)  # real uses the lower half of the vocabulary
    fake = rng.integers(20, 40, (256, 8)).astype(np.int32)
    _, acc = trainer.train(real, fake, epochs=3, batch_size=32, rng=rng)
    assert acc > 0.95
    probs = d.prob_real(tf.constant(np.concatenate([real[:50], fake[:50]]))).numpy()
    assert probs[:50].min() > 0.5 > probs[50:].max()


def test_bfloat16_compute_keeps_float32_weights_and_scores_close_to_float32():
    import dataclasses

    low = dataclasses.replace(TINY_DISC, precision="bfloat16")
    d32, d16 = Discriminator(TINY_DISC, 40, 8, seed=1), Discriminator(low, 40, 8, seed=1)
    assert all(v.dtype == "float32" for v in d16.variables)
    for a, b in zip(d32.variables, d16.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())  # the same initial weights
    tokens = tf.constant(np.random.default_rng(0).integers(0, 40, (64, 8)), tf.int32)
    p32, p16 = d32.prob_real(tokens).numpy(), d16.prob_real(tokens).numpy()
    assert p16.dtype == np.float32
    assert 0 < np.abs(p32 - p16).max() < 0.02  # bfloat16 keeps about 3 significant digits: close, not equal
