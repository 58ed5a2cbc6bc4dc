"""The stages of a SeqGAN run at which its generator and discriminator can be read back, for the diagnostics
that look inside a run (highway_health.py, reward_signal.py): as initialised from the run's seed, at the start
of the adversarial phase (the sweep's shared pretraining snapshots, training/shared_pretraining.py, when they
are beside the run) and at its latest checkpoint (which moves at every evaluation while the run trains).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reproduction.config import RunConfig
from reproduction.errors import UserError
from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import LSTMPolicy, make_generator
from reproduction.seeding import numpy_rng
from reproduction.training import checkpoint, shared_pretraining

INITIALISED, PRETRAINED = "initialised", "after pretraining"


@dataclass(frozen=True)
class Stage:
    name: str
    files: dict[str, Path]  # model name ("generator", "discriminator") -> the file holding it; {}: as initialised


def stages(run: Path, cfg: RunConfig, latest: bool = True) -> list[Stage]:
    """The run's stages, in order: initialised, after pretraining (if the snapshots are there), latest (unless
    `latest` is False: then a run restored from its record, which has no checkpoint, still has its first two)."""
    if cfg.method != "seqgan":
        raise UserError(f"{run} is a run of method {cfg.method}: only seqgan runs have a discriminator")
    found = [Stage(INITIALISED, {})]
    share = Path(run).parent / "shared"
    mle, d = (shared_pretraining.path(share, cfg, phase) for phase in shared_pretraining.SHARED_PHASES)
    if mle.is_file() and d.is_file():
        found.append(Stage(PRETRAINED, {"generator": mle, "discriminator": d}))
    if not latest:
        return found
    last = Path(run) / "checkpoint.npz"
    if not last.is_file():
        raise checkpoint.missing(last)
    found.append(Stage(f"latest checkpoint ({checkpoint.progress(checkpoint.read(last))})",
                       {"generator": last, "discriminator": last}))
    return found


def discriminator_at(stage: Stage, cfg: RunConfig) -> Discriminator:
    d = Discriminator(cfg.discriminator, cfg.shape.vocab_size, cfg.shape.seq_len, cfg.seed)
    if "discriminator" in stage.files:
        checkpoint.load_model(stage.files["discriminator"], "discriminator", d)
    return d


def generator_at(stage: Stage, cfg: RunConfig) -> LSTMPolicy:
    g = make_generator(cfg.shape, cfg.generator.init_stddev, numpy_rng(cfg.seed, "generator"))  # as the run did
    if "generator" in stage.files:
        checkpoint.load_model(stage.files["generator"], "generator", g)
    return g


def training_sequences(cfg: RunConfig, n: int, mirror: str | Path | None = None) -> np.ndarray:
    """The first `n` sequences of the run's training data (a diagnostic's `--sequences`)."""
    from reproduction.training.components import load_data

    real = load_data(cfg, mirror)[0]
    if not 4 <= n <= len(real):
        raise UserError(f"--sequences must be between 4 and {len(real):,} (the run's training data), got {n}")
    return real[:n]
