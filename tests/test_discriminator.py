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


def _one_call_per_batch(trainer: DiscriminatorTrainer, real: np.ndarray, fake: np.ndarray, epochs: int,
                        batch_size: int, rng: np.random.Generator) -> tuple[float, float]:
    """The plain loop the compiled one replaces: a Python call of `train_step` per shuffled batch."""
    tokens = np.concatenate([real, fake]).astype(np.int32)
    labels = np.concatenate([np.ones(len(real)), np.zeros(len(fake))]).astype(np.int32)
    for _ in range(epochs):
        order, stats = rng.permutation(len(tokens)), []
        for i in range(0, len(tokens), batch_size):
            seed = rng.integers(0, 2**31 - 1, size=2, dtype=np.int32)
            idx = order[i:i + batch_size]
            stats.append(trainer.train_step(tf.constant(tokens[idx]), tf.constant(labels[idx]), tf.constant(seed)))
    return tuple(float(x) for x in tf.reduce_mean(tf.stack([tf.stack(s) for s in stats]), axis=0))


def test_an_epoch_in_one_compiled_loop_is_bit_identical_to_one_call_per_batch():
    from reproduction.models.discriminator import REAL

    assert REAL == 1  # (the plain loop above labels real 1)
    data = np.random.default_rng(1)
    real, fake = data.integers(0, 40, (52, 8)), data.integers(0, 40, (48, 8))  # 100: six batches of 16 and 4 left
    for batch_size in (16, 20, 128):  # with a partial last batch, without one, and a single partial batch
        runs = []
        for train in (DiscriminatorTrainer.train, _one_call_per_batch):
            d = Discriminator(TINY_DISC, vocab_size=40, seq_len=8, seed=0)
            trainer = DiscriminatorTrainer(d, TINY_DISC)
            stats = train(trainer, real, fake, 2, batch_size, np.random.default_rng(7))
            runs.append((stats, [w.numpy() for w in d.weights + trainer.optimizer.variables]))
        assert runs[0][0] == runs[1][0]
        for a, b in zip(runs[0][1], runs[1][1], strict=True):
            np.testing.assert_array_equal(a, b)
