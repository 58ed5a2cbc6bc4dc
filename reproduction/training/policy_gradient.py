"""One policy-gradient update of the generator (paper Eq. 8; authors' code: generator.py g_loss).

loss = - sum over batch and time of log G_theta(y_t | Y_1:t-1) * Q(Y_1:t-1, y_t), with the rewards Q held
constant, no baseline and no discount, as in the authors' code. A separate Adam (lr 0.01, global-norm clip
5.0) from the MLE one, as in the code. SeqGAN and PG-BLEU share this step; they differ only in the rewards.
"""

from __future__ import annotations

import tensorflow as tf

from reproduction.config import KERAS_ADAM_EPSILON, GeneratorConfig
from reproduction.models.generator import LSTMPolicy
from reproduction.training.optimizers import Adam


class PolicyGradientTrainer:
    def __init__(self, generator: LSTMPolicy, cfg: GeneratorConfig, adam: str = "fused",
                 epsilon: float = KERAS_ADAM_EPSILON):
        self.generator = generator
        learning_rate = cfg.learning_rate if cfg.pg_learning_rate is None else cfg.pg_learning_rate
        self.adam = Adam(generator, learning_rate, adam, global_clipnorm=cfg.grad_clip, name="pg_adam",
                         epsilon=epsilon)
        self.optimizer = self.adam.optimizer  # its variables are checkpointed

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.float32)],
                 autograph=False)
    def train_step(self, tokens: tf.Tensor, rewards: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = -tf.reduce_sum(self.generator.token_log_probs(tokens) * tf.stop_gradient(rewards))
        self.adam.minimize(tape, loss)
        return loss
