"""One PG-BLEU g-step (paper Section 4, the PG-BLEU baseline): the SeqGAN policy gradient, with the Monte
Carlo reward of each completed rollout being its BLEU-n (n = 3, weights 1/3, as in the authors' old code)
against the real training data, instead of D's score. Rollouts are sampled in TensorFlow; BLEU is the
project's vectorised, nltk-exact implementation (smoothing method1).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from reproduction.metrics.bleu import bleu_per_hypothesis
from reproduction.models.generator import LSTMPolicy
from reproduction.models.rollout import RolloutPolicy, complete_prefixes, rewards_from_scores
from reproduction.training.policy_gradient import PolicyGradientTrainer


class PGBLEUStep:
    def __init__(self, generator: LSTMPolicy, rollout: RolloutPolicy, pg: PolicyGradientTrainer,
                 references: np.ndarray, batch_size: int, rollout_num: int, order: int = 3):
        self.generator, self.rollout, self.pg = generator, rollout, pg
        self.references, self.order = references, order
        self.batch_size, self.rollout_num = batch_size, rollout_num

    @tf.function(input_signature=[tf.TensorSpec([2], tf.int32)])
    def sample_and_complete(self, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        fold = tf.random.experimental.stateless_fold_in
        samples = self.generator.sample(self.batch_size, fold(seed, 0))
        return samples, complete_prefixes(self.rollout.policy, samples, self.rollout_num, fold(seed, 1))

    def g_step(self, seed: np.ndarray) -> tuple[float, float]:
        """Returns the policy-gradient loss and the mean reward of the batch."""
        samples, completions = (x.numpy() for x in self.sample_and_complete(tf.constant(seed)))
        seq_len = samples.shape[1]
        scores = bleu_per_hypothesis(self.references, completions.reshape(-1, seq_len), self.order)
        full = bleu_per_hypothesis(self.references, samples, self.order)
        rewards = rewards_from_scores(tf.constant(scores.reshape(completions.shape[:3]), tf.float32),
                                      tf.constant(full, tf.float32))
        loss = self.pg.train_step(tf.constant(samples), rewards)
        return float(loss), float(tf.reduce_mean(rewards))
