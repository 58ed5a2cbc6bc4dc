"""The same smoke sweep under the local and the Ray executor on this machine: wall time of each and whether
the numbers are identical. Writes results/sweep_local_vs_ray.md.

    python -m reproduction.bench.sweep_bench [--out results/sweep_local_vs_ray.md]

Each variant is a fresh `python -m reproduction reproduce` in its own temporary runs, results and data
directories (cold caches alike), timed from start to exit (Python, TensorFlow and Ray start-up included):
  local, 1 TF thread:  the local executor with TF_NUM_INTRAOP_THREADS = TF_NUM_INTEROP_THREADS = 1, the
                       thread count of a Ray task with --cpus-per-run 1: the reference for the numbers;
  ray:                 --executor ray on a Ray instance the driver starts on this machine's CPUs;
  local, TF default:   the local executor as `make reproduce` runs it (TensorFlow's own thread count).
Identical means every run's metrics.csv (but wall_seconds) and every published CSV are equal to the
reference's; the published frontier, recomputed at publication, may differ in its last bits (then: equal to
1e-6 relative).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reproduction import provenance
from reproduction.io_utils import write_text

SWEEP = ["reproduce", "--profile", "smoke", "--seeds", "--random-seeds", "0", "1", "--methods", "mle", "ss",
         "pgbleu", "seqgan", "--strategies", "--datasets", "--no-progress"]
ONE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"}
VARIANTS = {"local, 1 TF thread": ([], ONE_THREAD), "ray, 1 CPU per run": (["--executor", "ray"], {}),
            "local, TF default threads": ([], {})}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in csv.DictReader(f)]


def _close(a: list[dict[str, str]], b: list[dict[str, str]]) -> bool:
    def number(x: str) -> float | str:
        try:
            return float(x)
        except ValueError:
            return x

    for x, y in zip(a, b, strict=True):
        for k in x:
            u, v = number(x[k]), number(y[k])
            if isinstance(u, float) and isinstance(v, float):
                if abs(u - v) > 1e-6 * max(abs(u), abs(v)):
                    return False
            elif u != v:
                return False
    return True


def compare(reference: Path, other: Path) -> str:
    """'identical', 'identical (frontier equal to 1e-6)' or 'different: ...' (runs/ and results/ CSVs)."""
    metrics = sorted(p.relative_to(reference) for p in (reference / "runs").rglob("metrics.csv"))
    differ = [str(p.parent.name) for p in metrics if _rows(reference / p) != _rows(other / p)]
    if differ:
        return f"different: {len(differ)} of {len(metrics)} runs ({', '.join(differ)})"
    published = sorted(p.relative_to(reference) for p in (reference / "results").rglob("*.csv"))
    inexact = [p for p in published if _rows(reference / p) != _rows(other / p)]
    if any(not p.name.startswith("frontier") or not _close(_rows(reference / p), _rows(other / p)) for p in inexact):
        return "different: published " + ", ".join(p.name for p in inexact)
    return "identical" + (" (published frontier equal to 1e-6)" if inexact else "")


def training_seconds(where: Path) -> float:
    """The runs' own training time (run.json's wall_seconds), summed over the runs."""
    return sum(json.loads(p.read_text())["summary"]["wall_seconds"] for p in (where / "runs").rglob("run.json"))


def run_variant(where: Path, args: list[str], env: dict[str, str]) -> float:
    inherited = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", *ONE_THREAD)}
    env = {**inherited, "TF_CPP_MIN_LOG_LEVEL": "3", "SEQGAN_DATA_DIR": str(where / "data"), **env}
    command = [sys.executable, "-m", "reproduction", *SWEEP, "--runs", str(where / "runs"), "--results",
               str(where / "results"), *args]
    start = time.monotonic()
    done = subprocess.run(command, cwd=provenance.ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    (where / "stderr.txt").write_text(done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="results/sweep_local_vs_ray.md")
    parser.add_argument("--work", help="keep each variant's runs and results here (default: a temporary folder)")
    args = parser.parse_args(argv)
    import ray

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as scratch:
        tmp = args.work or scratch
        results = {}
        for name, (extra, env) in VARIANTS.items():
            where = Path(tmp) / name.replace(" ", "_").replace(",", "")
            results[name] = run_variant(where, extra, env), training_seconds(where), where
            print(f"{name}: {results[name][0]:.0f} s", file=sys.stderr, flush=True)
        reference = results["local, 1 TF thread"][2]
        verdicts = {name: compare(reference, where) if where != reference else "(reference)"
                    for name, (_, _, where) in results.items()}
    load_after = os.getloadavg()
    machine = provenance.machine()
    ratio = results["ray, 1 CPU per run"][1] / results["local, 1 TF thread"][1]
    lines = ["# The smoke sweep under the local and the Ray executor", "",
             "Written by `python -m reproduction.bench.sweep_bench`. The sweep: `python -m reproduction "
             + " ".join(SWEEP) + "` (8 runs: MLE, SS, PG-BLEU and SeqGAN on the random oracle, seeds 0 and 1, "
             "smoke profile with the paper's model sizes; MLE, PG-BLEU and SeqGAN of a seed share one MLE "
             "pretraining), each variant from a fresh process with empty runs, results and data directories, "
             "timed from start to exit (Python, TensorFlow and Ray start-up included).", "",
             "| variant | wall time (s) | the runs' training time, summed (s) | numbers against the 1-thread "
             "local sweep |", "|---|---|---|---|"]
    for name, (seconds, training, _) in results.items():
        lines.append(f"| {name} | {seconds:.0f} | {training:.0f} | {verdicts[name]} |")
    lines += ["", f"Machine: {machine['cpu']}, {machine['cores']} cores; Python {machine['python']}, TensorFlow "
              f"{machine['tensorflow']}, Ray {ray.__version__}; commit `{provenance.commit()[:12]}`. Load average "
              f"(1 min) when it started {load[0]:.1f}, when it ended {load_after[0]:.1f}: other work shared the "
              "machine (a long training in the background), so the times are this one measurement, not a "
              "benchmark.", "",
              "The Ray variant asks 1 CPU per run (`--cpus-per-run 1`), so on 2 cores it trains 2 runs at once, "
              "each in a fresh worker with 1 TensorFlow thread; it pays Ray's start-up and one TensorFlow import "
              f"per run. Summed over the runs, its training took {ratio:.1f}x the 1-thread local sweep's: "
              + ("two runs at once are faster only where each gets a core of its own, which other work on this "
                 "machine did not leave them. " if ratio > 1.2 else "each run had a core of its own. ")
              + "TensorFlow's numbers depend on its thread count, so the Ray sweep reproduces the local "
              "one run with TF_NUM_INTRAOP_THREADS = TF_NUM_INTEROP_THREADS = --cpus-per-run; the local sweep "
              "with TensorFlow's default threads computes other numbers."]
    write_text(Path(args.out), "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
