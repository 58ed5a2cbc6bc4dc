"""Monte Carlo rollout: prefixes kept, suffixes sampled, Q_T = D(Y), batch layout, the delayed copy."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from oracle.shape import LSTMShape
from reproduction.bench import reference
from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import draw, make_generator
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


# ---- every prefix length against the authors' per-prefix loop (a statistical check) ----------------------------

SMALL = LSTMShape(vocab_size=6, emb_dim=4, hidden_dim=8, seq_len=5)
ALPHA = 1e-4  # per comparison; about 40 comparisons, so a correct rollout fails with probability < 0.5%


def _small_policy_and_prefixes(batch=3):
    """A peaked tiny LSTM (N(0, 1.5) weights: each token's distribution depends strongly on the state) and
    `batch` distinct sequences of it."""
    g = make_generator(SMALL, 1.5, np.random.default_rng(2))
    y = g.sample(tf.constant(batch), tf.constant([4, 2])).numpy()
    assert len({tuple(r) for r in y}) == batch
    return g, y


def authors_loop(policy, tokens, num, seed):
    """Completions [T-1, num, B, T] in the authors' structure (bench/reference.py `AuthorsRollout.complete`): for
    each prefix length t, one call feeds Y_1:t and samples the rest token by token."""
    b, length = tokens.shape
    authors = reference.AuthorsRollout(policy, None, num)  # (kept alive: tf.function binds methods weakly)
    tiled = tf.constant(np.tile(tokens, (num, 1)))  # row n B + b
    return np.stack([authors.complete(tiled, tf.constant(t), tf.constant([seed, t], tf.int32)).numpy()
                     .reshape(num, b, length) for t in range(1, length)])


def plain_loop(policy, tokens, num, seed, skip_last_given=False):
    """The same per-prefix loop written out with the model's cell, logits_from and draw. With
    `skip_last_given` it is deliberately wrong: prefix Y_1:t is completed from the state that has read only
    Y_1:t-1 (the state that predicted y_t), as a rollout joining the teacher-forced states one step early would."""
    b, length = tokens.shape
    tiled = tf.constant(np.tile(tokens, (num, 1)))
    out = []
    for t in range(1, length):
        state, x, columns = policy.initial_state(num * b), tf.fill([num * b], policy.spec.start_token), []
        for p in range(length):
            if not (skip_last_given and p == t):
                state = policy.cell(x, state)
            x = tiled[:, p] if p < t else draw(policy.logits_from(state[0]), tf.constant([seed, t * length + p]))
            columns.append(x)
        out.append(tf.stack(columns, axis=1).numpy().reshape(num, b, length))
    return np.stack(out)


def _p_value(a: np.ndarray, b: np.ndarray) -> float:
    """Chi-square test that two samples of categories come from one distribution (categories with fewer than
    10 draws in both samples together are pooled into one)."""
    from scipy.stats import chi2_contingency

    values, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    counts = np.zeros((2, len(values)))
    np.add.at(counts, (np.r_[np.zeros(len(a), int), np.ones(len(b), int)], inverse), 1)
    rare = counts.sum(axis=0) < 10
    table = np.column_stack([counts[:, ~rare], counts[:, rare].sum(axis=1)]) if rare.any() else counts
    table = table[:, table.sum(axis=0) > 0]
    return 1.0 if table.shape[1] < 2 else float(chi2_contingency(table)[1])


def completion_p_values(ours: np.ndarray, theirs: np.ndarray, vocab: int) -> dict[tuple, float]:
    """For each prefix length t and batch item: the p-value of the token at each later position, and of the
    whole completion Y_t+1:T (coded as one number), ours against theirs."""
    length = ours.shape[-1]
    result = {}
    for t in range(1, length):
        for b in range(ours.shape[2]):
            mine, other = ours[t - 1, :, b], theirs[t - 1, :, b]
            for p in range(t, length):
                result[(t, b, p)] = _p_value(mine[:, p], other[:, p])
            codes = vocab ** np.arange(length - t)
            result[(t, b, "all")] = _p_value(mine[:, t:] @ codes, other[:, t:] @ codes)
    return result


def test_completions_of_every_prefix_length_have_the_distribution_of_the_authors_loop():
    g, y = _small_policy_and_prefixes()
    num, length = 4000, SMALL.seq_len
    ours = complete_prefixes(g, tf.constant(y), num, tf.constant([21, 22])).numpy()
    theirs = authors_loop(g, y, num, seed=23)
    for comp in (ours, theirs):
        assert comp.shape == (length - 1, num, 3, length)
        for t in range(1, length):  # every prefix kept exactly, in every rollout of every batch item
            np.testing.assert_array_equal(comp[t - 1, :, :, :t], np.broadcast_to(y[:, :t], (num, 3, t)))
    p = completion_p_values(ours, theirs, SMALL.vocab_size)
    assert len(p) == 3 * (4 + 3 + 2 + 1 + 4)
    worst = min(p, key=p.get)
    assert p[worst] > ALPHA, f"prefix length, batch item, position {worst}: p = {p[worst]:.2e}"


def test_the_prefix_check_rejects_completions_drawn_from_the_wrong_state():
    """The check above has the power to see a rollout off by one state, and passes the plain loop done right."""
    g, y = _small_policy_and_prefixes()
    num = 4000
    theirs = authors_loop(g, y, num, seed=23)
    right = completion_p_values(plain_loop(g, y, num, seed=24), theirs, SMALL.vocab_size)
    assert min(right.values()) > ALPHA
    wrong = completion_p_values(plain_loop(g, y, num, seed=24, skip_last_given=True), theirs, SMALL.vocab_size)
    rejected = {k for k, v in wrong.items() if v < 1e-12}
    assert {t for t, _, _ in rejected} == {1, 2, 3, 4}  # seen at every prefix length
