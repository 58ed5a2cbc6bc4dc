"""Reference implementations of the benchmarked steps, timed beside ours in the same run.

Each does the same work as our step, written the straightforward way: the structure of the authors' TF1
code (a Python loop over rollouts and prefix lengths, each a compiled call on one batch of 64, and D scored
by Keras `predict`; negatives sampled one batch of 64 at a time), or Keras defaults (`fit` for the
discriminator and for an LSTM language model of the generator's sizes). They exist to measure against, not
to train with.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from reproduction.config import RunConfig
from reproduction.models.discriminator import FAKE, REAL, Discriminator
from reproduction.models.generator import LSTMPolicy, draw


class KerasDiscriminator(keras.Model):
    """The same highway CNN layers, trained with `fit` and scored with `predict` (Keras defaults)."""

    def __init__(self, discriminator: Discriminator):
        super().__init__(name="keras_discriminator")
        self.discriminator = discriminator
        self.dropout = layers.Dropout(1.0 - discriminator.cfg.dropout_keep)

    def call(self, tokens: tf.Tensor, training: bool = False) -> tf.Tensor:
        self.add_loss(self.discriminator.l2_penalty())
        return self.discriminator.out(self.dropout(self.discriminator.features(tokens), training=training))


def keras_discriminator(discriminator: Discriminator) -> KerasDiscriminator:
    model = KerasDiscriminator(discriminator)
    model.compile(optimizer=keras.optimizers.Adam(discriminator.cfg.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def d_fit(model: KerasDiscriminator, real: np.ndarray, fake: np.ndarray, epochs: int, batch_size: int) -> None:
    tokens = np.concatenate([real, fake]).astype(np.int32)
    labels = np.concatenate([np.full(len(real), REAL), np.full(len(fake), FAKE)]).astype(np.int32)
    model.fit(tokens, labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)


def keras_language_model(cfg: RunConfig) -> keras.Model:
    """Embedding, keras.layers.LSTM and a Dense output of the generator's sizes, compiled for `fit`."""
    s = cfg.shape
    model = keras.Sequential([keras.Input((s.seq_len,), dtype="int32"), layers.Embedding(s.vocab_size, s.emb_dim),
                              layers.LSTM(s.hidden_dim, return_sequences=True), layers.Dense(s.vocab_size)])
    model.compile(optimizer=keras.optimizers.Adam(cfg.generator.learning_rate, global_clipnorm=cfg.generator.grad_clip),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def mle_fit(model: keras.Model, data: np.ndarray, start_token: int, batch_size: int) -> None:
    """One teacher-forced epoch: inputs [start, y_1..y_T-1], targets y_1..y_T."""
    inputs = np.concatenate([np.full((len(data), 1), start_token), data[:, :-1]], axis=1).astype(np.int32)
    model.fit(inputs, data, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)


class AuthorsRollout:
    """Monte Carlo rewards in the authors' structure (code: rollout.py get_reward): for each rollout i and
    each prefix length t, one compiled call completes the batch from its first t tokens, and D scores the 64
    completions with Keras `predict`; the full sequences are scored last."""

    def __init__(self, policy: LSTMPolicy, scorer: KerasDiscriminator, rollout_num: int):
        self.policy, self.scorer, self.rollout_num = policy, scorer, rollout_num

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([2], tf.int32)], autograph=True)
    def complete(self, tokens: tf.Tensor, given: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """Keep tokens[:, :given], sample the rest (the authors' two while-loops, as one with a branch: the one
        compiled function of the project that autograph converts, into a tf.while_loop over a tensor condition)."""
        policy = self.policy
        n = tf.shape(tokens)[0]
        state = policy.initial_state(n)
        x = tf.fill([n], policy.spec.start_token)
        out = tf.TensorArray(tf.int32, size=policy.spec.seq_len)
        for t in tf.range(policy.spec.seq_len):
            state = policy.cell(x, state)
            if t < given:
                x = tokens[:, t]
            else:
                x = draw(policy.logits_from(state[0]), tf.random.experimental.stateless_fold_in(seed, t))
            out = out.write(t, x)
        return tf.transpose(out.stack())

    def prob_real(self, tokens: np.ndarray) -> np.ndarray:
        return tf.nn.softmax(self.scorer.predict(tokens, verbose=0)).numpy()[:, REAL]

    def rewards(self, tokens: np.ndarray, seed: int) -> np.ndarray:
        batch, seq_len = tokens.shape
        rewards = np.zeros((batch, seq_len), np.float32)
        for i in range(self.rollout_num):
            for given in range(1, seq_len):
                completed = self.complete(tf.constant(tokens), tf.constant(given), tf.constant([seed, i], tf.int32))
                rewards[:, given - 1] += self.prob_real(completed.numpy())
        rewards[:, :-1] /= self.rollout_num
        rewards[:, -1] = self.prob_real(tokens)
        return rewards


def sample_in_batches(policy: LSTMPolicy, n: int, batch_size: int, seed: int) -> np.ndarray:
    """The authors' generate_samples: one compiled sampling call per batch of 64."""
    parts = [policy.sample_compiled(tf.constant(batch_size), tf.constant([seed, k], tf.int32)).numpy()
             for k in range(-(-n // batch_size))]
    return np.concatenate(parts)[:n]


class FusedOpScorer:
    """Per-sequence mean NLL through TensorFlow's fused `sparse_softmax_cross_entropy_with_logits`: our scoring
    path until it became logsumexp minus the target logit (`oracle/network.py`); the fused op also writes the
    gradient, a second [n, T, vocab] tensor."""

    def __init__(self, model: keras.Model):
        self.model = model

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)], autograph=False)
    def score(self, tokens: tf.Tensor) -> tf.Tensor:
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tokens, logits=self.model(tokens))
        return tf.reduce_mean(ce, axis=1)

    def mean_nll(self, seqs: np.ndarray, chunk: int = 1000) -> float:
        return float(np.concatenate([self.score(tf.constant(seqs[i:i + chunk])).numpy()
                                     for i in range(0, len(seqs), chunk)]).astype(np.float64).mean())
