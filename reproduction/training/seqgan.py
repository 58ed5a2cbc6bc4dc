"""One SeqGAN g-step (paper Algorithm 1, lines 7-10), compiled as a single TensorFlow function.

Sample a batch Y ~ G_theta, compute Q(Y_1:t-1, y_t) for all t by Monte Carlo rollout scored by D_phi
(Eq. 4), and take one policy-gradient step (Eq. 8).
"""

from __future__ import annotations

import tensorflow as tf

from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import LSTMPolicy
from reproduction.models.rollout import RolloutPolicy, mc_rewards
from reproduction.training.policy_gradient import PolicyGradientTrainer


class SeqGANStep:
    def __init__(self, generator: LSTMPolicy, discriminator: Discriminator, rollout: RolloutPolicy,
                 pg: PolicyGradientTrainer, batch_size: int, rollout_num: int):
        self.generator, self.discriminator, self.rollout, self.pg = generator, discriminator, rollout, pg
        self.batch_size, self.rollout_num = batch_size, rollout_num

    @tf.function(input_signature=[tf.TensorSpec([2], tf.int32)])
    def g_step(self, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Returns the policy-gradient loss and the mean reward of the batch."""
        fold = tf.random.experimental.stateless_fold_in
        samples = self.generator.sample(self.batch_size, fold(seed, 0))
        rewards = mc_rewards(self.rollout.policy, self.discriminator.prob_real, samples, self.rollout_num,
                             fold(seed, 1))
        loss = self.pg.train_step(samples, rewards)
        return loss, tf.reduce_mean(rewards)
