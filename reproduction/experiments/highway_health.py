"""How much of the discriminator's highway layer is still alive, at each stage of a run.

The discriminator (paper Section 3, "The Discriminative Model"; authors' discriminator.py `highway`, gate
bias 0) mixes a ReLU transform of its 1,720 max-pooled convolution features x with x itself:
h = t * relu(W_H x + b_H) + (1 - t) * x, t = sigmoid(W_T x + b_T). Per unit, on the run's training data:
- a transform unit whose ReLU is off on every sequence is *dead*: it passes no gradient, so it stays dead;
- a gate *open* on every sequence (t > 0.99) passes only the transform; *closed* (t < 0.01) only x;
- a unit whose output h stays below 1e-3 on every sequence is *silent*: the output layer cannot use it (an
  open gate on a dead transform).

Stages (run_stages.py): the discriminator as the run initialised it (from its seed), after pretraining (the
shared snapshot, if the run's sweep kept one) and at the run's latest checkpoint.
`python -m reproduction highway-health --run DIR` prints the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from reproduction.errors import UserError
from reproduction.experiments import run_stages
from reproduction.models.discriminator import Discriminator
from reproduction.run_log import run_config

OPEN, CLOSED, SILENT = 0.99, 0.01, 1e-3


@dataclass(frozen=True)
class HighwayHealth:
    stage: str
    units: int
    dead: float  # shares of the units
    open: float
    closed: float
    silent: float


def unit_health(discriminator: Discriminator, tokens: np.ndarray, stage: str = "") -> HighwayHealth:
    """The shares of highway units that are dead, open, closed or silent on every one of `tokens`."""
    pooled = discriminator.pool(discriminator.embedding(tf.constant(tokens, tf.int32)))
    gate = discriminator.highway_gate(pooled).numpy()
    transform = discriminator.highway_transform(pooled).numpy()
    out = discriminator.highway(pooled).numpy()
    return HighwayHealth(stage, gate.shape[1], float(np.mean((transform <= 0).all(0))),
                         float(np.mean((gate > OPEN).all(0))), float(np.mean((gate < CLOSED).all(0))),
                         float(np.mean((np.abs(out) < SILENT).all(0))))


def highway_health(run: Path, sequences: int = 1000, mirror: str | Path | None = None) -> list[HighwayHealth]:
    """The highway's health in `run` at each of its stages (run_stages.py), on `sequences` of its training
    data."""
    from reproduction.training.components import load_data

    run = Path(run)
    cfg = run_config(run)
    found = run_stages.stages(run, cfg)
    if sequences < 1:
        raise UserError(f"--sequences must be at least 1, got {sequences}")
    tokens = load_data(cfg, mirror)[0][:sequences]
    return [unit_health(run_stages.discriminator_at(stage, cfg), tokens, stage.name) for stage in found]


def markdown(run: Path, health: list[HighwayHealth], sequences: int) -> str:
    lines = [f"# The discriminator's highway layer: {run}", "",
             f"Shares of its {health[0].units:,} units, on {sequences:,} sequences of the run's training data "
             f"(reproduction/experiments/highway_health.py; `python -m reproduction highway-health --run {run}`). "
             f"Dead: ReLU transform off on every sequence. Open / closed: gate above {OPEN} / below {CLOSED} on "
             f"every sequence. Silent: output below {SILENT:g} on every sequence.", "",
             "| stage | dead transform | gate open | gate closed | silent |", "|---|---|---|---|---|"]
    lines += [f"| {h.stage} | {h.dead:.1%} | {h.open:.1%} | {h.closed:.1%} | {h.silent:.1%} |" for h in health]
    return "\n".join(lines) + "\n"

