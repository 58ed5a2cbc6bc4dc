"""Adam's two implementations (training/optimizers.py): the fused kernel computes what Keras's Adam computes,
and a Keras that broke the fused path stops the run at start instead of training differently."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from reproduction.errors import UserError
from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import make_generator
from reproduction.training import optimizers
from tests.conftest import TINY_DISC, TINY_SHAPE


def _steps(model: keras.Model, implementation: str, loss_fn, steps: int = 3, dense: bool = False, **adam):
    adam = optimizers.Adam(model, 1e-2, implementation, **adam)

    @tf.function
    def step() -> None:
        with tf.GradientTape() as tape:
            loss = loss_fn(model)
        if dense:  # Keras's own Adam on dense gradients (its sparse update differs: see the last test)
            grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, model.trainable_variables)]
            adam.optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        else:
            adam.minimize(tape, loss)

    for _ in range(steps):
        step()
    return [v.numpy() for v in model.trainable_variables], int(adam.optimizer.iterations.numpy())


def test_fused_adam_equals_keras_adam_on_the_discriminator():
    tokens = tf.constant(np.random.default_rng(0).integers(0, 40, (16, 8)), tf.int32)

    def loss(d):
        return tf.reduce_mean(tf.square(d(tokens, dropout_seed=tf.constant([1, 2]))))

    theirs, n = _steps(Discriminator(TINY_DISC, 40, 8, seed=3), "keras", loss, dense=True)
    ours, m = _steps(Discriminator(TINY_DISC, 40, 8, seed=3), "fused", loss)
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
    theirs, _ = _steps(model(), "keras", loss, dense=True, global_clipnorm=5.0)
    ours, _ = _steps(model(), "fused", loss, global_clipnorm=5.0)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert any(np.abs(a - s).max() > 1e-3 for a, s in zip(ours, before, strict=True))


def test_the_keras_implementation_goes_through_apply_gradients(monkeypatch):
    calls = []
    original = keras.optimizers.Adam.apply_gradients
    monkeypatch.setattr(keras.optimizers.Adam, "apply_gradients",
                        lambda self, pairs: calls.append(1) or original(self, pairs))
    monkeypatch.setattr(optimizers, "apply_fused", lambda *a: pytest.fail("the fused path ran"))
    tokens = tf.constant(np.random.default_rng(1).integers(0, 40, (8, 8)), tf.int32)
    _steps(make_generator(TINY_SHAPE, 0.1, np.random.default_rng(0)), "keras",
           lambda g: -tf.reduce_sum(g.token_log_probs(tokens)), steps=1)
    assert calls


def test_a_keras_without_the_private_adam_api_stops_the_run_at_start(monkeypatch):
    monkeypatch.setattr(keras.optimizers.Adam, "_get_variable_index", None)  # as if a release removed it
    with pytest.raises(UserError, match=r"fused Adam update does not work.*--adam keras"):
        optimizers.check_fused_adam.__wrapped__()


def test_a_fused_update_that_no_longer_equals_keras_stops_the_run_at_start(monkeypatch):
    apply = tf.raw_ops.ResourceApplyAdam
    monkeypatch.setattr(tf.raw_ops, "ResourceApplyAdam", lambda grad, **k: apply(grad=grad + 1.0, **k))
    with pytest.raises(UserError, match=r"differs from keras\.optimizers\.Adam"):
        optimizers.check_fused_adam.__wrapped__()


def test_an_unknown_implementation_is_refused():
    with pytest.raises(UserError, match="unknown Adam implementation 'sgd'"):
        optimizers.Adam(make_generator(TINY_SHAPE, 0.1, np.random.default_rng(0)), 1e-2, "sgd")


def test_embedding_rows_absent_from_a_batch_decay_their_moments_like_tf1_adam():
    d = Discriminator(TINY_DISC, 40, 8, seed=0)
    adam = optimizers.Adam(d, 1e-2, "fused")

    def step(tokens):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(d(tokens))
        adam.minimize(tape, loss)

    step(tf.range(8)[None, :])  # rows 0..7 get moments
    optimizer = adam.optimizer
    index = optimizer._get_variable_index(d.embedding.embeddings)
    before = optimizer._momentums[index].numpy()[:8].copy()
    step(tf.fill([1, 8], 20))  # row 20 only
    np.testing.assert_allclose(optimizer._momentums[index].numpy()[:8], optimizer.beta_1 * before, rtol=1e-6)


def test_a_runs_adam_epsilon_reaches_every_optimizer_of_the_run():
    from reproduction.training.components import build
    from tests.conftest import tiny_config

    c = build(tiny_config(adam_epsilon=1e-8))
    optimizers_of_run = [c.mle.optimizer, c.d_trainer.optimizer, c.adversarial.policy_gradient.optimizer]
    assert [o.epsilon for o in optimizers_of_run] == [1e-8] * 3
    assert build(tiny_config()).mle.optimizer.epsilon == 1e-7  # Keras's, the default
