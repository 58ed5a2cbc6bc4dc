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

from reproduction.diagnostics import run_stages
from reproduction.models.discriminator import Discriminator
from reproduction.run_log import run_config, run_label

OPEN, CLOSED, SILENT = 0.99, 0.01, 1e-3


@dataclass(frozen=True)
class HighwayHealth:
    stage: str
    units: int
    dead: float  # shares of the units
    open: float
    closed: float
    silent: float


def unit_health(discriminator: Discriminator, tokens: np.ndarray, stage: str = "",
                chunk: int = 1000) -> HighwayHealth:
    """The shares of highway units that are dead, open, closed or silent on every one of `tokens` (read
    `chunk` sequences at a time)."""
    units = discriminator.highway_gate.units
    dead, gate_open, gate_closed, silent = (np.ones(units, bool) for _ in range(4))
    for start in range(0, len(tokens), chunk):
        pooled = discriminator.pool(discriminator.embedding(tf.constant(tokens[start:start + chunk], tf.int32)))
        gate = discriminator.highway_gate(pooled).numpy()
        dead &= (discriminator.highway_transform(pooled).numpy() <= 0).all(0)
        gate_open &= (gate > OPEN).all(0)
        gate_closed &= (gate < CLOSED).all(0)
        silent &= (np.abs(discriminator.highway(pooled).numpy()) < SILENT).all(0)
    return HighwayHealth(stage, units, *(float(flags.mean()) for flags in (dead, gate_open, gate_closed, silent)))


def highway_health(run: Path, sequences: int = 1000, mirror: str | Path | None = None) -> list[HighwayHealth]:
    """The highway's health in `run` at each of its stages (run_stages.py), on `sequences` of its training
    data."""
    run = Path(run)
    cfg = run_config(run)
    found = run_stages.stages(run, cfg)
    tokens = run_stages.training_sequences(cfg, sequences, mirror)
    return [unit_health(run_stages.discriminator_at(stage, cfg), tokens, stage.name) for stage in found]


def markdown(run: Path, health: list[HighwayHealth], sequences: int) -> str:
    label = run_label(run)
    lines = [f"# The discriminator's highway layer: {label}", "",
             f"Shares of its {health[0].units:,} units, on {sequences:,} sequences of the run's training data "
             f"(reproduction/diagnostics/highway_health.py; `python -m reproduction highway-health --run {label}`). "
             f"Dead: ReLU transform off on every sequence. Open / closed: gate above {OPEN} / below {CLOSED} on "
             f"every sequence. Silent: output below {SILENT:g} on every sequence.", "",
             "| stage | dead transform | gate open | gate closed | silent |", "|---|---|---|---|---|"]
    lines += [f"| {h.stage} | {h.dead:.1%} | {h.open:.1%} | {h.closed:.1%} | {h.silent:.1%} |" for h in health]
    return "\n".join(lines) + "\n"

