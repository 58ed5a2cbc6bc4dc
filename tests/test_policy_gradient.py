"""The policy-gradient step (paper Eq. 8): tokens with positive reward become more likely."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from reproduction.config import GeneratorConfig
from reproduction.models.generator import make_generator
from reproduction.training.policy_gradient import PolicyGradientTrainer
from tests.conftest import TINY_SHAPE


def test_positive_reward_raises_the_log_probability_of_the_rewarded_tokens():
    g = make_generator(TINY_SHAPE, 0.1, np.random.default_rng(0))
    tokens = tf.constant(np.random.default_rng(1).integers(0, 40, (4, 8)), tf.int32)
    rewards = tf.constant(np.r_[np.ones((2, 8)), np.zeros((2, 8))], tf.float32)
    before = g.token_log_probs(tokens).numpy()
    trainer = PolicyGradientTrainer(g, GeneratorConfig(learning_rate=1e-3))
    loss = trainer.train_step(tokens, rewards)
    after = g.token_log_probs(tokens).numpy()
    assert (after[:2] > before[:2]).all()
    np.testing.assert_allclose(loss.numpy(), -(before * rewards.numpy()).sum(), rtol=1e-5)


def test_zero_reward_leaves_the_generator_unchanged():
    g = make_generator(TINY_SHAPE, 0.1, np.random.default_rng(0))
    before = g.get_params()
    tokens = tf.constant(np.zeros((2, 8)), tf.int32)
    trainer = PolicyGradientTrainer(g, GeneratorConfig())
    trainer.train_step(tokens, tf.zeros([2, 8]))
    for a, b in zip(before, g.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)
