"""Maximum-likelihood training of the generator (paper Section 4: "pre-train G_theta using MLE").

Loss: mean per-token NLL with teacher forcing; Adam (lr 0.01) with global-norm clipping at 5.0 (authors'
code). One call of `epoch` is one pass over the training data in shuffled batches of 64.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from reproduction.config import GeneratorConfig
from reproduction.models.generator import LSTMPolicy
from reproduction.training.gradients import descend


class MLETrainer:
    def __init__(self, generator: LSTMPolicy, cfg: GeneratorConfig):
        self.generator = generator
        self.optimizer = keras.optimizers.Adam(cfg.learning_rate, global_clipnorm=cfg.grad_clip, name="mle_adam")
        self.optimizer.build(generator.trainable_variables)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
    def train_step(self, tokens: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(self.generator.token_log_probs(tokens))
        descend(self.optimizer, tape, loss, self.generator)
        return loss

    def epoch(self, data: np.ndarray, batch_size: int, rng: np.random.Generator) -> float:
        """One shuffled pass over `data`; returns the mean batch loss."""
        order = rng.permutation(len(data))
        losses = [self.train_step(tf.constant(data[order[i:i + batch_size]]))
                  for i in range(0, len(data), batch_size)]
        return float(tf.reduce_mean(losses))
