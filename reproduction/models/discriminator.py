"""The discriminator D_phi: the authors' highway CNN over token sequences (paper Section 3, "The
Discriminative Model"; code: discriminator.py).

Embedding 64 (uniform -1..1); one Conv1D per filter width (12 widths, 1,720 filters, truncated-normal
std 0.1, bias 0.1, ReLU, VALID), max over time; one highway layer (ReLU transform, sigmoid gate with no
bias offset); dropout (keep 0.75) while training; a 2-way output layer (truncated normal 0.1, bias 0.1)
whose weights carry the L2 penalty 0.2 * (||W||^2 + ||b||^2) / 2. Output index 1 = "real".

`precision="bfloat16"` (opt-in, not the paper's) runs the convolutions and the highway layer in bfloat16
(Keras's mixed_bfloat16 policy: float32 weights, bfloat16 compute) and the output layer, softmax and loss in
float32; CPUs with avx512_bf16 or AMX run those products faster.

Registered with Keras as "seqgan>Discriminator": a SeqGAN run's `discriminator.keras` loads with
`keras.saving.load_model` once this module is imported.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
import tensorflow as tf
from keras import layers

from reproduction.config import DiscriminatorConfig

REAL, FAKE = 1, 0


@keras.saving.register_keras_serializable(package="seqgan")
class Discriminator(keras.Model):
    def __init__(self, cfg: DiscriminatorConfig, vocab_size: int, seq_len: int, seed: int, **kwargs):
        super().__init__(name="discriminator", **kwargs)
        self.cfg, self.vocab_size, self.seq_len, self.init_seed = cfg, vocab_size, seq_len, seed
        seeds = iter(range(seed * 1000, seed * 1000 + 1000))

        def trunc() -> keras.initializers.Initializer:
            return keras.initializers.TruncatedNormal(stddev=0.1, seed=next(seeds))

        mixed = {"dtype": "mixed_bfloat16"} if cfg.precision == "bfloat16" else {}
        self.embedding = layers.Embedding(  # named: Keras numbers unnamed layers per process (embedding_1, ...)
            vocab_size, cfg.emb_dim,
            embeddings_initializer=keras.initializers.RandomUniform(-1.0, 1.0, seed=next(seeds)), name="embedding")
        self.convs = [
            layers.Conv1D(n, w, activation="relu", kernel_initializer=trunc(),
                          bias_initializer=keras.initializers.Constant(0.1), name=f"conv_w{w}", **mixed)
            for w, n in zip(cfg.filter_sizes, cfg.num_filters, strict=True)
        ]
        total = sum(cfg.num_filters)
        glorot = keras.initializers.GlorotUniform
        self.highway_transform = layers.Dense(total, activation="relu", kernel_initializer=glorot(next(seeds)),
                                              name="highway_transform", **mixed)
        self.highway_gate = layers.Dense(total, activation="sigmoid", kernel_initializer=glorot(next(seeds)),
                                         name="highway_gate", **mixed)
        self.out = layers.Dense(2, kernel_initializer=trunc(), bias_initializer=keras.initializers.Constant(0.1),
                                name="output")
        self(tf.zeros([1, seq_len], tf.int32))

    # ---- Keras serialization (`model.save("x.keras")`, `keras.saving.load_model`) --------------------------
    def get_config(self) -> dict[str, Any]:
        return {"cfg": dataclasses.asdict(self.cfg), "vocab_size": self.vocab_size, "seq_len": self.seq_len,
                "seed": self.init_seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discriminator:
        cfg = dict(config["cfg"])
        cfg["filter_sizes"], cfg["num_filters"] = tuple(cfg["filter_sizes"]), tuple(cfg["num_filters"])
        return cls(DiscriminatorConfig(**cfg), config["vocab_size"], config["seq_len"], config["seed"])

    def features(self, tokens: tf.Tensor) -> tf.Tensor:
        """Max-over-time pooled convolution features after the highway layer: [n, 1720]."""
        return self.highway(self.pool(self.embedding(tokens)))

    def pool(self, embedded: tf.Tensor) -> tf.Tensor:
        """Every convolution over the embedded tokens [n, T, emb], max-pooled over time: [n, 1720]."""
        return tf.concat([tf.reduce_max(conv(embedded), axis=1) for conv in self.convs], axis=1)

    def highway(self, pooled: tf.Tensor) -> tf.Tensor:
        """The highway layer: a sigmoid gate between a ReLU transform of `pooled` and `pooled` itself."""
        gate = self.highway_gate(pooled)
        return gate * self.highway_transform(pooled) + (1.0 - gate) * pooled

    def call(self, tokens: tf.Tensor, dropout_seed: tf.Tensor | None = None) -> tf.Tensor:
        """Logits [n, 2]. With a `dropout_seed` ([2] int32), applies the training-time dropout."""
        h = tf.cast(self.features(tokens), tf.float32)  # (a no-op in float32)
        if dropout_seed is not None:
            h = tf.nn.experimental.stateless_dropout(h, rate=1.0 - self.cfg.dropout_keep, seed=dropout_seed)
        return self.out(h)

    def prob_real(self, tokens: tf.Tensor) -> tf.Tensor:
        """D(Y): the probability that each sequence is real, [n] (inference: no dropout)."""
        return tf.nn.softmax(self(tokens))[:, REAL]

    def l2_penalty(self) -> tf.Tensor:
        return self.cfg.l2_reg * (tf.nn.l2_loss(self.out.kernel) + tf.nn.l2_loss(self.out.bias))
