"""The rewards that drive the policy-gradient update: Q(Y_1:t-1, y_t) of paper Eq. (4) for every t.

A reward function maps a batch of sampled sequences Y [B, T] (int32) and a [2] stateless seed to rewards
[B, T] (float32). The methods differ only here:
- `DiscriminatorReward` (SeqGAN): every prefix Y_1:t is completed N times by the rollout policy G_beta and
  each completion is scored by D_phi (its probability of being real); Q_T = D(Y) itself.
- `BLEUReward` (the PG-BLEU baseline, paper Section 4): the same rollouts, each completion scored by its
  BLEU-n against reference data instead of by D (the authors' old script: BLEU-3, weights 1/3).
- Two controls of SeqGAN, which keep D's rewards but remove what they say about each sample:
  `ShuffledReward` gives every sample another sample's reward sequence (a random cyclic permutation of the
  batch: no sample keeps its own), and `ConstantReward` gives every token the batch's mean reward.
  If SeqGAN's gain over MLE survives these, it does not come from the discriminator's judgement.
- `OneReward` (the self-imitation control): every token's reward is 1, with no rollouts and no discriminator;
  Eq. (8) is then the gradient of MLE on the generator's own samples.
- `BaselineReward` wraps any of them: each reward minus the batch's mean reward at the same time step (REINFORCE
  with a baseline, Williams 1992), so a reward common to the batch gives no gradient and only what the reward
  says about each sample against the others is left; the rewards then sum to zero over the batch at every step.
The rollouts themselves are vectorised in `models/rollout.py`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import tensorflow as tf

from reproduction.metrics.bleu import bleu_per_hypothesis
from reproduction.models.discriminator import Discriminator
from reproduction.models.rollout import RolloutPolicy, complete_prefixes, mc_rewards, rewards_from_scores

_SIGNATURE = [tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([2], tf.int32)]


class RewardFunction(Protocol):
    def __call__(self, samples: tf.Tensor, seed: tf.Tensor) -> tf.Tensor: ...


class DiscriminatorReward:
    """SeqGAN's reward: Monte Carlo rollouts scored by the discriminator (Eq. 4), in one compiled call."""

    def __init__(self, rollout: RolloutPolicy, discriminator: Discriminator, rollout_num: int):
        self.rollout, self.discriminator, self.rollout_num = rollout, discriminator, rollout_num

    @tf.function(input_signature=_SIGNATURE, autograph=False)
    def __call__(self, samples: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return mc_rewards(self.rollout.policy, self.discriminator.prob_real, samples, self.rollout_num, seed)


class _ControlReward:
    """A control: D's rewards (`inner`), transformed so that what they say about each sample is lost."""

    def __init__(self, inner: DiscriminatorReward):
        self.inner = inner

    @tf.function(input_signature=_SIGNATURE, autograph=False)
    def __call__(self, samples: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return self.transform(self.inner(samples, seed), tf.random.experimental.stateless_fold_in(seed, 7))

    def transform(self, rewards: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        raise NotImplementedError


class ShuffledReward(_ControlReward):
    """Control (i): D's rewards, each sample given another sample's sequence of rewards."""

    def transform(self, rewards: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        # a random order of the batch; each sample takes the rewards of the one before it in that order
        order = tf.argsort(tf.random.stateless_uniform([tf.shape(rewards)[0]], seed))
        return tf.tensor_scatter_nd_update(rewards, order[:, None], tf.gather(rewards, tf.roll(order, 1, axis=0)))


class ConstantReward(_ControlReward):
    """Control (ii): every token of every sample gets the batch's mean reward from D."""

    def transform(self, rewards: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return tf.fill(tf.shape(rewards), tf.reduce_mean(rewards))


class OneReward:
    """The self-imitation control: Q = 1 for every token (no rollouts, no discriminator)."""

    @tf.function(input_signature=_SIGNATURE, autograph=False)
    def __call__(self, samples: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return tf.ones(tf.shape(samples), tf.float32)


class BaselineReward:
    """`inner`'s rewards minus their mean over the batch at each time step (a per-step baseline)."""

    def __init__(self, inner: RewardFunction):
        self.inner = inner

    def __call__(self, samples: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return subtract_batch_mean(self.inner(samples, seed))


@tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)], autograph=False)
def subtract_batch_mean(rewards: tf.Tensor) -> tf.Tensor:
    return rewards - tf.reduce_mean(rewards, axis=0, keepdims=True)


class BLEUReward:
    """PG-BLEU's reward: the same rollouts, each completion scored by BLEU-n against `references` under
    `rule` (metrics/bleu.py: method1, or legacy = nltk 3.2.x unsmoothed, as the authors' script ran it)."""

    def __init__(self, rollout: RolloutPolicy, references: np.ndarray, rollout_num: int, order: int,
                 rule: str = "method1"):
        self.rollout, self.references, self.rollout_num, self.order = rollout, references, rollout_num, order
        self.rule = rule

    @tf.function(input_signature=_SIGNATURE, autograph=False)
    def completions(self, samples: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return complete_prefixes(self.rollout.policy, samples, self.rollout_num, seed)

    def __call__(self, samples: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        completions = self.completions(samples, seed).numpy()  # [T-1, N, B, T]
        flat = completions.reshape(-1, completions.shape[-1])
        scores = bleu_per_hypothesis(self.references, flat, self.order, rule=self.rule)
        full = bleu_per_hypothesis(self.references, np.asarray(samples), self.order, rule=self.rule)
        return rewards_from_scores(tf.constant(scores.reshape(completions.shape[:3]), tf.float32),
                                   tf.constant(full, tf.float32))
