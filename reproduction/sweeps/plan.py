"""A sweep's plan: the runs an experiment needs (`RunSpec`), and which of them wait for which. Read by both
executors (sweep.py trains locally, ray_executor.py on a cluster) and by the status of a sweep; it builds
nothing and imports no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reproduction.config import RunConfig
from reproduction.errors import UserError
from reproduction.methods import shares_pretraining
from reproduction.training import shared_pretraining


@dataclass(frozen=True)
class RunSpec:
    cfg: RunConfig
    out: Path
    share_dir: Path | None = None  # where the MLE pretraining is shared with runs of the same settings
    record: Path | None = None  # where its record goes when it finishes (records.py; None: it keeps none)
    extras: tuple[str, ...] = ()  # what its record carries beyond metrics and run.json (records.EXTRAS)

    def snapshot(self) -> Path | None:
        """The shared-pretraining snapshot this run leaves or starts from (None if it shares none)."""
        if self.share_dir is None or not shares_pretraining(self.cfg):
            return None
        return shared_pretraining.path(self.share_dir, self.cfg)


class SweepFailed(UserError):
    """Some runs of a sweep failed (the others finished and kept their records); no table or figure was
    published."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def dependencies(specs: list[RunSpec]) -> list[int | None]:
    """For each run, the index of the run it must wait for, or None. Runs with the same shared-pretraining
    snapshot form a group; the first of each group (in plan order, as the local executor trains it) leaves the
    snapshot, and the others wait for it. Runs without an `mle` phase (scheduled sampling) wait for nothing."""
    leaders: dict[Path, int] = {}
    waits: list[int | None] = []
    for i, spec in enumerate(specs):
        snapshot = spec.snapshot()
        if snapshot is not None and snapshot in leaders:
            waits.append(leaders[snapshot])
        else:
            waits.append(None)
            if snapshot is not None:
                leaders[snapshot] = i
    return waits


