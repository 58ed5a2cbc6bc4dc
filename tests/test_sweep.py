"""Sweeps: the order runs wait in for their shared pretraining, the status a run's files tell, and the two
executors of `reproduce`: the local one never imports Ray; the Ray one (a local Ray instance with 2 CPUs,
started here) trains the same numbers, survives a killed worker and a killed driver, and reports a failed run
without losing the others or publishing anything."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reproduction.cli import main
from reproduction.config import RunConfig
from reproduction.methods import phase_plan
from reproduction.publications import figure3, synthetic
from reproduction.sweeps import status
from reproduction.sweeps.plan import RunSpec, dependencies
from reproduction.training import lock
from reproduction.variants import make_variant
from tests.conftest import ROOT, TINY_DISC, TINY_SCHEDULE, TINY_SHAPE

METHODS, SEEDS = ("mle", "seqgan"), ("0",)  # two runs: MLE waits for SeqGAN's pretraining
SWEEP = ["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", *SEEDS, "--methods", *METHODS, "--strategies",
         "--datasets", "--no-progress"]
RUNS = [f"{m}-random-s{s}" for m in METHODS for s in SEEDS]
# `reproduce` with the synthetic plan on tiny models (tests/conftest.py); exits 3 if the sweep imported Ray
# when it should not
SCRIPT = """
import dataclasses, sys
from reproduction.cli import main
from reproduction.publications import synthetic
from tests.conftest import TINY_DISC, TINY_SCHEDULE, TINY_SHAPE
plan = synthetic.plan
synthetic.plan = lambda *a, **k: [
    dataclasses.replace(s, cfg=dataclasses.replace(s.cfg, shape=TINY_SHAPE, discriminator=TINY_DISC,
                                                   schedule=TINY_SCHEDULE)) for s in plan(*a, **k)]
code = main(sys.argv[1:])
sys.exit(3 if code == 0 and "--executor" not in sys.argv and "ray" in sys.modules else code)
"""


def shrink(spec: RunSpec) -> RunSpec:
    return dataclasses.replace(spec, cfg=dataclasses.replace(spec.cfg, shape=TINY_SHAPE, discriminator=TINY_DISC,
                                                             schedule=TINY_SCHEDULE))


def rows(path: Path) -> list[dict[str, str]]:
    """A CSV's rows without wall-clock time (the only column that may differ between equal runs)."""
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in csv.DictReader(f)]


THREADS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")


def start_sweep(where: Path, data_dir: Path, *extra: str) -> subprocess.Popen:
    """The local executor with one TensorFlow thread; the Ray one as it is (--cpus-per-run 1 sets the threads of
    its tasks and of the publishing driver), so the numbers can match."""
    args = [*SWEEP, "--runs", str(where / "runs"), "--results", str(where / "results"), *extra]
    env = {k: v for k, v in os.environ.items() if k not in THREADS}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", SEQGAN_DATA_DIR=str(data_dir))
    if "--executor" not in extra:
        env.update(dict.fromkeys(THREADS, "1"))
    return subprocess.Popen([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run_sweep(where: Path, data_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = start_sweep(where, data_dir, *extra)
    out, err = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_same_numbers(a: Path, b: Path) -> None:
    """Same logged numbers in every run and every published CSV (the frontier is recomputed at publication
    and agrees to float precision: its last bits depend on what the publishing process traced before)."""
    for run in RUNS:
        assert rows(a / "runs" / "smoke" / run / "metrics.csv") == rows(b / "runs" / "smoke" / run / "metrics.csv"), run
    published = sorted(p.relative_to(a) for p in (a / "results").rglob("*.csv"))
    assert published == sorted(p.relative_to(b) for p in (b / "results").rglob("*.csv")) and published
    for path in published:
        left, right = rows(a / path), rows(b / path)
        if path.name.startswith("frontier"):
            assert [r["label"] for r in left] == [r["label"] for r in right]
            for x, y in zip(left, right, strict=True):
                for k in ("nll_test", "nll_oracle"):
                    assert float(x[k]) == pytest.approx(float(y[k]), rel=1e-6)
        else:
            assert left == right, path


# ---- without Ray ----------------------------------------------------------------------------------------------

def test_runs_wait_for_the_first_run_of_their_shared_pretraining(tmp_path):
    specs = synthetic.plan("smoke", {"random": [0, 1]}, ["seqgan", "mle", "pgbleu", "ss", "ss-authors"], tmp_path)
    specs += figure3.plan("smoke", ["a", "c", "d"], "random", [1, 0], tmp_path)
    names = [s.out.name for s in specs]
    waits = {names[i]: (names[w] if w is not None else None) for i, w in enumerate(dependencies(specs))}
    assert waits == {
        "seqgan-random-s0": None, "mle-random-s0": "seqgan-random-s0", "pgbleu-random-s0": "seqgan-random-s0",
        "ss-authors-random-s0": None, "ss-random-s0": None,  # no MLE phase: nothing shared
        "seqgan-random-s1": None, "mle-random-s1": "seqgan-random-s1", "pgbleu-random-s1": "seqgan-random-s1",
        "ss-authors-random-s1": None, "ss-random-s1": None,
        "figure3-a-random-s1": "seqgan-random-s1",  # (a) on the first seed only, (c) and (d) on each
        "figure3-c-random-s1": "seqgan-random-s1", "figure3-c-random-s0": "seqgan-random-s0",
        "figure3-d-random-s1": "seqgan-random-s1", "figure3-d-random-s0": "seqgan-random-s0"}


@pytest.mark.parametrize("method", ["seqgan", "mle", "pgbleu", "ss"])
def test_the_status_plan_is_what_a_finished_run_logged(method, method_runs):
    """The phases the status prices are those the driver ran, in order, each to its last step."""
    out, _ = method_runs[method]
    cfg = RunConfig.from_dict(json.loads((out / "run.json").read_text())["config"])
    logged: dict[str, int] = {}
    for row in rows(out / "metrics.csv"):
        logged[row["phase"]] = int(row["epoch"])
    assert list(logged.items()) == [(p.name, p.steps - 1) for p in phase_plan(cfg)]


def test_a_running_run_tells_its_phase_step_eta_and_holder(tmp_path):
    cfg = make_variant("seqgan", "smoke")
    lines = ["phase,epoch,x,wall_seconds", "mle,0,0,2.0", "mle,1,1,4.0", "d_pretrain,0,2,5.0",
             "adversarial,0,2,15.0"]
    (tmp_path / "metrics.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "train.lock").write_text(json.dumps({"pid": 123, "host": "node7"}))
    # adversarial: 1 of 2 batches done in 10 s since the previous phase ended
    assert status.running(cfg, tmp_path) == "adversarial 1/2, phase eta 0:00:10, on node7 (pid 123)"
    assert not status.is_complete(cfg, tmp_path)


def test_ray_options_need_the_ray_executor(tmp_path, capsys):
    for extra in (["--ray-address", "127.0.0.1:1"], ["--cpus-per-run", "2"]):
        assert main([*SWEEP, "--runs", str(tmp_path), *extra]) == 2
        assert "apply to --executor ray" in capsys.readouterr().err


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory) -> Path:
    """The reference: the sweep under the local executor (which must not import Ray)."""
    where = tmp_path_factory.mktemp("local")
    done = run_sweep(where, tmp_path_factory.getbasetemp() / "data")
    assert done.returncode != 3, "the local executor imported ray"
    assert done.returncode == 0, done.stderr[-3000:]
    return where


@pytest.mark.slow
def test_the_local_executor_trains_and_publishes_without_importing_ray(local_sweep):
    """(The fixture checks that Ray was not imported.) Every run finished, and what was published is read from
    them: each run's log as its record, its last NLL-oracle as Table 1's final value and the frontier's point."""
    dest = local_sweep / "results" / "synthetic" / "smoke"
    with open(dest / "table1_random.csv", newline="") as f:
        table = {r["method"]: r for r in csv.DictReader(f)}
    with open(dest / "frontier_random.csv", newline="") as f:
        points = {r["label"]: r for r in csv.DictReader(f) if r["kind"] == "final point"}
    for method, label in (("mle", "MLE"), ("seqgan", "SeqGAN")):
        run = local_sweep / "runs" / "smoke" / f"{method}-random-s0"
        assert json.loads((run / "run.json").read_text())["status"] == "complete"
        assert (dest / "runs" / f"{method}_random_s0.csv").read_bytes() == (run / "metrics.csv").read_bytes()
        final = float(rows(run / "metrics.csv")[-1]["nll_oracle"])
        assert float(table[method]["final_mean"]) == pytest.approx(final, abs=1e-6)
        assert float(points[label]["nll_oracle"]) == pytest.approx(final, abs=1e-6), label


# ---- with Ray ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_cluster():
    """A Ray instance of 2 CPUs on this machine; its address for drivers in other processes."""
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def training(run_dir: Path) -> int | None:
    """The pid of the live process training `run_dir` (its lock's holder, with run.json saying "running"), or None
    (not started, finished, or the lock names a dead process)."""
    holder, meta = lock.holder(run_dir), run_dir / "run.json"
    pid = (holder or {}).get("pid")
    if pid and alive(pid) and meta.exists() and json.loads(meta.read_text())["status"] == "running":
        return pid
    return None


def follow(proc: subprocess.Popen) -> tuple[list[str], list[threading.Thread]]:
    """The lines `proc` writes on stderr, as it writes them (threads read its stderr and drain its stdout)."""
    def read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    lines: list[str] = []
    readers = [threading.Thread(target=read, args=(stream, into), daemon=True)
               for stream, into in ((proc.stderr, lines), (proc.stdout, []))]
    for reader in readers:
        reader.start()
    return lines, readers


def wait_for_locks_released(runs: Path, seconds: float = 120) -> None:
    """Until no process named in a run's lock file lives (Ray stops a dead driver's tasks within seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        holders = [json.loads(p.read_text() or "{}").get("pid") for p in runs.rglob("train.lock")]
        if not any(pid and alive(pid) for pid in holders):
            return
        time.sleep(0.5)
    raise AssertionError("the killed sweep's tasks still hold their runs")


@pytest.mark.slow
def test_the_ray_executor_survives_a_killed_worker_and_a_killed_driver_and_publishes_the_same_numbers_when_rerun(
        ray_cluster, local_sweep, tmp_path):
    """One Ray sweep, two faults, then the same command again; the runs' numbers and the published tables equal
    the local executor's. (1) SeqGAN's worker is SIGKILLed mid-run (in its MLE phase: MLE waits for SeqGAN's
    pretraining snapshot, so SeqGAN is the run training then); Ray retries its task, which resumes from the
    checkpoint. (2) The driver is SIGKILLed once it has reported SeqGAN done, with MLE mid-run: MLE's worker is
    stopped (SIGSTOP) as soon as it holds its run, so that it cannot finish first or meanwhile, and exactly one
    run is complete at the kill. Ray stops the dead driver's task; the rerun says SeqGAN was complete before it,
    resumes MLE, and publishes."""
    data, runs = tmp_path.parent / "data", tmp_path / "runs" / "smoke"
    seqgan, mle = runs / "seqgan-random-s0", runs / "mle-random-s0"
    proc = start_sweep(tmp_path, data, "--executor", "ray", "--ray-address", ray_cluster)
    lines, readers = follow(proc)
    deadline = time.monotonic() + 600
    try:
        victim = paused = None
        while proc.poll() is None and time.monotonic() < deadline:
            if victim is None and (pid := training(seqgan)) and (seqgan / "metrics.csv").exists():
                os.kill(pid, signal.SIGKILL)  # (1) a worker, mid-run
                victim = seqgan.name
            if victim and paused is None and (pid := training(mle)):
                os.kill(pid, signal.SIGSTOP)
                paused = pid
            if paused and any(f"smoke/{victim}: done: " in line for line in lines):
                break
            time.sleep(0.05)
        assert proc.poll() is None and victim and paused, \
            f"worker killed in {victim}, MLE's worker stopped: {paused}; " + ("".join(lines)[-3000:] or "timed out")
        metas = {run: json.loads((runs / run / "run.json").read_text()) for run in RUNS}
        assert metas[seqgan.name]["status"] == "complete" and metas[mle.name]["status"] == "running"
    finally:
        proc.send_signal(signal.SIGKILL)  # (2) the driver
        proc.wait()
    for reader in readers:
        reader.join(timeout=60)
    err = "".join(lines)
    finished = sum(meta["status"] == "complete" for meta in metas.values())
    assert finished == 1
    wait_for_locks_released(tmp_path / "runs")  # (the stopped worker too)
    sessions = {run: len(json.loads((runs / run / "run.json").read_text())["sessions"]) for run in RUNS}
    assert sessions == {seqgan.name: 2, mle.name: 1}  # the victim's task ran twice
    again = run_sweep(tmp_path, data, "--executor", "ray", "--ray-address", ray_cluster)
    assert again.returncode == 0, again.stderr[-3000:]
    assert_same_numbers(local_sweep, tmp_path)
    assert again.stderr.count("done (complete before this sweep)") == finished
    assert f"smoke/{seqgan.name}: done (complete before this sweep)" in again.stderr
    # one line per run and event, no progress bars: the killed driver's lines up to the kill, the rerun's after
    assert f"smoke/{mle.name}: waits for the shared pretraining of {seqgan}" in err
    for run, sweep in ((seqgan.name, err), (mle.name, again.stderr)):
        assert sweep.count(f"smoke/{run}: queued") == 1 and sweep.count(f"smoke/{run}: done: nll_oracle ") == 1, run
    assert err.count(f"smoke/{mle.name}: queued") == 1 and f"smoke/{seqgan.name}: queued" not in again.stderr
    assert " elapsed " not in err + again.stderr
    assert len(list((runs / "shared").glob("pretrained-*.npz"))) == 1
    for run in RUNS:  # the rerun trained only the run the driver's kill left unfinished, in one more session
        assert len(json.loads((runs / run / "run.json").read_text())["sessions"]) == sessions[run] + (run == mle.name)


@pytest.mark.slow
def test_a_failed_run_is_reported_the_others_finish_and_nothing_is_published(ray_cluster, tmp_path, monkeypatch,
                                                                           capsys):
    bad = tmp_path / "oracle.npz"
    bad.write_bytes(b"not an npz")
    plan = synthetic.plan

    def one_bad_oracle(*args, **kwargs):
        specs = [shrink(s) for s in plan(*args, **kwargs)]
        return [dataclasses.replace(s, cfg=dataclasses.replace(s.cfg, oracle=str(bad))) if s.cfg.seed == 1 else s
                for s in specs]

    monkeypatch.setattr(synthetic, "plan", one_bad_oracle)
    runs, results = tmp_path / "runs", tmp_path / "results"
    code = main(["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "1", "--methods", "mle",
                 "--strategies", "--datasets", "--runs", str(runs), "--results", str(results), "--no-progress",
                 "--executor", "ray"])  # joins the Ray instance this process started
    err = capsys.readouterr().err
    assert code == 2, err
    assert "1 of 2 runs failed" in err and "no table or figure was published" in err
    assert f"{runs}/smoke/mle-random-s1: {bad}: not an oracle .npz" in err
    assert json.loads((runs / "smoke" / "mle-random-s0" / "run.json").read_text())["status"] == "complete"
    # the finished run kept its record (a later session publishes it, not retrains it); nothing else was written
    assert sorted(p.name for p in results.rglob("*") if p.is_file()) == [
        "mle_random_s0.csv", "mle_random_s0.json", "mle_random_s0_temperatures.csv"]


def test_a_run_asking_more_cpus_than_a_node_has_is_refused(ray_cluster, tmp_path, capsys):
    assert main([*SWEEP, "--runs", str(tmp_path), "--executor", "ray", "--cpus-per-run", "3"]) == 2
    assert "--cpus-per-run 3: no node of the Ray cluster has that many CPUs (the largest has 2)" in \
        capsys.readouterr().err
