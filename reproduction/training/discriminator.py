"""Training the discriminator (paper Eq. 5 and Algorithm 1, lines 4-5 and 11-14).

One d-step: fresh negatives from the generator plus the real sequences, labelled fake/real, trained for k
epochs of shuffled batches of 64 with cross-entropy + the L2 penalty on the output layer; Adam 1e-4 (code).
Dropout (keep 0.75) draws from a stateless seed per batch, so runs repeat exactly.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from reproduction.config import DiscriminatorConfig
from reproduction.models.discriminator import FAKE, REAL, Discriminator
from reproduction.training.gradients import descend


class DiscriminatorTrainer:
    def __init__(self, discriminator: Discriminator, cfg: DiscriminatorConfig):
        self.discriminator = discriminator
        self.optimizer = keras.optimizers.Adam(cfg.learning_rate, name="d_adam")
        self.optimizer.build(discriminator.trainable_variables)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None], tf.int32),
                                  tf.TensorSpec([2], tf.int32)])
    def train_step(self, tokens: tf.Tensor, labels: tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            logits = self.discriminator(tokens, dropout_seed=seed)
            ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            loss = tf.reduce_mean(ce) + self.discriminator.l2_penalty()
        descend(self.optimizer, tape, loss, self.discriminator)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), labels), tf.float32))
        return loss, accuracy

    def train(self, real: np.ndarray, fake: np.ndarray, epochs: int, batch_size: int,
              rng: np.random.Generator) -> tuple[float, float]:
        """`epochs` passes over real + fake; returns mean loss and accuracy over the last pass."""
        tokens = np.concatenate([real, fake]).astype(np.int32)
        labels = np.concatenate([np.full(len(real), REAL), np.full(len(fake), FAKE)]).astype(np.int32)
        loss = accuracy = float("nan")
        for _ in range(epochs):
            order = rng.permutation(len(tokens))
            stats = []
            for i in range(0, len(tokens), batch_size):
                idx = order[i:i + batch_size]
                seed = rng.integers(0, 2**31 - 1, size=2, dtype=np.int32)
                stats.append(self.train_step(tf.constant(tokens[idx]), tf.constant(labels[idx]), tf.constant(seed)))
            loss, accuracy = (float(x) for x in tf.reduce_mean(tf.stack([tf.stack(s) for s in stats]), axis=0))
        return loss, accuracy
