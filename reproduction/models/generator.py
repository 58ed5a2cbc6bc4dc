"""The generator G_theta: an LSTM policy over tokens (paper Section 3, "The Generative Model").

State = tokens so far, action = next token. The cell is the authors' (code: generator.py / target_lstm.py):
    i = sig(x Wi + h Ui + bi), f = sig(x Wf + h Uf + bf), o = sig(x Wog + h Uog + bog),
    c~ = tanh(x Wc + h Uc + bc), c = f c + i c~, h = o tanh(c), logits = h Wo + bo,
with h0 = c0 = 0 and the start token as the first input. The four gates are fused into one matmul.

The same network, frozen and with N(0, 1) weights, is the synthetic oracle (`oracle/lstm.py`): parameters
travel in the authors' 15-array layout (`PARAM_NAMES`), so the oracle file loads without conversion.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from reproduction.config import LSTMShape

# The authors' parameter layout (target_params.pkl): embedding, then (W, U, b) per gate, then output.
PARAM_NAMES = ("emb", "Wi", "Ui", "bi", "Wf", "Uf", "bf", "Wog", "Uog", "bog", "Wc", "Uc", "bc", "Wo", "bo")
GATES = ("i", "f", "og", "c")  # fused order of the gate blocks


def param_shapes(shape: LSTMShape) -> dict[str, tuple[int, ...]]:
    v, e, h = shape.vocab_size, shape.emb_dim, shape.hidden_dim
    shapes: dict[str, tuple[int, ...]] = {"emb": (v, e)}
    for g in GATES:
        shapes[f"W{g}"], shapes[f"U{g}"], shapes[f"b{g}"] = (e, h), (h, h), (h,)
    shapes["Wo"], shapes["bo"] = (h, v), (v,)
    return shapes


def random_params(shape: LSTMShape, stddev: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Every weight and bias drawn from N(0, stddev^2), in the authors' layout order."""
    return [rng.normal(0.0, stddev, s).astype(np.float32) for s in param_shapes(shape).values()]


class LSTMPolicy(keras.Model):
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

    def blend_from(self, other: LSTMPolicy, rate: float) -> None:
        """The authors' delayed rollout copy: beta <- rate beta + (1 - rate) theta; embeddings copied."""
        self.embedding.assign(other.embedding)
        for mine, theirs in zip(self.trainable_variables[1:], other.trainable_variables[1:], strict=True):
            mine.assign(rate * mine + (1.0 - rate) * theirs)

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

    def token_log_probs(self, tokens: tf.Tensor) -> tf.Tensor:
        """log G(y_t | Y_1:t-1) for every t: [n, T], computed stably from the logits."""
        return -tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tokens, logits=self(tokens))

    def sample(self, n: int | tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """n sequences [n, T] int32 drawn token by token; `seed` is a [2] stateless seed."""
        state = self.initial_state(n)
        tokens = tf.fill([n], self.spec.start_token)
        out = []
        for t in range(self.spec.seq_len):
            state = self.cell(tokens, state)
            step_seed = tf.random.experimental.stateless_fold_in(seed, t)
            tokens = draw(self.logits_from(state[0]), step_seed)
            out.append(tokens)
        return tf.stack(out, axis=1)

    @tf.function(input_signature=[tf.TensorSpec([], tf.int32), tf.TensorSpec([2], tf.int32)])
    def sample_compiled(self, n: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        return self.sample(n, seed)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
    def sequence_nll(self, tokens: tf.Tensor) -> tf.Tensor:
        """Mean per-token negative log-likelihood of each sequence: [n]."""
        return -tf.reduce_mean(self.token_log_probs(tokens), axis=1)


def sample_many(model: LSTMPolicy, n: int, seed: np.ndarray, chunk: int = 10_000) -> np.ndarray:
    """n samples as an int32 numpy array, drawn in chunks (each chunk with its own derived seed)."""
    parts = []
    for k, start in enumerate(range(0, n, chunk)):
        chunk_seed = tf.random.experimental.stateless_fold_in(tf.constant(seed, tf.int32), k)
        parts.append(model.sample_compiled(tf.constant(min(chunk, n - start)), chunk_seed).numpy())
    return np.concatenate(parts)


def draw(logits: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """One token per row from softmax(logits); one uniform number per row (inverse CDF inside the op)."""
    return tf.cast(tf.random.stateless_categorical(logits, 1, seed=seed)[:, 0], tf.int32)


def make_generator(shape: LSTMShape, stddev: float, rng: np.random.Generator,
                   name: str = "generator") -> LSTMPolicy:
    """A generator with every parameter drawn from N(0, stddev^2) (authors' code: stddev 0.1)."""
    model = LSTMPolicy(shape, name=name)
    model.set_params(random_params(shape, stddev, rng))
    return model
