"""A sweep: the training runs an experiment needs, trained one after another, before anything is published.

Each experiment module plans its runs (`RunSpec`: configuration, run directory, shared-pretraining folder)
and publishes from the finished run directories. `reproduce` trains every planned run first and publishes
only when all have finished, so a sweep killed half-way leaves the committed results untouched; rerunning the
same command resumes it (finished runs are not retrained).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reproduction.config import RunConfig
from reproduction.training.driver import train


@dataclass(frozen=True)
class RunSpec:
    cfg: RunConfig
    out: Path
    share_dir: Path | None = None  # where the MLE pretraining is shared with runs of the same settings


def train_all(specs: Iterable[RunSpec], mirror: str | Path | None = None, show_progress: bool = True) -> None:
    """Train (or resume) each run in order; runs sharing pretraining come after the one that leaves it."""
    for spec in specs:
        train(spec.cfg, spec.out, mirror, show_progress, spec.share_dir)
