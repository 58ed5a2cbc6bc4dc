"""The timed rows of the benchmark: each hot path of the paper's schedule, ours and a reference, in one run.

Every row calls its work once untimed (compilation, caches), then `repeats` timed calls; the report uses
medians. Ours and the reference share the models, data and shapes (the components `training.components.build`
makes for a run of the paper profile on the
seeded random oracle: the work per step does not depend on the weights). Rows without a reference are the
remaining inputs of the projected wall time of `make reproduce`.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from reproduction import provenance
from reproduction.bench import flops, reference
from reproduction.config import RunConfig
from reproduction.metrics.bleu import bleu_per_hypothesis
from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import sample_many
from reproduction.progress import Progress
from reproduction.seeding import derive
from reproduction.training.adversarial import AdversarialTraining
from reproduction.training.components import Components, build
from reproduction.training.discriminator import DiscriminatorTrainer
from reproduction.training.evaluation import evaluate
from reproduction.training.rewards import BLEUReward


@dataclass
class Row:
    key: str
    label: str
    ours: list[float]
    flops: float | None = None
    reference: list[float] = field(default_factory=list)
    reference_label: str = ""
    values_agree: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.ours)

    @property
    def reference_median(self) -> float | None:
        return statistics.median(self.reference) if self.reference else None


class Clock:
    """Times callables (one warm-up call, then `repeats`), with one progress bar over all timed calls."""

    def __init__(self, total_calls: int, show_progress: bool):
        self.bar = Progress("bench", total_calls, enabled=show_progress, every=10.0)
        self.calls = 0

    def time(self, what: str, fn: Callable[[int], Any], repeats: int, warmup: bool = True) -> list[float]:
        if warmup:
            fn(repeats)  # an index the timed calls do not use
        times = []
        for i in range(repeats):
            start = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - start)
            self.calls += 1
            self.bar.update(self.calls, what)
        return times


def _seed(i: int, *keys: int) -> tf.Tensor:
    return tf.constant([1000 + i, sum(keys)], tf.int32)


def run(cfg: RunConfig, repeats: int = 3, adv_repeats: int = 2, nltk_sample: int = 20,
        show_progress: bool = True) -> dict[str, Any]:
    """All rows for the shapes and schedule of `cfg` (a SeqGAN configuration)."""
    s, shape = cfg.schedule, cfg.shape
    clock = Clock(14 * repeats + 2 * adv_repeats, show_progress)  # 5 rows x 2 + 4 rows, and the adversarial pair
    parts = build(cfg)  # the components a training run is made of, as the driver builds them
    adversarial = parts.adversarial
    keras.utils.set_random_seed(0)  # the reference models' initialisers and dropout (op determinism is on)
    gen, real, rng = parts.generator, parts.real, np.random.default_rng(0)
    positives = real[:s.d_positives]
    negatives = sample_many(gen, s.d_negatives, np.array([7, 7], np.int32))
    kd = reference.keras_discriminator(parts.discriminator)
    lm = reference.keras_language_model(cfg)
    authors = reference.AuthorsRollout(adversarial.rollout.policy, kd, s.rollout_num)
    pgbleu = AdversarialTraining(gen, adversarial.rollout, adversarial.policy_gradient,
                                 BLEUReward(adversarial.rollout, real, s.rollout_num, cfg.bleu_order), None, s, 0)
    batch = gen.sample_compiled(tf.constant(s.batch_size), _seed(0)).numpy()
    low_cfg = dataclasses.replace(cfg.discriminator, precision="bfloat16")  # the opt-in precision's D training
    low = DiscriminatorTrainer(Discriminator(low_cfg, shape.vocab_size, shape.seq_len, seed=0), low_cfg, cfg.adam,
                               cfg.adam_epsilon)

    def reference_adversarial_batch(i: int) -> None:
        for g in range(s.g_steps):
            samples = gen.sample_compiled(tf.constant(s.batch_size), _seed(i, g)).numpy()
            adversarial.policy_gradient.train_step(tf.constant(samples), tf.constant(authors.rewards(samples, i)))
        for d in range(s.d_steps):
            fake = reference.sample_in_batches(gen, s.d_negatives, s.batch_size, 100 * i + d)
            reference.d_fit(kd, positives, fake, s.k_epochs, s.batch_size)

    def mle_epoch(i: int, rate: float = 1.0) -> None:
        parts.mle.epoch(real, s.batch_size, np.random.default_rng(i), rate)

    rows = [
        Row("mle_epoch", f"one MLE epoch ({s.num_train:,} x {shape.seq_len})",
            clock.time("MLE epoch", mle_epoch, repeats), flops.mle_epoch(cfg),
            clock.time("MLE epoch, Keras fit", lambda i: reference.mle_fit(lm, real, shape.start_token,
                                                                           s.batch_size), repeats),
            "Keras `fit` of Embedding + keras.layers.LSTM + Dense of the same sizes"),
        Row("sampling", f"sampling {s.eval_samples:,} sequences",
            clock.time("sampling", lambda i: sample_many(gen, s.eval_samples, np.array([i, 1], np.int32)), repeats),
            flops.sampling(cfg, s.eval_samples),
            clock.time("sampling, batches of 64", lambda i: reference.sample_in_batches(
                gen, s.eval_samples, s.batch_size, i), repeats),
            "one compiled call per batch of 64 (the authors' generate_samples)"),
        Row("d_epoch", f"one discriminator epoch ({s.d_positives + s.d_negatives:,} sequences, batch "
                       f"{s.batch_size})",
            clock.time("D epoch", lambda i: parts.d_trainer.train(positives, negatives, 1, s.batch_size, rng), repeats),
            flops.d_epoch(cfg, s.d_positives + s.d_negatives),
            clock.time("D epoch, Keras fit", lambda i: reference.d_fit(kd, positives, negatives, 1, s.batch_size),
                       repeats),
            "Keras `fit` (defaults) of the same layers"),
        Row("d_epoch_bfloat16", "one discriminator epoch, bfloat16 compute (opt-in `--precision bfloat16`)",
            clock.time("D epoch, bfloat16", lambda i: low.train(positives, negatives, 1, s.batch_size, rng), repeats),
            flops.d_epoch(cfg, s.d_positives + s.d_negatives)),
        Row("rewards", f"rewards of one batch ({s.batch_size} x {s.rollout_num} rollouts x {shape.seq_len - 1} "
                       "prefixes, plus the full sequences)",
            clock.time("rewards", lambda i: adversarial.reward(tf.constant(batch), _seed(i)).numpy(), repeats),
            flops.rewards(cfg),
            clock.time("rewards, authors' loop", lambda i: authors.rewards(batch, i), repeats),
            f"Python loop over {s.rollout_num} rollouts x {shape.seq_len - 1} prefix lengths, one compiled "
            "completion and one Keras `predict` each (the authors' get_reward)"),
    ]
    adversarial.g_step(0, 0)  # compiles the g-step; the d-step functions are compiled above
    rows.append(Row("g_step", f"SeqGAN g-step (sample {s.batch_size}, rewards, policy-gradient update)",
                    clock.time("g-step", lambda i: adversarial.g_step(i, 0), repeats, warmup=False),
                    flops.g_step(cfg)))
    rows.append(Row("adversarial_batch", f"one adversarial batch (g={s.g_steps}, d={s.d_steps}, k={s.k_epochs})",
                    clock.time("adversarial batch", adversarial.batch, adv_repeats, warmup=False),
                    flops.adversarial_batch(cfg),
                    clock.time("adversarial batch, reference", reference_adversarial_batch, adv_repeats,
                               warmup=False),
                    "the reference rewards, negatives and Keras `fit` above"))
    rows.append(Row("pgbleu_g_step", "PG-BLEU g-step (BLEU-3 rewards against the training data)",
                    clock.time("PG-BLEU g-step", lambda i: pgbleu.g_step(i, 0), repeats)))
    rows.append(evaluation_row(parts, clock, repeats))
    rows.append(Row("ss_epoch", "one scheduled-sampling epoch",
                    clock.time("SS epoch", lambda i: mle_epoch(i, 0.8), repeats)))
    rows.append(bleu_row(s.num_train, s.eval_samples, cfg.bleu_order, nltk_sample))
    d_params = sum(int(np.prod(v.shape)) for v in parts.discriminator.trainable_variables)
    return {"rows": [row.__dict__ for row in rows], "matmul_gflops": flops.matmul_gflops(),
            "memory_gbs": flops.memory_gbs(), "d_params": d_params,
            "config": cfg.to_dict(), "repeats": repeats, "adv_repeats": adv_repeats,
            "commit": provenance.commit(), "machine": provenance.machine(), "when": provenance.now()}


def evaluation_row(parts: Components, clock: Clock, repeats: int) -> Row:
    """One evaluation (`training.evaluation.evaluate`), against the same samples scored through the fused
    softmax cross-entropy op; the two must give the same NLLs to 1e-5."""
    s = parts.cfg.schedule
    fused_generator = reference.FusedOpScorer(parts.generator)
    fused_oracle = reference.FusedOpScorer(parts.oracle.model)

    def fused_evaluation(i: int) -> dict[str, float]:
        samples = sample_many(parts.generator, s.eval_samples, derive(parts.cfg.seed, "eval", "bench", i))
        return {"nll_test": fused_generator.mean_nll(parts.held_out), "nll_oracle": fused_oracle.mean_nll(samples)}

    # The comparison is each path's untimed warm-up call (an index the timed calls do not use).
    ours, theirs = evaluate(parts, "bench", repeats), fused_evaluation(repeats)
    agree = all(abs(ours[k] - theirs[k]) < 1e-5 for k in ("nll_test", "nll_oracle"))
    return Row("evaluation", f"one evaluation (NLL-oracle of {s.eval_samples:,} samples + NLL-test)",
               clock.time("evaluation", lambda i: evaluate(parts, "bench", i), repeats, warmup=False), None,
               clock.time("evaluation, fused op", fused_evaluation, repeats, warmup=False),
               "the same samples scored through TensorFlow's fused softmax cross-entropy op (NLLs "
               f"{'equal to 1e-5' if agree else 'DIFFERENT'})", values_agree=agree)


def bleu_row(references: int, hypotheses: int, n: int, nltk_sample: int, seed: int = 0) -> Row:
    """BLEU-n of `hypotheses` against `references` (heavy-tailed random sequences of length 20, so n-grams
    repeat across sequences as in text): ours on all, nltk's sentence_bleu on `nltk_sample` of them, timed in
    this run and projected to all; the values on the sample must agree to 1e-9."""
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    rng = np.random.default_rng(seed)
    refs = rng.zipf(1.3, (references, 20)) % 5000
    hyps = rng.zipf(1.3, (hypotheses, 20)) % 5000
    start = time.perf_counter()
    ours = bleu_per_hypothesis(refs, hyps, n)
    ours_seconds = time.perf_counter() - start
    ref_lists, smooth = [list(r) for r in refs], SmoothingFunction().method1
    start = time.perf_counter()
    theirs = [sentence_bleu(ref_lists, list(h), (1.0 / n,) * n, smoothing_function=smooth) for h in hyps[:nltk_sample]]
    nltk_projected = (time.perf_counter() - start) / nltk_sample * hypotheses
    agree = bool(np.abs(ours[:nltk_sample] - np.array(theirs)).max() <= 1e-9)
    return Row("bleu", f"BLEU-{n} of {hypotheses:,} hypotheses against {references:,} references", [ours_seconds],
               reference=[nltk_projected], values_agree=agree,
               reference_label=f"nltk sentence_bleu + method1, timed on {nltk_sample} hypotheses and projected")
