"""How far a row of Table 1 moves when the oracle is redrawn.

The paper's MLE and SeqGAN numbers come from the main code and its published oracle; its SS and PG-BLEU
numbers come from the authors' older scripts, which drew their own random oracle (`tf.set_random_seed(66)`,
not reproducible outside TensorFlow 0.x). So part of the gap between the paper's SS number and ours on the
published oracle may be the oracle itself. This experiment measures it: one Table 1 row (default: the
authors' SS script) trained with the same seed on several random N(0, 1) oracles, beside the same row on the
published oracle when Table 1 has it.

Each oracle also gets its own NLL: the NLL-oracle of the held-out oracle samples, i.e. the entropy rate of
its own data, the level a perfect generator would score. Oracles differ in it, so a row's NLL-oracle minus
that level is printed beside the raw number.

Runs go to runs/<profile>/<method>-random-oracle<K>-s<seed>/; results to
results/synthetic/<profile>/oracle_spread_<method>.md and .csv, and each run's record (sweeps/records.py) to
results/synthetic/<profile>/runs/oracle_spread_<run>: a later `python -m reproduction oracle-spread`, on any
machine, restores the runs from them (and Table 1's run on the published oracle from its own record) instead of
training them again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.config import DEFAULT_ADAM, AdamOptions
from reproduction.io_utils import write_text
from reproduction.publications import synthetic
from reproduction.publications.table1 import LABELS, PAPER, evaluations
from reproduction.run_log import csv_text, fields_of, run_config, run_meta
from reproduction.sweeps import records
from reproduction.sweeps.plan import RunSpec
from reproduction.training.components import oracle_own_nll
from reproduction.variants import make_variant

FIELDS = ("oracle", "oracle_seed", "oracle_own_nll", "best", "final", "best_above_own", "final_above_own",
          "nll_test_final", "evaluations", "method", "profile", "seed", "commit", "wall_minutes", "machine")


def run_dir(runs: Path, profile: str, method: str, oracle_seed: int, seed: int) -> Path:
    return runs / profile / f"{method}-random-oracle{oracle_seed}-s{seed}"


def record(results: Path, profile: str, run: Path) -> Path:
    """Where the record of the run in `run` goes, beside the table (runs/oracle_spread_RUN, e.g.
    runs/oracle_spread_ss-authors-random-oracle1-s0)."""
    return Path(results) / "synthetic" / profile / "runs" / f"oracle_spread_{Path(run).name}"


def plan(profile: str, method: str, oracle_seeds: Sequence[int], seed: int = 0, runs: Path = Path("runs"),
         adam: AdamOptions = DEFAULT_ADAM, results: Path = Path("results")) -> list[RunSpec]:
    """`method` with `seed` on each random oracle, each keeping its record."""
    return [RunSpec(make_variant(method, profile, seed=seed, oracle="random", oracle_seed=k, **adam.fields()), out,
                    runs / profile / "shared", record(results, profile, out))
            for k in oracle_seeds for out in [run_dir(runs, profile, method, k, seed)]]


def published_run(profile: str, method: str, seed: int = 0, runs: Path = Path("runs"),
                  adam: AdamOptions = DEFAULT_ADAM, results: Path = Path("results")) -> RunSpec:
    """Table 1's run of `method` on the published oracle with `seed`, whose record `oracle-spread` restores (it
    never trains it: the table's first row is there only when Table 1 has trained it)."""
    return synthetic.plan(profile, {"original": [seed]}, [method], runs, adam, results)[0]


def _row(run: Path, oracle: str, oracle_seed: int | str, mirror: str | Path | None) -> dict[str, Any]:
    meta = run_meta(run)
    cfg = meta["config"]
    curve = evaluations(run)
    best, final = min(float(r["nll_oracle"]) for r in curve), float(curve[-1]["nll_oracle"])
    own = oracle_own_nll(cfg, mirror)
    with fields_of(run / "run.json"):  # a damaged one: an error naming it
        return {"oracle": oracle, "oracle_seed": oracle_seed, "oracle_own_nll": own, "best": best, "final": final,
                "best_above_own": best - own, "final_above_own": final - own,
                "nll_test_final": float(curve[-1]["nll_test"]), "evaluations": len(curve),
                "profile": cfg.profile, "seed": cfg.seed, "commit": meta["commit"][:12],
                "wall_minutes": meta["summary"]["wall_seconds"] / 60, "machine": _machine(meta["machine"]),
                "run": run}


def _machine(m: dict[str, Any]) -> str:
    return f"{m['cpu']}, {m['cores']} cores, TensorFlow {m['tensorflow']}"


def build(profile: str, method: str, oracle_seeds: Sequence[int], seed: int, runs: Path,
          mirror: str | Path | None = None) -> list[dict[str, Any]]:
    """One row per oracle: the published one first when Table 1 has trained `method` on it with `seed`."""
    rows = [_row(run_dir(runs, profile, method, k, seed), f"random N(0, 1), seed {k}", k, mirror)
            for k in oracle_seeds]
    published = synthetic.run_dir(runs, profile, method, "original", seed)
    if _same_but_oracle(published, rows[0]["run"]):
        rows.insert(0, _row(published, "published (authors')", "", mirror))
    return [{**r, "method": method} for r in rows]  # (the row's name: a run's config says only "ss" for ss-authors)


def _same_but_oracle(published: Path, random_run: Path) -> bool:
    """Whether Table 1's run on the published oracle is finished and has the random-oracle runs' settings."""
    if not (published / "run.json").is_file():
        return False
    meta = run_meta(published)
    return meta.get("status") == "complete" and meta["config"] == dataclasses.replace(
        run_config(random_run), oracle="original", oracle_seed=0)


def _spread(values: list[float]) -> str:
    sd = f", sd {np.std(values, ddof=1):.3f}" if len(values) > 1 else ""
    return f"{min(values):.3f} to {max(values):.3f} (range {max(values) - min(values):.3f}{sd})"


def markdown(rows: list[dict[str, Any]], method: str, profile: str, seed: int) -> str:
    label = LABELS.get(method, method)
    lines = [f"# {label} on {len(rows)} oracles (profile `{profile}`, seed {seed})", "",
             "How far one row of Table 1 moves when only the oracle changes (same method, schedule and seed). "
             "Own NLL = the oracle's NLL of its own held-out samples (its entropy rate: what a perfect generator "
             "would score); 'above own' = the row's NLL-oracle minus it. Written by `python -m reproduction "
             "oracle-spread`.", "",
             "| oracle | own NLL | best | final | best above own | final above own | NLL-test (final) | evaluations "
             "| wall (min) | commit |", "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['oracle']} | {r['oracle_own_nll']:.3f} | {r['best']:.3f} | {r['final']:.3f} | "
              f"{r['best_above_own']:.3f} | {r['final_above_own']:.3f} | {r['nll_test_final']:.3f} | "
              f"{r['evaluations']} | {r['wall_minutes']:.0f} | `{r['commit']}` |" for r in rows]
    lines += ["", "Across these oracles:", "",
              f"- best NLL-oracle: {_spread([r['best'] for r in rows])}",
              f"- final NLL-oracle: {_spread([r['final'] for r in rows])}",
              f"- the oracle's own NLL: {_spread([r['oracle_own_nll'] for r in rows])}",
              f"- best above own: {_spread([r['best_above_own'] for r in rows])}"]
    if method in PAPER and rows[0]["oracle_seed"] == "":
        gap = rows[0]["best"] - PAPER[method]
        lines += ["", f"The paper reports {PAPER[method]:.3f} for this row (from the authors' script, on the oracle "
                  f"it drew itself); ours on the published oracle is best {rows[0]['best']:.3f} under this profile, "
                  f"{gap:+.3f} from it."]
    lines += ["", "Machine: " + "; ".join(sorted({r["machine"] for r in rows})) + ". Each run's log and run.json "
              f"(configuration, commit, machine, wall time): runs/oracle_spread_{method}-*."]
    return "\n".join(lines) + "\n"


def publish(profile: str, method: str, oracle_seeds: Sequence[int], seed: int, runs: Path, dest: Path,
            mirror: str | Path | None = None) -> None:
    rows = build(profile, method, oracle_seeds, seed, runs, mirror)
    for r in rows:  # each run's record beside the table (the published oracle's too, under this table's name)
        records.write(r["run"], dest / "runs" / f"oracle_spread_{r['run'].name}")
    write_text(dest / f"oracle_spread_{method}.csv", csv_text(rows, FIELDS))
    write_text(dest / f"oracle_spread_{method}.md", markdown(rows, method, profile, seed))
