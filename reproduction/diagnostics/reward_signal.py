"""Does the discriminator's reward still point the generator toward the data?

SeqGAN rewards a finished sequence Y with D(Y) (paper Eq. 4), and an unfinished one with the mean of D over
Monte Carlo completions, so the direction of the policy gradient (Eq. 8) comes from how D ranks the
generator's own samples. On the synthetic data the oracle says what "toward the data" means: a useful D
ranks the samples the oracle finds likely above the others. Per stage of a run (run_stages.py: after
pretraining, at the latest checkpoint), for n sequences sampled from the generator:

- the Spearman rank correlation between D's score and the oracle's log-likelihood of each sequence, with a
  95% interval (Fisher's z). D's score is its logit of "real" over "fake", in the same order as D(Y) but free
  of float32 underflow once D(Y) is about 1e-5. Near 0: the rewards push in no useful direction; positive: they
  favour what the oracle finds likely. Beside it, as a reference, the same correlation for the generator's own
  log-likelihood of its samples: what a reward that knows only what G knows would reach;
- the mean D(Y) of those samples and of as many of the run's training sequences, and the samples' NLL-oracle.

Synthetic runs only. `python -m reproduction reward-signal --run DIR` prints the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
from scipy import stats

from oracle.network import sequence_nll
from reproduction.diagnostics import run_stages
from reproduction.errors import UserError
from reproduction.models.discriminator import FAKE, REAL, Discriminator
from reproduction.models.generator import sample_many
from reproduction.run_log import run_config, run_label
from reproduction.seeding import derive


@dataclass(frozen=True)
class RewardSignal:
    stage: str
    spearman: float  # D's score against the oracle's log-likelihood, over the generator's samples
    spearman_ci95: tuple[float, float]
    spearman_generator: float  # the generator's own log-likelihood against the oracle's (the reference)
    d_samples: float  # mean D(Y) of the generator's samples
    d_real: float  # mean D(Y) of training sequences
    nll_oracle: float  # of the generator's samples


def spearman(a: np.ndarray, b: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Spearman's rank correlation (scipy.stats) and its 95% interval by Fisher's z."""
    r = float(stats.spearmanr(a, b).statistic)
    z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), 1.96 / np.sqrt(len(a) - 3)
    return r, (float(np.tanh(z - half)), float(np.tanh(z + half)))


def reward_signal(run: Path, sequences: int = 1000, mirror: str | Path | None = None) -> list[RewardSignal]:
    """D's reward against the oracle in `run`, after pretraining (if the snapshots are there) and now."""
    from reproduction.datasets.synthetic import resolve_oracle

    run = Path(run)
    cfg = run_config(run)
    found = [s for s in run_stages.stages(run, cfg) if s.name != run_stages.INITIALISED]
    if cfg.dataset != "synthetic":
        raise UserError(f"{run} is a {cfg.dataset} run: it has no oracle to judge the rewards by")
    real = run_stages.training_sequences(cfg, sequences, mirror)
    oracle = resolve_oracle(cfg.oracle, cfg.shape, cfg.oracle_seed, mirror)
    signals = []
    for stage in found:
        generator, d = run_stages.generator_at(stage, cfg), run_stages.discriminator_at(stage, cfg)
        samples = sample_many(generator, sequences, derive(cfg.seed, "reward-signal"))
        logits = _logits(d, samples)
        nll = oracle.sequence_nll(samples)
        r, ci = spearman(logits[:, REAL] - logits[:, FAKE], -nll)
        own = spearman(-sequence_nll(generator, samples), -nll)[0]
        signals.append(RewardSignal(stage.name, r, ci, own, _prob_real(logits), _prob_real(_logits(d, real)),
                                    float(nll.mean())))
    return signals


def _logits(d: Discriminator, tokens: np.ndarray, chunk: int = 1000) -> np.ndarray:
    return np.concatenate([d(tf.constant(tokens[i:i + chunk], tf.int32)).numpy().astype(np.float64)
                           for i in range(0, len(tokens), chunk)])


def _prob_real(logits: np.ndarray) -> float:
    """The mean D(Y) (softmax's "real" probability) of the sequences whose logits these are."""
    return float(np.mean(1.0 / (1.0 + np.exp(logits[:, FAKE] - logits[:, REAL]))))


def markdown(run: Path, signals: list[RewardSignal], sequences: int) -> str:
    label = run_label(run)
    lines = [f"# The discriminator's reward against the oracle: {label}", "",
             f"{sequences:,} sequences sampled from the generator at each stage "
             f"(reproduction/diagnostics/reward_signal.py; `python -m reproduction reward-signal --run {label}`). "
             "Spearman: the rank correlation between D's score of each sample and the oracle's log-likelihood of "
             "it (positive: D rewards what the oracle finds likely), with its 95% interval; beside it the same for "
             "the generator's own log-likelihood of its samples.", "",
             "| stage | Spearman, D | 95% interval | Spearman, G's own likelihood | mean D(Y), samples | "
             "mean D(Y), training data | NLL-oracle of the samples |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {s.stage} | {s.spearman:+.3f} | {s.spearman_ci95[0]:+.3f} to {s.spearman_ci95[1]:+.3f} | "
              f"{s.spearman_generator:+.3f} | {s.d_samples:.2e} | {s.d_real:.3f} | {s.nll_oracle:.3f} |"
              for s in signals]
    return "\n".join(lines) + "\n"
