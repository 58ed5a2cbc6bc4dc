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
leaves the snapshot the others start from: `plan.dependencies` says which run each one waits for.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path

from reproduction.errors import UserError
from reproduction.sweeps import records
from reproduction.sweeps.plan import RunSpec

EXECUTORS = ("local", "ray")


def restore_records(specs: list[RunSpec]) -> list[RunSpec]:
    """Put back into runs/ every planned run that finished in an earlier session (perhaps on another machine)
    and left a matching record, so that it is published, not trained again; returns the runs that stand restored
    from their records (now, or by an earlier command). A record that cannot stand for its run is named, with
    why, on stderr."""
    return [spec for spec in specs if _restore(spec, spec.out) or records.restored(spec.out)]


def status_view(specs: list[RunSpec], scratch: Path, retrain: bool = False) -> list[RunSpec]:
    """The sweep as `reproduce` would find it after restoring its records (with `retrain`: after forgetting the
    runs restored by an earlier command), for `--status`, which writes nothing into runs/: such a run is restored
    into `scratch` (or, forgotten, points to an empty folder there) and its spec points there."""
    view = []
    for spec in specs:
        shadow = Path(scratch) / spec.out.parent.name / spec.out.name
        if (records.restored(spec.out) if retrain else _restore(spec, shadow)):
            spec = dataclasses.replace(spec, out=shadow)
        view.append(spec)
    return view


def forget_restored(specs: list[RunSpec]) -> list[RunSpec]:
    """`--retrain`: take out of runs/ the runs an earlier command restored from their records, so that they are
    trained like the others (records.unrestore); returns them."""
    return [spec for spec in specs if records.unrestore(spec.out)]


def _restore(spec: RunSpec, run: Path) -> bool:
    """Restore `spec`'s record into `run` if the run is not in runs/ yet and the record matches; a record that
    cannot stand for the run is named, with why, on stderr."""
    if spec.record is None or (spec.out / "run.json").exists():
        return False
    if records.restore(spec.record, run, spec.cfg, spec.extras):
        return True
    if spec.record.with_suffix(".json").exists():
        why = records.unusable(spec.record, spec.cfg, spec.extras)  # (a record that cannot stand for the run)
        print(f"{spec.out}: its record {spec.record}.json is not used, so the run is trained: {why}",
              file=sys.stderr)
    return False


def train_all(specs: Iterable[RunSpec], mirror: str | Path | None = None, show_progress: bool = True,
              executor: str = "local", ray_address: str | None = None, cpus_per_run: int = 1,
              restore: bool = True) -> None:
    """Train (or resume) every run, after restoring those with a record (unless `restore` is False). local: in
    order, in this process; runs sharing pretraining come after the one that leaves it, and the first failure
    stops the sweep. ray: see ray_executor.train_all (every run is tried; the failures are reported together as
    SweepFailed)."""
    specs = list(specs)
    if restore:
        restore_records(specs)
    if executor == "local":
        from reproduction.training.driver import train  # (TensorFlow loads here: planning and status need none)

        for spec in specs:
            train(spec.cfg, spec.out, mirror, show_progress, spec.share_dir)
            _keep_record(spec, mirror)
    elif executor == "ray":
        try:
            from reproduction.sweeps import ray_executor
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
