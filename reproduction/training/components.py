"""What a training run is made of, built from its configuration (the driver and the benchmark both use
`build`): the data (oracle samples or a real corpus), the generator with its MLE trainer, and per method the
rollout policy, the reward, the discriminator and the adversarial loop of Algorithm 1.

What each method needs is read from the registry (methods.py): `mle` and `ss` only the generator; a method
with an adversarial phase adds a policy-gradient trainer and its reward: BLEU over rollouts (`pgbleu`), D over
rollouts with the discriminator, its trainer and its d-step (`seqgan`), or 1 (`self-imitation`: no rollouts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oracle.lstm import Oracle
from reproduction.config import RunConfig
from reproduction.datasets.corpus import Corpus
from reproduction.datasets.registry import load_corpus
from reproduction.datasets.synthetic import oracle_data, resolve_oracle
from reproduction.errors import UserError
from reproduction.methods import METHODS
from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import LSTMPolicy, make_generator
from reproduction.models.rollout import RolloutPolicy
from reproduction.seeding import numpy_rng
from reproduction.training.adversarial import AdversarialTraining
from reproduction.training.discriminator import DiscriminatorTrainer, DStep
from reproduction.training.mle import MLETrainer
from reproduction.training.policy_gradient import PolicyGradientTrainer
from reproduction.training.rewards import (
    BaselineReward,
    BLEUReward,
    ConstantReward,
    DiscriminatorReward,
    OneReward,
    RewardFunction,
    ShuffledReward,
)


@dataclass
class Components:
    cfg: RunConfig
    real: np.ndarray  # the training data S
    held_out: np.ndarray  # never trained on: NLL-test; on real data also the BLEU references
    generator: LSTMPolicy
    mle: MLETrainer
    oracle: Oracle | None = None  # synthetic data
    corpus: Corpus | None = None  # real data
    discriminator: Discriminator | None = None
    d_trainer: DiscriminatorTrainer | None = None
    d_step: DStep | None = None
    adversarial: AdversarialTraining | None = None

    def checkpoint_objects(self) -> dict[str, Any]:
        """Every model and optimizer whose variables a checkpoint holds, by name."""
        objects: dict[str, Any] = {"generator": self.generator, "mle_adam": self.mle.optimizer}
        if self.adversarial is not None:
            objects["pg_adam"] = self.adversarial.policy_gradient.optimizer
            if self.adversarial.rollout is not None and self.adversarial.rollout.policy is not self.generator:
                objects["rollout"] = self.adversarial.rollout.policy
        if self.discriminator is not None:
            objects.update(discriminator=self.discriminator, d_adam=self.d_trainer.optimizer)
        return objects

    def pretraining_objects(self, phase: str = "mle") -> dict[str, Any]:
        """What a shared pretraining phase leaves for other runs: after MLE the generator and its optimizer,
        after D pretraining the discriminator and its optimizer (the generator is unchanged by it)."""
        if phase == "d_pretrain":
            return {"discriminator": self.discriminator, "d_adam": self.d_trainer.optimizer}
        return {"generator": self.generator, "mle_adam": self.mle.optimizer}


def load_data(cfg: RunConfig, mirror: str | Path | None) -> tuple[np.ndarray, np.ndarray, Oracle | None,
                                                                 Corpus | None]:
    """(training data, held-out data, oracle, corpus) of the run; loading fails before anything is written."""
    sched, seed = cfg.schedule, cfg.seed
    if cfg.dataset == "synthetic":
        oracle = resolve_oracle(cfg.oracle, cfg.shape, cfg.oracle_seed, mirror)
        return oracle_data(oracle, sched.num_train, seed), oracle_held_out(oracle, cfg), oracle, None
    corpus = load_corpus(cfg.dataset, mirror)
    if (cfg.shape.vocab_size, cfg.shape.seq_len) != (corpus.vocab_size, corpus.seq_len) or \
            sched.num_train > len(corpus.train):
        raise UserError(f"this configuration does not fit the {cfg.dataset} corpus ({corpus.describe()}); size it "
                        "with config.for_corpus")
    return corpus.train[:sched.num_train], corpus.test, None, corpus


def oracle_held_out(oracle: Oracle, cfg: RunConfig) -> np.ndarray:
    """A synthetic run's held-out data: as many oracle samples as its training data, a separate draw never
    trained on (NLL-test's data)."""
    return oracle_data(oracle, cfg.schedule.num_train, cfg.seed, split="test")


def oracle_own_nll(cfg: RunConfig, mirror: str | Path | None = None) -> float:
    """The oracle's NLL of the run's held-out samples: its entropy rate as measured, the NLL-oracle (and the
    NLL-test) a generator equal to the oracle would score. Synthetic runs only; the training split is not drawn."""
    if cfg.dataset != "synthetic":
        raise UserError(f"a {cfg.dataset} run has no oracle")
    oracle = resolve_oracle(cfg.oracle, cfg.shape, cfg.oracle_seed, mirror)
    return float(oracle.sequence_nll(oracle_held_out(oracle, cfg)).mean())


def reward_references(real: np.ndarray, cfg: RunConfig) -> np.ndarray:
    """PG-BLEU's references: the training data, or a seeded random fraction of it (the authors' script kept
    each line with probability 0.4)."""
    if cfg.reward_references >= 1.0:
        return real
    return real[numpy_rng(cfg.seed, "reward-references").random(len(real)) < cfg.reward_references]


def build(cfg: RunConfig, mirror: str | Path | None = None) -> Components:
    """The data, models and trainers of run `cfg`, freshly initialised from its seed."""
    real, held_out, oracle, corpus = load_data(cfg, mirror)
    sched, seed = cfg.schedule, cfg.seed
    generator = make_generator(cfg.shape, cfg.generator.init_stddev, numpy_rng(seed, "generator"))
    mle = MLETrainer(generator, cfg.generator, cfg.adam, cfg.adam_epsilon)
    c = Components(cfg, real, held_out, generator, mle, oracle, corpus)
    method = METHODS[cfg.method]
    if not method.adversarial:
        return c
    rollout = RolloutPolicy(generator, cfg.rollout_update_rate) if method.rollouts else None
    reward: RewardFunction
    if method.discriminator:
        c.discriminator = Discriminator(cfg.discriminator, cfg.shape.vocab_size, cfg.shape.seq_len, seed)
        c.d_trainer = DiscriminatorTrainer(c.discriminator, cfg.discriminator, cfg.adam, cfg.adam_epsilon)
        c.d_step = DStep(c.d_trainer, generator, real, sched, seed)
        reward = DiscriminatorReward(rollout, c.discriminator, sched.rollout_num)
        reward = {"discriminator": reward, "shuffled": ShuffledReward(reward), "constant": ConstantReward(reward)}[
            cfg.reward]
    elif method.reward == "bleu":
        reward = BLEUReward(rollout, reward_references(real, cfg), sched.rollout_num, cfg.bleu_order, cfg.bleu_rule)
    else:
        reward = OneReward()
    if cfg.baseline == "batch-mean":
        reward = BaselineReward(reward)
    policy_gradient = PolicyGradientTrainer(generator, cfg.generator, cfg.adam, cfg.adam_epsilon)
    c.adversarial = AdversarialTraining(generator, rollout, policy_gradient, reward, c.d_step, sched, seed)
    return c
