"""Training the discriminator (paper Eq. 5; Algorithm 1, lines 4-5 for pretraining and 15-16 for d-steps).

`DStep` is one d-step: fresh negatives from the current generator plus the real sequences, labelled
fake/real, trained for k epochs of shuffled batches of 64 with cross-entropy + the L2 penalty on the output
layer; Adam 1e-4 (code). Dropout (keep 0.75) draws from a stateless seed per batch, so runs repeat exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from reproduction.config import KERAS_ADAM_EPSILON, DiscriminatorConfig, Schedule
from reproduction.models.discriminator import FAKE, REAL, Discriminator
from reproduction.models.generator import LSTMPolicy, sample_many
from reproduction.seeding import derive, numpy_rng
from reproduction.training.optimizers import Adam


class DiscriminatorTrainer:
    def __init__(self, discriminator: Discriminator, cfg: DiscriminatorConfig, adam: str = "fused",
                 epsilon: float = KERAS_ADAM_EPSILON):
        self.discriminator = discriminator
        self.adam = Adam(discriminator, cfg.learning_rate, adam, name="d_adam", epsilon=epsilon)
        self.optimizer = self.adam.optimizer  # its variables are checkpointed

    def _step(self, tokens: tf.Tensor, labels: tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """One batch of Eq. (5): cross-entropy + L2 on the output layer, one Adam update; (loss, accuracy)."""
        with tf.GradientTape() as tape:
            logits = self.discriminator(tokens, dropout_seed=seed)
            ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            loss = tf.reduce_mean(ce) + self.discriminator.l2_penalty()
        self.adam.minimize(tape, loss)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), labels), tf.float32))
        return loss, accuracy

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None], tf.int32),
                                  tf.TensorSpec([2], tf.int32)], autograph=False)
    def train_step(self, tokens: tf.Tensor, labels: tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return self._step(tokens, labels, seed)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None], tf.int32),
                                  tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.int32),
                                  tf.TensorSpec([None, 2], tf.int32)], autograph=False)
    def train_batches(self, tokens: tf.Tensor, labels: tf.Tensor, order: tf.Tensor, ends: tf.Tensor,
                      seeds: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """`train_step` on each batch in turn, in one compiled loop (no Python call per batch): batch i is
        order[ends[i-1]:ends[i]] (indices into tokens and labels; the last may be shorter) with dropout seed
        seeds[i]; the per-batch losses and accuracies."""
        n = tf.shape(ends)[0]
        starts = tf.concat([[0], ends[:-1]], axis=0)

        def body(i: tf.Tensor, losses: tf.TensorArray, accuracies: tf.TensorArray) -> tuple:
            batch = order[starts[i]:ends[i]]
            loss, accuracy = self._step(tf.gather(tokens, batch), tf.gather(labels, batch), seeds[i])
            return i + 1, losses.write(i, loss), accuracies.write(i, accuracy)

        empty = (tf.TensorArray(tf.float32, size=n), tf.TensorArray(tf.float32, size=n))
        _, losses, accuracies = tf.while_loop(lambda i, *_: i < n, body, (tf.constant(0), *empty))
        return losses.stack(), accuracies.stack()

    def train(self, real: np.ndarray, fake: np.ndarray, epochs: int, batch_size: int,
              rng: np.random.Generator) -> tuple[float, float]:
        """`epochs` passes over real + fake in shuffled batches; returns mean loss and accuracy over the last
        pass. Each pass runs in one compiled loop (`train_batches`): the same updates, in the same order, with the
        same dropout seeds, as one call of `train_step` per batch (tested bit for bit), without a Python call per
        batch."""
        tokens = tf.constant(np.concatenate([real, fake]).astype(np.int32))
        labels = tf.constant(np.concatenate([np.full(len(real), REAL), np.full(len(fake), FAKE)]).astype(np.int32))
        n = len(real) + len(fake)
        ends = np.minimum(np.arange(batch_size, n + batch_size, batch_size), n).astype(np.int32)
        loss = accuracy = float("nan")
        for _ in range(epochs):
            order = rng.permutation(n).astype(np.int32)
            seeds = np.stack([rng.integers(0, 2**31 - 1, size=2, dtype=np.int32)  # one draw per batch, as ever
                              for _ in range(len(ends))])
            losses, accuracies = self.train_batches(tokens, labels, order, ends, seeds)
            loss, accuracy = (float(x) for x in tf.reduce_mean(tf.stack([losses, accuracies], axis=1), axis=0))
        return loss, accuracy


@dataclass
class DStep:
    """One d-step of Algorithm 1: "use current G_theta to generate negative examples and combine with given
    positive examples S" (line 15), "train discriminator D_phi for k epochs by Eq. (5)" (line 16). Every draw
    is keyed by (seed, phase, step, keys), so a resumed run repeats it exactly."""

    trainer: DiscriminatorTrainer
    generator: LSTMPolicy
    real: np.ndarray
    schedule: Schedule
    seed: int

    def __call__(self, phase: str, step: int, *keys: int, epochs: int) -> tuple[float, float]:
        """Returns the discriminator's mean loss and accuracy over its last epoch."""
        s = self.schedule
        negatives = sample_many(self.generator, s.d_negatives, derive(self.seed, "negatives", phase, step, *keys))
        rng = numpy_rng(self.seed, "d-step", phase, step, *keys)
        positives = self.real
        if s.d_positives < len(self.real):
            positives = self.real[rng.choice(len(self.real), s.d_positives, replace=False)]
        return self.trainer.train(positives, negatives, epochs, s.batch_size, rng)
