"""Maximum-likelihood training of the generator (paper Section 4: "pre-train G_theta using MLE"), and the
scheduled-sampling baseline (Bengio et al. 2015) as a flag of the same step.

Loss: mean per-token NLL; Adam (lr 0.01) with global-norm clipping at 5.0 (authors' code). One call of
`epoch` is one pass over the training data in shuffled batches of 64. With `rate` < 1 the inputs follow
scheduled sampling: each input token is the ground truth with probability `rate`, else the model's own
sample, with a fresh coin for every token at every step.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from oracle.network import log_probs_of
from reproduction.config import KERAS_ADAM_EPSILON, GeneratorConfig
from reproduction.models.generator import LSTMPolicy
from reproduction.training.optimizers import Adam


class MLETrainer:
    def __init__(self, generator: LSTMPolicy, cfg: GeneratorConfig, adam: str = "fused",
                 epsilon: float = KERAS_ADAM_EPSILON):
        self.generator = generator
        self.adam = Adam(generator, cfg.learning_rate, adam, global_clipnorm=cfg.grad_clip, name="mle_adam",
                         epsilon=epsilon)
        self.optimizer = self.adam.optimizer  # its variables are checkpointed

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)], autograph=False)
    def train_step(self, tokens: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(self.generator.token_log_probs(tokens))
        self.adam.minimize(tape, loss)
        return loss

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.float32),
                                  tf.TensorSpec([2], tf.int32)], autograph=False)
    def scheduled_step(self, tokens: tf.Tensor, rate: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            logits, _ = self.generator.scheduled_logits(tokens, rate, seed)
            loss = -tf.reduce_mean(log_probs_of(tokens, logits))
        self.adam.minimize(tape, loss)
        return loss

    def epoch(self, data: np.ndarray, batch_size: int, rng: np.random.Generator, rate: float = 1.0) -> float:
        """One shuffled pass over `data` (teacher forcing, or scheduled sampling when rate < 1)."""
        order = rng.permutation(len(data))
        losses = []
        for i in range(0, len(data), batch_size):
            batch = tf.constant(data[order[i:i + batch_size]])
            if rate >= 1.0:
                losses.append(self.train_step(batch))
            else:
                seed = tf.constant(rng.integers(0, 2**31 - 1, size=2, dtype=np.int32))
                losses.append(self.scheduled_step(batch, tf.constant(rate, tf.float32), seed))
        return float(tf.reduce_mean(losses))
