"""The typed state of a training run: the progress a checkpoint carries (the phase plan is methods.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunState:
    """Where a run stands; saved in every checkpoint, so a killed run resumes at (phase, step)."""

    phase: str
    step: int = 0  # the next step of `phase` to run
    wall: float = 0.0  # seconds of training so far, across sessions
    rows: int = 0  # rows of metrics.csv that belong to this state
    phase_seconds: dict[str, float] = field(default_factory=dict)
    adv_batch_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(saved: dict[str, Any]) -> RunState:
        """Checkpoints written before this type existed also hold keys it dropped (d_stats): ignored."""
        names = {f.name for f in dataclasses.fields(RunState)}
        return RunState(**{k: v for k, v in saved.items() if k in names})

    def tick(self, phase: str, seconds: float) -> None:
        self.wall += seconds
        self.phase_seconds[phase] = self.phase_seconds.get(phase, 0.0) + seconds
