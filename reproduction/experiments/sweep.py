"""A sweep: the training runs an experiment needs, all trained before anything is published.

Each experiment module plans its runs (`RunSpec`: configuration, run directory, shared-pretraining folder,
record) and publishes from the finished run directories. `reproduce` trains every planned run first and
publishes tables and figures only when all have finished, so a sweep killed half-way leaves them untouched;
rerunning the same command resumes it (finished runs are not retrained). A run that has a record
(records.py) writes it as soon as it finishes, and a later sweep, in another session or on another machine,
puts it back into runs/ instead of training it again.

Two executors train the runs, with the same numbers (given the same TensorFlow thread count, see
ray_executor.py):
  local: one after another in this process (the default; Ray is never imported);
  ray:   each run a Ray task, as many at once as the cluster has CPUs for (ray_executor.py).
Runs that share their MLE pretraining (training/shared_pretraining.py) depend on the first of them, which
leaves the snapshot the others start from: `dependencies` says which run each one waits for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reproduction.config import RunConfig
from reproduction.errors import UserError
from reproduction.experiments import records
from reproduction.experiments.status import shares_pretraining
from reproduction.training import shared_pretraining
from reproduction.training.driver import train

EXECUTORS = ("local", "ray")


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


def restore_records(specs: list[RunSpec]) -> None:
    """Put back into runs/ every planned run that finished in an earlier session (perhaps on another machine)
    and left a matching record, so that it is published, not trained again."""
    for spec in specs:
        if spec.record is None:
            continue
        if records.restore(spec.record, spec.out, spec.cfg, spec.extras):
            print(f"{spec.out}: finished earlier, restored from its record {spec.record}.json", file=sys.stderr)
        elif spec.record.with_suffix(".json").exists() and not (spec.out / "run.json").exists():
            why = records.unusable(spec.record, spec.cfg, spec.extras)  # (a record that cannot stand for the run)
            print(f"{spec.out}: its record {spec.record}.json is not used, so the run is trained: {why}",
                  file=sys.stderr)


def train_all(specs: Iterable[RunSpec], mirror: str | Path | None = None, show_progress: bool = True,
              executor: str = "local", ray_address: str | None = None, cpus_per_run: int = 1) -> None:
    """Train (or resume) every run. local: in order, in this process; runs sharing pretraining come after the
    one that leaves it, and the first failure stops the sweep. ray: see ray_executor.train_all (every run is
    tried; the failures are reported together as SweepFailed)."""
    specs = list(specs)
    restore_records(specs)
    if executor == "local":
        for spec in specs:
            train(spec.cfg, spec.out, mirror, show_progress, spec.share_dir)
            _keep_record(spec, mirror)
    elif executor == "ray":
        try:
            from reproduction.experiments import ray_executor
        except ImportError as e:
            raise UserError(f"--executor ray needs Ray ({e}); install it with "
                            "`pip install -r requirements-ray.txt` (make install does)") from e
        try:
            ray_executor.train_all(specs, mirror, show_progress, ray_address, cpus_per_run)
        finally:  # (the runs that finished keep their records even when others failed)
            for spec in specs:
                _keep_record(spec, mirror)
    else:
        raise UserError(f"unknown executor {executor!r}: choose one of {', '.join(EXECUTORS)}")


def _keep_record(spec: RunSpec, mirror: str | Path | None) -> None:
    if spec.record is not None and records.finished(spec.out):
        records.write(spec.out, spec.record, spec.extras, mirror)
