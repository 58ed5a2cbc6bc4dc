"""SeqGAN's adversarial training: paper Algorithm 1, one adversarial batch read top to bottom.

The paper's listing, with where each line lives:
     1  initialise G_theta, D_phi with random weights          models/generator.py, models/discriminator.py
     2  pre-train G_theta using MLE on S                        training/mle.py (driver phase `mle`)
     3  beta <- theta                                           RolloutPolicy.sync, before the first batch below
   4-5  negatives from G_theta; pre-train D_phi (cross-entropy) training/discriminator.py, DStep (`d_pretrain`)
     6  repeat                                                  the driver's `adversarial` phase, one batch each:
  7-13    g-steps: sample Y ~ G_theta, Q by Eq. (4), update by Eq. (8)      `AdversarialTraining.batch` below
 14-17    d-steps: fresh negatives + positives, D for k epochs by Eq. (5)
    18    beta <- theta
    19  until SeqGAN converges                                  the profile's number of adversarial batches

PG-BLEU is this same batch with another reward function (`rewards.BLEUReward`) and no discriminator; the
self-imitation control (reward 1, `rewards.OneReward`) has neither discriminator nor rollouts.
"""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf

from reproduction.config import Schedule
from reproduction.models.generator import LSTMPolicy
from reproduction.models.rollout import RolloutPolicy
from reproduction.seeding import derive
from reproduction.training.discriminator import DStep
from reproduction.training.policy_gradient import PolicyGradientTrainer
from reproduction.training.rewards import RewardFunction

fold = tf.random.experimental.stateless_fold_in


@dataclass
class AdversarialTraining:
    generator: LSTMPolicy  # G_theta
    rollout: RolloutPolicy | None  # G_beta (None: a reward without rollouts, the self-imitation control)
    policy_gradient: PolicyGradientTrainer  # Eq. (8)
    reward: RewardFunction  # Q of Eq. (4): D's rollout scores (SeqGAN) or BLEU's (PG-BLEU)
    d_step: DStep | None  # lines 15-16; None when there is no discriminator to train (PG-BLEU)
    schedule: Schedule
    seed: int

    def batch(self, index: int) -> dict[str, float]:
        """One pass through lines 7-18; returns the last g-step's loss and mean reward, and the last d-step's
        loss and accuracy."""
        s, stats = self.schedule, {}
        if index == 0 and self.rollout is not None:  # line 3: beta <- theta, once, after the pretraining (a resumed
            self.rollout.sync()  # run past batch 0 restores its delayed copy from the checkpoint instead)
        for g in range(s.g_steps):  # line 7: for g-steps do
            stats.update(self.g_step(index, g))  # lines 8-12, below
        if self.d_step is not None:
            for d in range(s.d_steps):  # line 14: for d-steps do
                # lines 15-16: fresh negatives from the current G_theta with the positives; k epochs of Eq. (5)
                stats["d_loss"], stats["d_accuracy"] = self.d_step("adversarial", index, d, epochs=s.k_epochs)
        # line 18: beta <- theta (a no-op when the rollout policy is the generator itself, as in the paper;
        # the authors' delayed copy with --rollout-update-rate). Only the g-steps use G_beta, so doing this
        # after the d-steps (paper) or before them (authors' code) gives the same numbers.
        if self.rollout is not None:
            self.rollout.update()
        return stats

    def g_step(self, index: int, g: int) -> dict[str, float]:
        """Lines 8-12: one policy-gradient update of G_theta on a fresh batch of its own samples."""
        seed = tf.constant(derive(self.seed, "g-step", index, g))
        # line 8: generate a sequence Y_1:T ~ G_theta (a batch of them)
        samples = self.generator.sample_compiled(tf.constant(self.schedule.batch_size), fold(seed, 0))
        # lines 9-11: Q(a = y_t; s = Y_1:t-1) for every t by Eq. (4): N Monte Carlo rollouts from each prefix
        rewards = self.reward(samples, fold(seed, 1))
        # line 12: update the generator by policy gradient, Eq. (8), the rewards held constant
        loss = self.policy_gradient.train_step(samples, rewards)
        return {"g_loss": float(loss), "mean_reward": float(tf.reduce_mean(rewards))}
