"""A sweep's runs as Ray tasks: `reproduce --executor ray [--ray-address ADDR] [--cpus-per-run N]`.

Tasks, not Ray Tune trials. A sweep here is a fixed list of runs (no search, no early stopping), each of
which already checkpoints, resumes, logs and reports through its own run directory (training/driver.py),
and the results are published from those directories. Tune would add what we do not use (searchers,
schedulers, its own trial directories, checkpoint syncing and result reporting through `tune.report`, and
ray[tune]'s extra dependencies) and lacks what we need: trials are independent, while a run that shares its
MLE pretraining must start after the run that leaves the snapshot. A plain task per run (`train` on its
directory, the driver's own code) keeps the numbers, files and resume of the local executor unchanged.

Dependencies. Runs with the same shared-pretraining snapshot (training/shared_pretraining.py: same key) form
a group; its first run in plan order leaves the snapshot at the end of its `mle` phase and is submitted at
once, with the runs that share nothing. The others of the group are submitted as soon as the snapshot file
exists (the driver polls for it: it is written atomically, so existing means complete), or when the first
run has ended in any way (if it failed before its snapshot, each of them trains the same deterministic
pretraining). So every run starts from the same pretraining as under the local executor, and the rest of the
group overlaps the first run's adversarial phase, not waiting for all of it.

CPUs and threads. Each task asks Ray for `cpus_per_run` CPUs (default 1), so a node runs at most CPUs /
cpus_per_run runs at once, and runs in a fresh worker process (max_calls=1: TensorFlow's memory goes back
when the run ends) whose TF_NUM_INTRAOP_THREADS, TF_NUM_INTEROP_THREADS and OMP_NUM_THREADS are set to the
same number through the task's runtime environment, before TensorFlow starts (and again through
tf.config.threading). TensorFlow's numbers depend on its thread count (the oracle's samples too): a run is
reproduced exactly by the local executor run with TF_NUM_INTRAOP_THREADS=TF_NUM_INTEROP_THREADS=cpus_per_run,
and the driver, which publishes, takes the same thread count (as the local executor trains and publishes in
one process).

Storage. A task trains where the local executor would (`--runs`, relative paths resolved in the driver's
working directory, which every task enters first): on a cluster the checkout and the runs directory must be
at the same path on every node, i.e. on a shared filesystem (pass an absolute path on it as --runs); the
driver polls the same files for the status lines and publishes from them after every run has finished.

Failures and resume. A run that raises a UserError (a bad oracle file, a locked directory, ...) ends its task
with that message; the others go on; at the end the sweep raises SweepFailed naming each failed run and why
(exit status 2 for user errors) and nothing is published. A killed worker's task is retried by Ray; a killed
driver's tasks are cancelled by Ray; the same command resumes every unfinished run from its checkpoint, and
runs already complete are not submitted at all.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import ray

from reproduction.errors import UserError
from reproduction.sweeps import status
from reproduction.sweeps.plan import RunSpec, SweepFailed, dependencies

# What a task needs from the driver's environment: the data cache and mirror, TensorFlow's logging and backend.
FORWARDED_ENV = ("SEQGAN_DATA_DIR", "SEQGAN_DATA_MIRROR", "TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")


def task_env(threads: int) -> dict[str, str]:
    """The environment variables of each task's worker process."""
    env = {name: os.environ[name] for name in FORWARDED_ENV if os.environ.get(name)}
    env.update(TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS=str(threads),
               OMP_NUM_THREADS=str(threads))
    return env


def _set_threads(threads: int) -> None:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow had started already, with the same numbers from the environment
        pass


@ray.remote(max_calls=1)
def train_run(spec: RunSpec, mirror: str | Path | None, cwd: str, threads: int) -> dict[str, Any]:
    """One run, in a Ray worker: {"ok": True, "summary": ...} or {"ok": False, "error", "exit_code"}."""
    host = platform.node()
    try:
        os.chdir(cwd)
    except OSError as e:
        return {"ok": False, "exit_code": 2, "host": host,
                "error": f"the driver's directory {cwd} is not on host {host} ({e.strerror}): every node needs the "
                         "project and the runs directory at the same path (a shared filesystem)"}
    _set_threads(threads)
    from reproduction.training.driver import train

    try:
        summary = train(spec.cfg, spec.out, mirror, show_progress=False, share_dir=spec.share_dir)
    except UserError as e:
        return {"ok": False, "exit_code": e.exit_code, "error": str(e), "host": host}
    return {"ok": True, "summary": summary, "host": host}


def connect(address: str | None) -> bool:
    """Join the Ray cluster at `address` (None: RAY_ADDRESS, else a new local instance on this machine's
    CPUs); True if this call started Ray (and so must shut it down)."""
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": "WARNING"}
    if not address and not os.environ.get("RAY_ADDRESS"):
        options["include_dashboard"] = False
    try:
        ray.init(address=address or None, **options)
    except (ConnectionError, ValueError, RuntimeError) as e:
        raise UserError(f"cannot join the Ray cluster at {address or os.environ.get('RAY_ADDRESS')}: {e}") from e
    return True


def _check_cpus(cpus_per_run: int) -> None:
    largest = max((node["Resources"].get("CPU", 0) for node in ray.nodes() if node["Alive"]), default=0)
    if cpus_per_run > largest:
        raise UserError(f"--cpus-per-run {cpus_per_run}: no node of the Ray cluster has that many CPUs (the "
                        f"largest has {largest:g})")


def _first_line(error: str) -> str:
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1] if len(lines) > 1 and lines[0].startswith("ray::") else (lines[0] if lines else error)


def train_all(specs: list[RunSpec], mirror: str | Path | None = None, show_progress: bool = True,
              address: str | None = None, cpus_per_run: int = 1, poll: float = 2.0, every: float = 60.0) -> None:
    """Train every run as a Ray task (see the module's docstring), printing one status line per run and
    event on stderr (and, unless `show_progress` is False, every `every` seconds a line per running run).
    Raises SweepFailed if any run failed, after all the others have finished."""
    if cpus_per_run < 1:
        raise UserError(f"--cpus-per-run must be at least 1, got {cpus_per_run}")
    # This process publishes afterwards (the frontier samples the final generators): with the runs' thread
    # count, as the local executor trains and publishes in one process.
    _set_threads(cpus_per_run)
    started = connect(address)
    try:
        _check_cpus(cpus_per_run)
        _Sweep(specs, mirror, cpus_per_run, show_progress).run(poll, every)
    finally:
        if started:
            ray.shutdown()


class _Sweep:
    def __init__(self, specs: list[RunSpec], mirror: str | Path | None, cpus: int, show_progress: bool):
        self.specs, self.mirror, self.cpus, self.show_progress = specs, mirror, cpus, show_progress
        self.waits = dependencies(specs)
        self.cwd, self.env = os.getcwd(), task_env(cpus)
        self.pending: dict[Any, int] = {}  # task -> run index
        self.sessions: dict[int, int] = {}  # run index -> training sessions in its run.json when submitted
        self.running: set[int] = set()
        self.finished: set[int] = set()
        self.failures: list[tuple[int, str, int]] = []

    def say(self, i: int, text: str) -> None:
        print(f"[{i + 1}/{len(self.specs)}] {self.specs[i].out}: {text}", file=sys.stderr, flush=True)

    def submit(self, i: int) -> None:
        spec = self.specs[i]
        self.sessions[i] = status.sessions(spec.out)
        task = train_run.options(num_cpus=self.cpus, runtime_env={"env_vars": self.env}, name=f"train {spec.out}")
        self.pending[task.remote(spec, self.mirror, self.cwd, self.cpus)] = i
        self.say(i, "queued")

    def ready_to_start(self, i: int) -> bool:
        leader = self.waits[i]
        if leader is None or leader in self.finished:
            return True
        snapshot = self.specs[i].snapshot()
        return snapshot is not None and snapshot.exists()

    def run(self, poll: float, every: float) -> None:
        todo = []
        for i, spec in enumerate(self.specs):
            if status.is_complete(spec.cfg, spec.out):
                self.finished.add(i)
                self.say(i, "done (complete before this sweep)")
            else:
                todo.append(i)
        leaders = {w for w in self.waits if w is not None}
        blocked = [i for i in todo if not self.ready_to_start(i)]
        try:
            for i in sorted(set(todo) - set(blocked), key=lambda i: (i not in leaders, i)):  # leaders first
                self.submit(i)
            for i in blocked:
                self.say(i, f"waits for the shared pretraining of {self.specs[self.waits[i]].out}")
            last_report = time.monotonic()
            while self.pending or blocked:
                for i in [i for i in blocked if self.ready_to_start(i)]:
                    blocked.remove(i)
                    self.submit(i)
                done, _ = ray.wait(list(self.pending), num_returns=1, timeout=poll)
                for task in done:
                    self.collect(task)
                report = self.show_progress and time.monotonic() - last_report >= every
                self.watch(report)
                if report:
                    last_report = time.monotonic()
        except BaseException:
            for task in self.pending:  # a killed driver's tasks die with it; an interrupted one stops them too
                ray.cancel(task, force=True)
            raise
        if self.failures:
            codes = {code for _, _, code in self.failures}
            lines = "".join(f"\n  {self.specs[i].out}: {_first_line(error)}" for i, error, _ in self.failures)
            raise SweepFailed(f"{len(self.failures)} of {len(self.specs)} runs failed (the others finished and kept "
                              "their records; no table or figure was published; fix the cause and rerun the same "
                              f"command to resume):{lines}",
                              codes.pop() if len(codes) == 1 else (1 if 1 in codes else 2))

    def collect(self, task: Any) -> None:
        i = self.pending.pop(task)
        self.finished.add(i)
        self.running.discard(i)
        try:
            result = ray.get(task)
        except ray.exceptions.RayError as e:  # not a UserError: a bug, or a worker Ray could not keep alive
            result = {"ok": False, "exit_code": 1, "error": f"{type(e).__name__}: {e}"}
        if result["ok"]:
            self.say(i, f"done: {status.summary_text(result['summary'])}")
        else:
            self.failures.append((i, result["error"], result["exit_code"]))
            self.say(i, f"failed: {result['error']}")

    def watch(self, report: bool) -> None:
        """A line when a queued run starts training, and with `report` one per running run."""
        for i in self.pending.values():
            spec = self.specs[i]
            started = i in self.running or status.sessions(spec.out) > self.sessions[i]
            if started and (report or i not in self.running):
                self.running.add(i)
                self.say(i, f"running: {status.running(spec.cfg, spec.out)}")
