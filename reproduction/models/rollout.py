"""Monte Carlo rollout: the action value Q(Y_1:t-1, y_t) of paper Eq. (4), for every t, in one compiled call.

For a batch Y of B complete sequences and N rollouts, every prefix Y_1:t (t = 1..T-1) is completed N times
by the rollout policy G_beta, the completions are scored by a scorer (the discriminator for SeqGAN), and
    Q_t = mean over the N completions of score(Y_1:t ++ sampled Y_t+1:T)   for t < T,
    Q_T = score(Y)                                                          (no rollout).

Vectorisation: the rollout policy first reads Y once with teacher forcing, giving the state s_t that
predicts y_t. The completions then advance in lockstep over positions p = 1..T-1: at position p the rows of
every prefix t <= p draw y_p, where the rows of prefix t = p join with the teacher-forced state s_p and the
older rows advance by one step. This samples exactly sum_t (T - t) tokens per rollout, the minimum, with no
Python loop over rollouts or prefixes at run time. Rows are laid out [prefix t, rollout n, batch b]
(row = ((t-1) N + n) B + b), and the rewards come back as [B, T]; tests check this layout.

Rollout policy: the paper uses the generator itself (beta = theta). The authors' code defines a delayed copy
beta <- 0.8 beta + 0.2 theta (`RolloutPolicy.update`), offered here as an option; it starts as the pretrained
generator (`RolloutPolicy.sync`, Algorithm 1 line 3).
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from reproduction.models.generator import LSTMPolicy, draw

Scorer = Callable[[tf.Tensor], tf.Tensor]  # [n, T] int32 -> [n] float32


def complete_prefixes(policy: LSTMPolicy, tokens: tf.Tensor, num: int, seed: tf.Tensor) -> tf.Tensor:
    """Completions [T-1, num, B, T]: entry [t-1, n, b] keeps tokens[b, :t] and samples the rest."""
    seq_len = policy.spec.seq_len
    batch = tf.shape(tokens)[0]
    hs, cs = policy.teacher_forced_states(tokens)

    def tiled(state: tf.Tensor) -> tf.Tensor:  # [B, H] -> [num * B, H], row n * B + b
        return tf.tile(state, [num, 1])

    columns = [tf.tile(tokens[:, 0], [num * (seq_len - 1)])]  # position 0 always holds the given y_1
    h = c = prev = None
    for p in range(1, seq_len):
        if p == 1:
            h, c = tiled(hs[1]), tiled(cs[1])
        else:  # rows of prefixes 1..p-1 advance on their last draw; prefix p joins from teacher forcing
            h, c = policy.cell(prev, (h, c))
            h = tf.concat([h, tiled(hs[p])], axis=0)
            c = tf.concat([c, tiled(cs[p])], axis=0)
        prev = draw(policy.logits_from(h), tf.random.experimental.stateless_fold_in(seed, p))
        given = tf.tile(tokens[:, p], [num * (seq_len - 1 - p)])  # prefixes p+1..T-1 still hold y_p
        columns.append(tf.concat([prev, given], axis=0))
    return tf.reshape(tf.stack(columns, axis=1), [seq_len - 1, num, batch, seq_len])


def rewards_from_scores(scores: tf.Tensor, full_scores: tf.Tensor) -> tf.Tensor:
    """[T-1, N, B] completion scores and [B] scores of Y -> rewards [B, T] (Eq. 4)."""
    partial = tf.transpose(tf.reduce_mean(scores, axis=1))  # [B, T-1]
    return tf.concat([partial, full_scores[:, None]], axis=1)


def mc_rewards(policy: LSTMPolicy, scorer: Scorer, tokens: tf.Tensor, num: int, seed: tf.Tensor) -> tf.Tensor:
    """Q(Y_1:t-1, y_t) for every t: [B, T]. Completions are scored one prefix length at a time."""
    completions = complete_prefixes(policy, tokens, num, seed)
    seq_len = policy.spec.seq_len
    flat = tf.reshape(completions, [seq_len - 1, -1, seq_len])
    scores = tf.map_fn(scorer, flat, fn_output_signature=tf.float32, parallel_iterations=1)
    scores = tf.reshape(scores, [seq_len - 1, num, -1])
    return rewards_from_scores(scores, scorer(tokens))


class RolloutPolicy:
    """The rollout policy G_beta: the generator itself (paper), or the authors' delayed copy."""

    def __init__(self, generator: LSTMPolicy, update_rate: float | None):
        self.generator = generator
        self.update_rate = update_rate
        if update_rate is None:
            self.policy = generator
        else:
            self.policy = LSTMPolicy(generator.spec, name="rollout")
            self.policy.set_params(generator.get_params())

    def sync(self) -> None:
        """beta <- theta (Algorithm 1, line 3: after the generator's pretraining). The authors' code and Texygen's
        build their delayed copy at that point; ours exists from the start (it is checkpointed with the run), so
        it is set here, before the first adversarial batch."""
        if self.update_rate is not None:
            self.policy.set_params(self.generator.get_params())

    def update(self) -> None:
        """After each generator update (authors' code: rollout.update_params())."""
        if self.update_rate is not None:
            self.policy.blend_from(self.generator, self.update_rate)
