"""Table 1's rows: each a training method (methods.py) plus named settings, so a table shows which setting
moves a number. The command line's `--method`/`--methods` take these names.

- The four methods as the paper describes them (Section 4): `mle`, `ss`, `pgbleu`, `seqgan`.
- The two baselines as the authors' old scripts ran them (LantaoYu/SeqGAN 4152436 / 4f1b717, pg_bleu/ and
  schedule_sampling/): `ss-authors`, `pgbleu-authors`.
- Controls of SeqGAN that keep its schedule and pretraining but remove what the discriminator's reward tells
  the generator: `seqgan-shuffled`, `seqgan-constant`, `seqgan-frozen-d`.
- What the gain is made of: `self-imitation` (no discriminator: every reward is 1), `seqgan-baseline` (REINFORCE
  with a baseline: each reward minus the batch's mean reward at the same time step, so only D's per-sample
  information moves the generator) and its shuffled twin `seqgan-baseline-shuffled` (which should do nothing).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from reproduction import config
from reproduction.config import RunConfig
from reproduction.errors import UserError

AUTHORS_PGBLEU_BATCHES_FACTOR = 4  # the PG-BLEU script ran 800 batches where SeqGAN's ran 200
AUTHORS_SS_EPOCHS = 300  # the SS script's epochs (paper profile; scaled profiles keep SS's own length)


def _same(cfg: RunConfig) -> RunConfig:
    return cfg


def _ss_authors(cfg: RunConfig) -> RunConfig:
    return dataclasses.replace(
        cfg, ss_coin="frozen", generator=dataclasses.replace(cfg.generator, learning_rate=0.001),
        schedule=dataclasses.replace(cfg.schedule, mle_eval_every=1,
                                     ss_epochs=AUTHORS_SS_EPOCHS if cfg.profile == "paper" else None))


def _pgbleu_authors(cfg: RunConfig) -> RunConfig:
    s = cfg.schedule
    return dataclasses.replace(
        cfg, bleu_rule="legacy", reward_references=0.4,
        generator=dataclasses.replace(cfg.generator, pg_learning_rate=0.001),
        schedule=dataclasses.replace(s, rollout_num=1, adv_eval_every=1,
                                     adv_batches=AUTHORS_PGBLEU_BATCHES_FACTOR * s.adv_batches))


def _settings(**fields: object) -> Callable[[RunConfig], RunConfig]:
    return lambda cfg: dataclasses.replace(cfg, **fields)


def _frozen_d(cfg: RunConfig) -> RunConfig:
    return dataclasses.replace(cfg, schedule=dataclasses.replace(cfg.schedule, d_steps=0))


@dataclass(frozen=True)
class Variant:
    """A row: `method` with the settings `apply` changes; `label` is its name in tables and figures."""

    name: str
    method: str
    label: str
    description: str
    apply: Callable[[RunConfig], RunConfig] = _same


VARIANTS: dict[str, Variant] = {v.name: v for v in (
    Variant("mle", "mle", "MLE", "MLE continued (paper)"),
    Variant("ss", "ss", "SS (paper's description)",
            "scheduled sampling as the paper describes it: a fresh coin per token and step"),
    Variant("ss-authors", "ss", "SS (authors' script)",
            "the authors' SS script: one frozen coin (0.397 < rate: every input teacher-forced), Adam 0.001, "
            "evaluated every epoch", _ss_authors),
    Variant("pgbleu", "pgbleu", "PG-BLEU (paper's description)",
            "PG-BLEU as the paper describes it: SeqGAN's policy-gradient step (Adam 0.01, 16 rollouts) with "
            "BLEU-3 rewards (smoothing method1, all training data as references)"),
    Variant("pgbleu-authors", "pgbleu", "PG-BLEU (authors' script)",
            "the authors' PG-BLEU script: Adam 0.001, 1 rollout, nltk 3.2.x BLEU-3 (legacy rule) against "
            "a random 40% of the training data, 4x the batches, evaluated every batch", _pgbleu_authors),
    Variant("seqgan", "seqgan", "SeqGAN", "SeqGAN (paper)"),
    Variant("seqgan-shuffled", "seqgan", "SeqGAN, shuffled rewards (control)",
            "control: each sample gets another sample's rewards from D (same magnitudes, no information)",
            _settings(reward="shuffled")),
    Variant("seqgan-constant", "seqgan", "SeqGAN, constant reward (control)",
            "control: every token gets the batch's mean reward from D", _settings(reward="constant")),
    Variant("seqgan-frozen-d", "seqgan", "SeqGAN, frozen discriminator (control)",
            "control: the discriminator frozen after pretraining (no d-steps)", _frozen_d),
    Variant("self-imitation", "self-imitation", "Self-imitation, reward 1 (control)",
            "control: no discriminator and no rollouts; every token's reward is 1 (policy gradient = MLE on the "
            "generator's own samples)"),
    Variant("seqgan-baseline", "seqgan", "SeqGAN, reward minus batch mean (baseline)",
            "REINFORCE with a baseline: D's rewards minus the batch's mean reward at each time step (only D's "
            "per-sample information is left)", _settings(baseline="batch-mean")),
    Variant("seqgan-baseline-shuffled", "seqgan", "SeqGAN, baseline, shuffled rewards (control)",
            "control of seqgan-baseline: each sample gets another sample's rewards, then the batch mean at each "
            "time step is subtracted (no information, no common part)",
            _settings(reward="shuffled", baseline="batch-mean")),
)}
NAMES = tuple(VARIANTS)


def make_variant(name: str, profile: str = "paper", **overrides: object) -> RunConfig:
    """The configuration of Table 1's row `name` (VARIANTS) under `profile`."""
    if name not in VARIANTS:
        raise UserError(f"unknown method {name!r}: choose one of {', '.join(NAMES)}")
    variant = VARIANTS[name]
    return variant.apply(config.make_config(variant.method, profile, **overrides))

