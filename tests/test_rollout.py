"""Monte Carlo rollout: prefixes kept, suffixes sampled, Q_T = D(Y), batch layout, the delayed copy."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import make_generator
from reproduction.models.rollout import RolloutPolicy, complete_prefixes, mc_rewards
from tests.conftest import TINY_DISC, TINY_SHAPE

T = TINY_SHAPE.seq_len


def _setup(batch=5):
    g = make_generator(TINY_SHAPE, 1.0, np.random.default_rng(0))
    y = g.sample(tf.constant(batch), tf.constant([1, 2]))
    return g, y


def test_rollout_keeps_each_prefix_exactly_and_samples_the_rest():
    g, y = _setup()
    num = 16
    comp = complete_prefixes(g, y, num, tf.constant([3, 4])).numpy()
    y = y.numpy()
    assert comp.shape == (T - 1, num, 5, T)
    for t in range(1, T):
        np.testing.assert_array_equal(comp[t - 1, :, :, :t], np.broadcast_to(y[:, :t], (num, 5, t)))
        # the sampled suffixes differ between rollouts (with 16 rollouts, over a 40-token vocabulary)
        suffixes = {tuple(comp[t - 1, n, b, t:]) for n in range(num) for b in range(5)}
        assert len(suffixes) > 5
    assert comp.min() >= 0 and comp.max() < TINY_SHAPE.vocab_size


def test_rollout_suffix_follows_the_policy_distribution():
    g, y = _setup(batch=1)
    comp = complete_prefixes(g, y, 4000, tf.constant([5, 6])).numpy()
    drawn = comp[T - 2, :, 0, T - 1]  # prefix of length T-1: the last token is sampled from G given y_1..y_T-1
    logits = g(y)[0, T - 1].numpy()
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    assert np.abs(np.bincount(drawn, minlength=40) / 4000 - probs).max() < 0.03


def test_reward_at_the_last_step_is_d_of_the_full_sequence():
    g, y = _setup()
    d = Discriminator(TINY_DISC, 40, T, seed=0)
    rewards = mc_rewards(g, d.prob_real, y, 3, tf.constant([7, 8])).numpy()
    assert rewards.shape == (5, T)
    np.testing.assert_allclose(rewards[:, -1], d.prob_real(y).numpy(), rtol=1e-6)
    assert (rewards >= 0).all() and (rewards <= 1).all()


def test_rewards_stay_with_their_own_batch_item():
    """A scorer that reads only y_1 (kept in every prefix) must give each row its own y_1 at every t."""
    g, y = _setup(batch=7)
    rewards = mc_rewards(g, lambda s: tf.cast(s[:, 0], tf.float32), y, 4, tf.constant([9, 9])).numpy()
    np.testing.assert_array_equal(rewards, np.repeat(y.numpy()[:, :1], T, axis=1).astype(np.float32))


def test_reward_is_the_mean_over_rollouts_of_the_score():
    g, y = _setup(batch=3)
    seed = tf.constant([11, 12])

    def scorer(s):
        return tf.cast(s[:, -1], tf.float32)

    comp = complete_prefixes(g, y, 4, seed).numpy()
    rewards = mc_rewards(g, scorer, y, 4, seed).numpy()
    np.testing.assert_allclose(rewards[:, :-1], comp[:, :, :, -1].mean(axis=1).T, rtol=1e-6)


def test_delayed_rollout_copy_blends_weights_and_copies_embeddings():
    g = make_generator(TINY_SHAPE, 0.1, np.random.default_rng(0))
    rollout = RolloutPolicy(g, update_rate=0.8)
    beta0 = rollout.policy.get_params()
    g.set_params([p + 1.0 for p in g.get_params()])
    rollout.update()
    for name_index, (b0, theta, b1) in enumerate(zip(beta0, g.get_params(), rollout.policy.get_params(),
                                                     strict=True)):
        expected = theta if name_index == 0 else 0.8 * b0 + 0.2 * theta
        np.testing.assert_allclose(b1, expected, rtol=1e-6, atol=1e-6)
    assert RolloutPolicy(g, None).policy is g
