"""The authors' LSTM language model (code: target_lstm.py / generator.py): the network of the oracle and of the
generator G_theta (paper Section 3, "The Generative Model": state = tokens so far, action = next token).

The cell:
    i = sig(x Wi + h Ui + bi), f = sig(x Wf + h Uf + bf), o = sig(x Wog + h Uog + bog),
    c~ = tanh(x Wc + h Uc + bc), c = f c + i c~, h = o tanh(c), logits = h Wo + bo,
with h0 = c0 = 0 and the start token as the first input. The four gates are fused into one matmul.

Frozen with N(0, 1) weights it is the synthetic oracle (`oracle/lstm.py`); trained from N(0, 0.1) it is the
generator (`reproduction/models/generator.py`). Parameters travel in the authors' 15-array layout
(`oracle/params.py`), so the authors' oracle file loads without conversion.

`LSTMNetwork` is registered with Keras as "seqgan>LSTMNetwork", so a finished run's `generator.keras` loads with
`keras.saving.load_model` once this module is imported (it needs nothing from `reproduction`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from oracle.params import GATES, PARAM_NAMES
from oracle.shape import LSTMShape


@keras.saving.register_keras_serializable(package="seqgan")
class LSTMNetwork(keras.Model):
    """An LSTM language model over a fixed vocabulary, with teacher forcing and sampling."""

    def __init__(self, shape: LSTMShape, name: str = "generator", **kwargs):
        super().__init__(name=name, **kwargs)
        self.spec = shape
        v, e, h = shape.vocab_size, shape.emb_dim, shape.hidden_dim
        self.embedding = self.add_weight(shape=(v, e), initializer="zeros", name="embedding")
        self.kernel = self.add_weight(shape=(e, 4 * h), initializer="zeros", name="kernel")
        self.recurrent = self.add_weight(shape=(h, 4 * h), initializer="zeros", name="recurrent")
        self.bias = self.add_weight(shape=(4 * h,), initializer="zeros", name="bias")
        self.out_kernel = self.add_weight(shape=(h, v), initializer="zeros", name="out_kernel")
        self.out_bias = self.add_weight(shape=(v,), initializer="zeros", name="out_bias")
        self.built = True

    # ---- Keras serialization (`model.save("x.keras")`, `keras.saving.load_model`) --------------------------
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, "shape": dataclasses.asdict(self.spec)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LSTMNetwork:
        model = cls(LSTMShape(**config["shape"]), name=config.get("name", "generator"))
        model.trainable = config.get("trainable", True)
        return model

    # ---- parameters in the authors' layout -------------------------------------------------------------
    def set_params(self, arrays: list[np.ndarray]) -> None:
        p = dict(zip(PARAM_NAMES, arrays, strict=True))
        self.embedding.assign(p["emb"])
        self.kernel.assign(np.concatenate([p[f"W{g}"] for g in GATES], axis=1))
        self.recurrent.assign(np.concatenate([p[f"U{g}"] for g in GATES], axis=1))
        self.bias.assign(np.concatenate([p[f"b{g}"] for g in GATES]))
        self.out_kernel.assign(p["Wo"])
        self.out_bias.assign(p["bo"])

    def get_params(self) -> list[np.ndarray]:
        split = [np.split(np.asarray(w), 4, axis=-1) for w in (self.kernel, self.recurrent, self.bias)]
        p = {"emb": np.asarray(self.embedding), "Wo": np.asarray(self.out_kernel), "bo": np.asarray(self.out_bias)}
        for k, g in enumerate(GATES):
            p[f"W{g}"], p[f"U{g}"], p[f"b{g}"] = split[0][k], split[1][k], split[2][k]
        return [p[n] for n in PARAM_NAMES]

    # ---- the network ---------------------------------------------------------------------------------------
    def initial_state(self, n: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        zeros = tf.zeros([n, self.spec.hidden_dim])
        return zeros, zeros

    def cell(self, tokens: tf.Tensor, state: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """Consume one token per row; return the new (h, c)."""
        h, c = state
        z = tf.gather(self.embedding, tokens) @ self.kernel + h @ self.recurrent + self.bias
        i, f, o, g = tf.split(z, 4, axis=1)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        return tf.sigmoid(o) * tf.tanh(c), c

    def logits_from(self, h: tf.Tensor) -> tf.Tensor:
        return h @ self.out_kernel + self.out_bias

    def teacher_forced_states(self, tokens: tf.Tensor) -> tuple[list[tf.Tensor], list[tf.Tensor]]:
        """States s_1..s_T after consuming [start, y_1, ..., y_{T-1}]; s_t predicts y_t."""
        n = tf.shape(tokens)[0]
        state = self.initial_state(n)
        inputs = tf.fill([n], self.spec.start_token)
        hs, cs = [], []
        for t in range(self.spec.seq_len):
            state = self.cell(inputs, state)
            hs.append(state[0])
            cs.append(state[1])
            inputs = tokens[:, t]
        return hs, cs

    def call(self, tokens: tf.Tensor) -> tf.Tensor:
        """Teacher-forced logits [n, T, vocab] for the given sequences."""
        hs, _ = self.teacher_forced_states(tokens)
        return self.logits_from(tf.stack(hs, axis=1))

    def token_log_probs(self, tokens: tf.Tensor, temperature: tf.Tensor | None = None) -> tf.Tensor:
        """log G(y_t | Y_1:t-1) for every t: [n, T], computed stably from the logits (divided by `temperature`:
        the distribution softmax(logits / temperature), sharper below 1).

        Written as the target's logit minus the logsumexp of the logits rather than with the fused
        `sparse_softmax_cross_entropy_with_logits` op: the same values and gradients to float32 rounding
        (1e-6 per sequence, 1e-9 in the gradients), but the fused op also writes its own gradient, a second
        [n, T, vocab] tensor, whether or not one is wanted. Scoring runs in half the time, a training step in
        three quarters (docs/speed.md)."""
        logits = self(tokens) if temperature is None else self(tokens) / temperature
        return log_probs_of(tokens, logits)

    def sample(self, n: int | tf.Tensor, seed: tf.Tensor, temperature: tf.Tensor | None = None) -> tf.Tensor:
        """n sequences [n, T] int32 drawn token by token; `seed` is a [2] stateless seed."""
        state = self.initial_state(n)
        tokens = tf.fill([n], self.spec.start_token)
        out = []
        for t in range(self.spec.seq_len):
            state = self.cell(tokens, state)
            step_seed = tf.random.experimental.stateless_fold_in(seed, t)
            logits = self.logits_from(state[0])
            tokens = draw(logits if temperature is None else logits / temperature, step_seed)
            out.append(tokens)
        return tf.stack(out, axis=1)

    @tf.function(input_signature=[tf.TensorSpec([], tf.int32), tf.TensorSpec([2], tf.int32)], autograph=False)
    def sample_compiled(self, n: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return self.sample(n, seed)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)], autograph=False)
    def sequence_nll(self, tokens: tf.Tensor) -> tf.Tensor:
        """Mean per-token negative log-likelihood of each sequence: [n]."""
        return -tf.reduce_mean(self.token_log_probs(tokens), axis=1)

    @tf.function(input_signature=[tf.TensorSpec([], tf.int32), tf.TensorSpec([2], tf.int32),
                                  tf.TensorSpec([], tf.float32)], autograph=False)
    def sample_at(self, n: tf.Tensor, seed: tf.Tensor, temperature: tf.Tensor) -> tf.Tensor:
        """`sample` from softmax(logits / temperature)."""
        return self.sample(n, seed, temperature)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.float32)],
                 autograph=False)
    def token_log_probs_at(self, tokens: tf.Tensor, temperature: tf.Tensor) -> tf.Tensor:
        """`token_log_probs` under softmax(logits / temperature), compiled: [n, T]."""
        return self.token_log_probs(tokens, temperature)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.float32)],
                 autograph=False)
    def sequence_nll_at(self, tokens: tf.Tensor, temperature: tf.Tensor) -> tf.Tensor:
        """`sequence_nll` under softmax(logits / temperature)."""
        return -tf.reduce_mean(self.token_log_probs(tokens, temperature), axis=1)


# `temperature`: None compiles the plain model (training and evaluation); a number, 1 included, the model at a
# temperature (`sample_at`, `sequence_nll_at`). Both give the same numbers at T = 1 (logits / 1.0 is the logits,
# bit for bit; tested), so a temperature curve that passes every T, 1 included, traces one function, not two.

def sample_many(model: LSTMNetwork, n: int, seed: np.ndarray, chunk: int = 10_000,
                temperature: float | None = None) -> np.ndarray:
    """n samples as an int32 numpy array, drawn in chunks (each chunk with its own derived seed), from
    softmax(logits / temperature)."""
    parts = []
    for k, start in enumerate(range(0, n, chunk)):
        chunk_seed = tf.random.experimental.stateless_fold_in(tf.constant(seed, tf.int32), k)
        size = tf.constant(min(chunk, n - start))
        parts.append((model.sample_compiled(size, chunk_seed) if temperature is None else
                      model.sample_at(size, chunk_seed, tf.constant(temperature, tf.float32))).numpy())
    return np.concatenate(parts)


SCORE_BYTES = 24 * 2**20  # the float32 logits, [chunk, T, vocab], of one scoring call: small enough to stay in cache.
# Chunks of 1,000 sequences (410 MB at the paper's shapes) scored 10,000 sequences in 2.59 s on the idle Xeon, chunks
# of 50 to 100 in 1.36 s; at COCO's shapes chunks of 32 take half the time of 256. Each sequence's NLL is the same
# float whatever the chunk (it does not depend on the others in its chunk; tested), so this is a speed setting only.


def score_chunk(shape: LSTMShape) -> int:
    """Sequences per scoring call at `shape`: as many as SCORE_BYTES of logits hold (62 at the paper's shapes)."""
    return max(1, SCORE_BYTES // (4 * shape.seq_len * shape.vocab_size))


def sequence_nll(model: LSTMNetwork, seqs: np.ndarray, chunk: int | None = None,
                 temperature: float | None = None) -> np.ndarray:
    """Per-sequence mean per-token NLL of `seqs` under `model` (at `temperature`): float64 [n], in chunks of
    `chunk` sequences (default: score_chunk)."""
    chunk = chunk or score_chunk(model.spec)
    def score(tokens: tf.Tensor) -> tf.Tensor:
        if temperature is None:
            return model.sequence_nll(tokens)
        return model.sequence_nll_at(tokens, tf.constant(temperature, tf.float32))

    parts = [score(tf.constant(seqs[i:i + chunk], tf.int32)).numpy() for i in range(0, len(seqs), chunk)]
    return np.concatenate(parts).astype(np.float64)


def log_probs_of(tokens: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """log softmax(logits)[..., token] for every position: [n, T] from tokens [n, T] and logits [n, T, vocab]."""
    return tf.gather(logits, tokens, batch_dims=2) - tf.reduce_logsumexp(logits, axis=-1)


def draw(logits: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """One token per row from softmax(logits); one uniform number per row (inverse CDF inside the op)."""
    return tf.cast(tf.random.stateless_categorical(logits, 1, seed=seed)[:, 0], tf.int32)
