"""The generator G_theta (paper Section 3, "The Generative Model"): the authors' LSTM network
(`oracle/network.py`, the oracle's architecture) with every weight drawn from N(0, 0.1) (authors' code) and
trained. What only the generator needs lives here: its initialisation, scheduled sampling's inputs, and the
delayed copy the authors' code uses as rollout policy.

A finished run's generator is exported (training/export.py) as a plain `LSTMNetwork` holding the trained weights:
the Keras file then names only the `oracle` package, and loading it needs nothing from `reproduction`.
`LSTMPolicy` is registered too ("seqgan>LSTMPolicy"), for whoever saves the policy itself.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from oracle.network import LSTMNetwork, draw, sample_many
from oracle.params import random_params
from oracle.shape import LSTMShape

__all__ = ["LSTMPolicy", "draw", "make_generator", "sample_many"]


@keras.saving.register_keras_serializable(package="seqgan")
class LSTMPolicy(LSTMNetwork):
    """The generator's policy: the authors' LSTM with scheduled sampling and delayed-copy blending."""

    def blend_from(self, other: LSTMNetwork, rate: float) -> None:
        """The authors' delayed rollout copy: beta <- rate beta + (1 - rate) theta; embeddings copied."""
        self.embedding.assign(other.embedding)
        for mine, theirs in zip(self.trainable_variables[1:], other.trainable_variables[1:], strict=True):
            mine.assign(rate * mine + (1.0 - rate) * theirs)

    def scheduled_logits(self, tokens: tf.Tensor, rate: tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Scheduled sampling (Bengio et al. 2015): logits [n, T, vocab] and the inputs actually fed [n, T].

        At every step and for every row a fresh coin decides: with probability `rate` the next input is the
        ground-truth token, otherwise a token sampled from the model's own prediction at that step.
        """
        n = tf.shape(tokens)[0]
        state = self.initial_state(n)
        inputs = tf.fill([n], self.spec.start_token)
        fold = tf.random.experimental.stateless_fold_in
        logits, fed = [], []
        for t in range(self.spec.seq_len):
            fed.append(inputs)
            state = self.cell(inputs, state)
            step_logits = self.logits_from(state[0])
            logits.append(step_logits)
            own = draw(tf.stop_gradient(step_logits), fold(seed, 2 * t))
            coin = tf.random.stateless_uniform([n], fold(seed, 2 * t + 1)) < rate
            inputs = tf.where(coin, tokens[:, t], own)
        return tf.stack(logits, axis=1), tf.stack(fed, axis=1)


def make_generator(shape: LSTMShape, stddev: float, rng: np.random.Generator,
                   name: str = "generator") -> LSTMPolicy:
    """A generator with every parameter drawn from N(0, stddev^2) (authors' code: stddev 0.1)."""
    model = LSTMPolicy(shape, name=name)
    model.set_params(random_params(shape, stddev, rng))
    return model
