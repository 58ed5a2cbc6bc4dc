"""The fused Adam of training/gradients.py computes what keras.optimizers.Adam computes."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import make_generator
from reproduction.training import gradients
from tests.conftest import TINY_DISC, TINY_SHAPE


def _steps(model: keras.Model, optimizer: keras.optimizers.Optimizer, loss_fn, fused: bool, steps: int = 3):
    optimizer.build(model.trainable_variables)

    @tf.function
    def step() -> None:
        with tf.GradientTape() as tape:
            loss = loss_fn(model)
        if fused:
            gradients.descend(optimizer, tape, loss, model)
        else:  # Keras's own Adam, on dense gradients (sparse: see the last test)
            grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, model.trainable_variables)]
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))

    for _ in range(steps):
        step()
    return [v.numpy() for v in model.trainable_variables], int(optimizer.iterations.numpy())


def test_fused_adam_equals_keras_adam_on_the_discriminator():
    tokens = tf.constant(np.random.default_rng(0).integers(0, 40, (16, 8)), tf.int32)

    def loss(d):
        return tf.reduce_mean(tf.square(d(tokens, dropout_seed=tf.constant([1, 2]))))

    theirs, n = _steps(Discriminator(TINY_DISC, 40, 8, seed=3), keras.optimizers.Adam(1e-2), loss, fused=False)
    ours, m = _steps(Discriminator(TINY_DISC, 40, 8, seed=3), keras.optimizers.Adam(1e-2), loss, fused=True)
    assert n == m == 3
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_fused_adam_clips_the_global_norm_as_keras_does():
    tokens = tf.constant(np.random.default_rng(1).integers(0, 40, (8, 8)), tf.int32)

    def loss(g):  # large enough that the norm exceeds the clip and the embedding gradient is sparse
        return -1e3 * tf.reduce_sum(g.token_log_probs(tokens))

    def model():
        return make_generator(TINY_SHAPE, 0.1, np.random.default_rng(0))

    before = [v.numpy() for v in model().trainable_variables]
    theirs, _ = _steps(model(), keras.optimizers.Adam(1e-2, global_clipnorm=5.0), loss, fused=False)
    ours, _ = _steps(model(), keras.optimizers.Adam(1e-2, global_clipnorm=5.0), loss, fused=True)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert any(np.abs(a - s).max() > 1e-3 for a, s in zip(ours, before, strict=True))


@pytest.mark.parametrize("optimizer", [keras.optimizers.Adam(amsgrad=True), keras.optimizers.AdamW(),
                                       keras.optimizers.Adam(clipnorm=1.0), keras.optimizers.SGD()])
def test_settings_the_fused_kernel_does_not_cover_go_through_keras(optimizer):
    optimizer.build([keras.Variable(np.zeros(3, np.float32))])
    assert not gradients.fusable(optimizer)


def test_a_plain_built_adam_is_fused():
    optimizer = keras.optimizers.Adam(1e-3, global_clipnorm=5.0)
    assert not gradients.fusable(optimizer)  # not built yet: Keras builds it on first use
    optimizer.build([keras.Variable(np.zeros(3, np.float32))])
    assert gradients.fusable(optimizer)


def test_embedding_rows_absent_from_a_batch_decay_their_moments_like_tf1_adam():
    d = Discriminator(TINY_DISC, 40, 8, seed=0)
    optimizer = keras.optimizers.Adam(1e-2)
    _steps(d, optimizer, lambda m: tf.reduce_sum(m(tf.range(8)[None, :])), fused=True,
           steps=1)  # rows 0..7 get moments
    index = optimizer._get_variable_index(d.embedding.embeddings)
    before = optimizer._momentums[index].numpy()[:8].copy()
    _steps(d, optimizer, lambda m: tf.reduce_sum(m(tf.fill([1, 8], 20))), fused=True, steps=1)  # row 20 only
    np.testing.assert_allclose(optimizer._momentums[index].numpy()[:8], optimizer.beta_1 * before, rtol=1e-6)
