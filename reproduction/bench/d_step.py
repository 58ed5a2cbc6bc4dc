"""Where one discriminator training step spends its time (`bench --d-step`): the profile behind the
adversarial batch's distance from its floor, since 5 d-steps x 3 epochs of D training are most of a batch at
the paper's schedule (Algorithm 1, lines 11-14).

One step is a batch of 64 sequences through the highway CNN, cross-entropy, its gradient and an Adam update.
Each part is timed on its own, compiled, at the configuration's shapes: the convolutions (forward and
backward), the highway and output layers (forward and backward), the whole forward and backward pass, the
Adam update as this project applies it (fused) and as Keras applies it, and the whole step, ours and Keras
`fit`'s (the reference: one `fit` epoch over 20 batches, per batch). Floors are the
part's FLOPs (bench/flops.py) over the matmul rate measured in the same run.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from reproduction import provenance
from reproduction.bench import flops, reference
from reproduction.config import RunConfig
from reproduction.models.discriminator import Discriminator
from reproduction.training.discriminator import DiscriminatorTrainer
from reproduction.training.optimizers import apply_fused


def _median_ms(fn: Callable[[], Any], calls: int, repeats: int) -> float:
    fn()  # compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            out = fn()
        np.asarray(tf.nest.flatten(out)[0])
        times.append((time.perf_counter() - start) / calls * 1e3)
    return statistics.median(times)


def run(cfg: RunConfig, calls: int = 20, repeats: int = 5) -> dict[str, Any]:
    """Milliseconds per part of one D step (batch `cfg.schedule.batch_size`), medians of `repeats` x `calls`."""
    shape, b = cfg.shape, cfg.schedule.batch_size
    d = Discriminator(cfg.discriminator, shape.vocab_size, shape.seq_len, seed=0)
    trainer = DiscriminatorTrainer(d, cfg.discriminator)
    keras_adam = keras.optimizers.Adam(cfg.discriminator.learning_rate)
    keras_adam.build(d.trainable_variables)
    rng = np.random.default_rng(0)
    tokens = tf.constant(rng.integers(0, shape.vocab_size, (b, shape.seq_len)), tf.int32)
    labels = tf.constant(rng.integers(0, 2, b), tf.int32)
    seed = tf.constant([1, 2], tf.int32)
    x = d.embedding(tokens)
    pooled = d.pool(x)
    conv_vars = [v for conv in d.convs for v in conv.trainable_variables]
    head_vars = [v for layer in (d.highway_gate, d.highway_transform, d.out) for v in layer.trainable_variables]

    @tf.function(autograph=False)
    def convolutions() -> list[tf.Tensor]:
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(d.pool(x))
        return tape.gradient(loss, [x, *conv_vars])

    @tf.function(autograph=False)
    def highway_and_output() -> list[tf.Tensor]:
        with tf.GradientTape() as tape:
            tape.watch(pooled)
            loss = tf.reduce_sum(d.out(d.highway(pooled)))
        return tape.gradient(loss, [pooled, *head_vars])

    @tf.function(autograph=False)
    def gradients() -> list[tf.Tensor]:
        with tf.GradientTape() as tape:
            logits = d(tokens, dropout_seed=seed)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        return tape.gradient(loss, d.trainable_variables)

    grads = [tf.convert_to_tensor(g) for g in gradients()]

    @tf.function(autograph=False)
    def fused_adam() -> tf.Tensor:
        apply_fused(trainer.optimizer, grads, d.trainable_variables)
        return trainer.optimizer.iterations

    @tf.function(autograph=False)
    def keras_adam_update() -> tf.Tensor:
        keras_adam.apply_gradients(zip(grads, d.trainable_variables, strict=True))
        return keras_adam.iterations

    fit_model = reference.keras_discriminator(Discriminator(cfg.discriminator, shape.vocab_size, shape.seq_len,
                                                            seed=0))
    fit_tokens, fit_labels = np.tile(tokens.numpy(), (calls, 1)), np.tile(labels.numpy(), calls)

    def keras_fit() -> tf.Tensor:
        """`calls` steps of Keras `fit` (defaults, one epoch over `calls` batches), per step: as `fit` trains D."""
        fit_model.fit(fit_tokens, fit_labels, batch_size=b, epochs=1, shuffle=False, verbose=0)
        return fit_model.optimizer.iterations

    low = dataclasses.replace(cfg.discriminator, precision="bfloat16")  # the opt-in reduced precision
    d_low = Discriminator(low, shape.vocab_size, shape.seq_len, seed=0)
    trainer_low = DiscriminatorTrainer(d_low, low)
    gflops = flops.matmul_gflops()
    forward = flops.d_forward(cfg.discriminator, shape.seq_len) * b
    features = sum(cfg.discriminator.num_filters)
    head = (2 * 2.0 * features * features + 2.0 * features * 2) * b
    parts = [
        ("convolutions, forward + backward", convolutions, flops.TRAIN * (forward - head)),
        ("highway + output layers, forward + backward", highway_and_output, flops.TRAIN * head),
        ("whole forward + backward (with embedding, dropout, loss)", gradients, flops.TRAIN * forward),
        ("Adam update, fused (ours)", fused_adam, None),
        ("Adam update, Keras `apply_gradients`", keras_adam_update, None),
        ("whole training step, bfloat16 compute (opt-in --precision bfloat16)",
         lambda: trainer_low.train_step(tokens, labels, seed), flops.TRAIN * forward),
        ("whole training step, Keras `fit` (the same layers, Keras defaults; reference)", keras_fit,
         flops.TRAIN * forward),
        ("whole training step (ours)", lambda: trainer.train_step(tokens, labels, seed), flops.TRAIN * forward),
    ]
    rows = [{"part": name, "ms": _median_ms(fn, 1, repeats) / calls if fn is keras_fit else
             _median_ms(fn, calls, repeats),
             "floor_ms": None if work is None else work / (gflops * 1e9) * 1e3} for name, fn, work in parts]
    parameters = int(sum(np.prod(v.shape) for v in d.trainable_variables))
    return {"rows": rows, "matmul_gflops": gflops, "parameters": parameters, "batch_size": b,
            "config": cfg.to_dict(), "calls": calls, "repeats": repeats, "commit": provenance.commit(),
            "machine": provenance.machine(), "when": provenance.now()}


def markdown(result: dict[str, Any]) -> str:
    m, rows = result["machine"], result["rows"]
    step = rows[-1]["ms"]
    low = next((r["ms"] for r in rows if "bfloat16" in r["part"]), None)
    lines = [
        "# One discriminator training step, part by part",
        "",
        f"`python -m reproduction bench --d-step` at the `{result['config']['profile']}` profile's shapes: a batch "
        f"of {result['batch_size']}, {result['parameters']:,} parameters; {provenance.describe_cpu(m)}, "
        f"TensorFlow {m['tensorflow']}; commit {result['commit']}, {result['when']}. Medians of "
        f"{result['repeats']} x {result['calls']} compiled calls per part; floor = the part's matmul and "
        f"convolution FLOPs over this machine's float32 matmul rate measured in the same run "
        f"({result['matmul_gflops']:.0f} GFLOP/s).",
        "",
        "| part | ms | share of a step | floor (ms) | part / floor |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        floor = r["floor_ms"]
        floor_cells = "– | –" if floor is None else f"{floor:.2f} | {r['ms'] / floor:.1f}x"
        lines.append(f"| {r['part']} | {r['ms']:.2f} | {r['ms'] / step:.0%} | {floor_cells} |")
    fit = next((r["ms"] for r in rows if "`fit`" in r["part"]), None)
    if fit is not None:
        lines += ["", f"Our step against Keras `fit`'s step of the same layers, same run: {fit / step:.2f}x as fast."]
    if low is not None:
        verdict = "pays" if step / low >= 1.1 else "does not pay"
        lines += ["", f"bfloat16 compute (float32 weights, optimizer and loss) against float32, same run: "
                      f"{step / low:.2f}x the speed of a float32 step: it {verdict} on this machine "
                      f"(floors are float32's)."]
    return "\n".join(lines) + "\n"
