"""Where a run of a sweep stands, read from the files it writes (no message from the training process):
`run.json` says complete, the lock file (training/lock.py) names the process training it, the last row of
`metrics.csv` gives its phase and step, and the wall seconds logged in that phase its pace. A start of
training adds a session to `run.json`. Cheap enough to poll every few seconds for every run of a sweep, from
any machine that sees the runs directory.

`reproduce --status` (plan_status) also lists the runs a sweep has not started, and prices what is left of
each run: the phase in progress at its own pace; the phases after it and the runs not started with the unit
costs of the last `make bench` (results/bench.json) for synthetic runs, and for real-data runs, whose shapes
the bench does not time, with what the finished runs of the same corpus and method took (in the runs
directory, else as their committed records say), else, roughly, with the bench's unit costs moved to their shapes
by matrix-product work (bench.report.units_at; such rows say "by FLOPs"). A synthetic run whose
other seeds have finished (Figure 3's strategies) has its own phases (the adversarial one) priced by what they
took: the host's pace over hours, not the bench's minutes, which on a shared machine can differ by 2x. And
every bench price is scaled by the host's pace today (host_pace): how much slower or faster than the bench's
prices the sweep's latest synthetic run went (on a shared host it can move 2x from one day to the next).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.config import RunConfig
from reproduction.errors import UserError
from reproduction.methods import SHARED_PHASES, phase_plan
from reproduction.run_log import fields_of, read_rows, read_run_json
from reproduction.training import checkpoint, lock, shared_pretraining


def is_complete(cfg: RunConfig, out: Path) -> bool:
    """Whether `out` holds this configuration's finished run (then `train` would return at once)."""
    try:
        meta = json.loads((Path(out) / "run.json").read_text())
        return meta.get("status") == "complete" and RunConfig.from_dict(meta["config"]) == cfg
    except Exception:  # no, unreadable or foreign run.json: `train` itself will say what is wrong
        return False


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def sessions(out: Path) -> int:
    """How many times training has started in `out` (each start, under the lock, adds one to run.json)."""
    try:
        return len(json.loads((Path(out) / "run.json").read_text()).get("sessions", []))
    except Exception:
        return 0


def running(cfg: RunConfig, out: Path) -> str:
    """Where a training run stands: 'phase step/steps, phase eta H:MM:SS, on HOST (pid PID)'."""
    holder = lock.holder(out)
    where = f", on {holder.get('host')} (pid {holder.get('pid')})" if holder else ""
    rows = read_rows(Path(out) / "metrics.csv")
    plan = {p.name: p.steps for p in phase_plan(cfg)}
    if not rows or rows[-1].get("phase") not in plan:
        return f"starting{where}"
    last = rows[-1]
    phase, done = last["phase"], int(last["epoch"]) + 1
    before = [r for r in rows if r["phase"] != phase]
    text = f"{phase} {done}/{plan[phase]}"
    try:
        base = float(before[-1]["wall_seconds"]) if before else 0.0
        per_step = (float(last["wall_seconds"]) - base) / done
        if per_step > 0 and done < plan[phase]:
            text += f", phase eta {_clock(per_step * (plan[phase] - done))}"
    except (KeyError, TypeError, ValueError):
        pass
    return text + where


def summary_text(summary: dict[str, Any]) -> str:
    """The headline of a finished run's summary (NLL-oracle for synthetic runs, else its last quality metrics)."""
    parts = []
    if summary.get("nll_oracle_final") is not None:
        parts.append(f"nll_oracle {summary['nll_oracle_final']:.3f}")
    else:
        parts += [f"{k} {v:.3f}" for k, v in (summary.get("final") or {}).items() if k != "nll_test"]
    if summary.get("wall_seconds") is not None:
        parts.append(f"{_clock(summary['wall_seconds'])} of training")
    return ", ".join(parts)


# ---- the `status` command: every run under a runs directory, for a later session -------------------------
def run_status(run: Path) -> dict[str, Any]:
    """One run's status from its run.json and the state saved in its checkpoint."""
    meta = read_run_json(run / "run.json")  # (a damaged one: a UserError naming it)
    out: dict[str, Any] = {"run": run.name, "status": meta.get("status", "unknown")}
    if out["status"] == "complete":
        with fields_of(run / "run.json"):
            out["hours"] = meta["summary"]["wall_seconds"] / 3600
            out["phase_seconds"] = dict(meta["summary"].get("phase_seconds", {}))
        return out
    with fields_of(run / "run.json"):
        cfg = RunConfig.from_dict(meta["config"])
    state = checkpoint.saved_state(run / "checkpoint.npz")  # reads only the state entry (of the last readable one)
    phase, step = state.get("phase", "mle"), state.get("step", 0)
    steps = {p.name: p.steps for p in phase_plan(cfg)}
    spent = state.get("phase_seconds", {}).get(phase, 0.0)
    left = spent / step * (steps.get(phase, 0) - step) if step else None
    out.update(status="in progress", phase=phase, step=step, steps=steps.get(phase), hours=state.get("wall", 0) / 3600,
               phase_seconds=dict(state.get("phase_seconds", {})),
               seconds_per_step=spent / step if step else None, phase_hours_left=None if left is None else left / 3600,
               later_phases=[p for p in steps if list(steps).index(p) > list(steps).index(phase)] if phase in steps
               else [])
    return out


def sweep_status(runs: Path) -> list[dict[str, Any]]:
    """The status of every run directory under `runs` (any profile), sorted by name."""
    return [run_status(d) for d in sorted(p.parent for p in runs.glob("*/*/run.json"))]


def host_pace(specs: list[Any], unit: dict[str, float]) -> tuple[float, str] | None:
    """How many times the bench's prices (unit costs `unit`) the host takes today, and from which run: the
    sweep's first synthetic run in progress (its current phase's seconds per step so far), else its last
    finished one (its own phases, not the pretraining it may have restored). None if no run has measured one."""
    from reproduction.bench.report import phase_seconds

    finished = []
    for spec in specs:
        if spec.cfg.dataset != "synthetic" or not (spec.out / "run.json").exists():
            continue
        name, bench = f"{spec.out.parent.name}/{spec.out.name}", phase_seconds(spec.cfg, unit)
        try:
            row = run_status(spec.out)
            if row["status"] == "in progress" and row["seconds_per_step"] and bench.get(row["phase"]):
                return row["seconds_per_step"] * row["steps"] / bench[row["phase"]], f"{name}'s {row['phase']} so far"
            meta = read_run_json(spec.out / "run.json")
            own = {p: s for p, s in meta["summary"]["phase_seconds"].items() if p in bench and p not in SHARED_PHASES}
            if meta["status"] == "complete" and own:
                finished.append((meta["finished"], sum(own.values()) / sum(bench[p] for p in own), name))
        except (UserError, OSError, ValueError, KeyError, TypeError, ZeroDivisionError):  # damaged or older: no pace
            continue
    if not finished:
        return None
    _, pace, name = max(finished)
    return pace, name


def plan_status(specs: list[Any], unit: dict[str, float] | None, pace: float = 1.0,
                bench: RunConfig | None = None) -> list[dict[str, Any]]:
    """run_status of every run of a sweep (plan.RunSpec), "not started" for those without a run.json, each with
    `hours_left`: synthetic runs priced with the bench's unit costs `unit` times the host's `pace` (host_pace;
    their own phases with measured_phases where other seeds have finished), real-data runs with measured_phases,
    else recorded_phases, else (given the configuration `bench` the units were timed at) the units moved to the
    run's shapes (units_at; the row gets `by_flops`). None where nothing prices a run. A pretraining shared
    through a snapshot is priced once, for the first run that would compute it, as the local executor trains
    them; and counted once in the hours trained (`hours`): a run's wall time includes the seconds of a shared
    phase it restored (they are logged with it), which only the sweep's first run with that snapshot keeps, so
    that the hours add up to what training the sweep took (and what retraining it costs)."""
    from reproduction.bench.report import phase_seconds, units_at

    paid: set[Path] = set()
    counted: set[Path] = set()  # the shared phases whose seconds a run above already holds
    rows = []
    for spec in specs:
        done = (spec.out / "run.json").exists()
        row = run_status(spec.out) if done else {"run": spec.out.name, "status": "not started", "hours": 0.0}
        row["run"] = f"{spec.out.parent.name}/{spec.out.name}"
        if spec.cfg.dataset != "synthetic":
            priced = measured_phases(spec.out) or recorded_phases(spec.record)
            if priced is None and unit is not None and bench is not None:
                scaled = units_at(spec.cfg, unit, bench)
                priced = {p: pace * s for p, s in phase_seconds(spec.cfg, scaled).items()}
                row["by_flops"] = True
        else:
            priced = None if unit is None else {p: pace * s for p, s in phase_seconds(spec.cfg, unit).items()}
            measured = measured_phases(spec.out)
            if priced is not None and measured is not None:  # the finished seeds' own phases, not the shared ones
                priced.update({p: s for p, s in measured.items() if p in priced and p not in SHARED_PHASES})
        for phase in SHARED_PHASES:  # computed by the first run that needs them
            snapshot = None if spec.share_dir is None else shared_pretraining.path(spec.share_dir, spec.cfg, phase)
            if snapshot is not None and phase in row.get("phase_seconds", {}):
                if snapshot in counted:
                    row["hours"] -= row["phase_seconds"][phase] / 3600
                counted.add(snapshot)
            if priced and phase in priced and snapshot is not None:
                if snapshot.exists() or snapshot in paid:
                    priced[phase] = 0.0
                paid.add(snapshot)
        if row["status"] == "complete":
            row["hours_left"] = 0.0
        elif row["status"] == "not started":
            row["hours_left"] = None if priced is None else sum(priced.values()) / 3600
        else:
            later = sum((priced or {}).get(p, 0.0) for p in row["later_phases"]) / 3600
            current = row["phase_hours_left"]
            if current is None and priced is not None:
                current = priced.get(row["phase"], 0.0) / 3600
            row["hours_left"] = None if current is None or (priced is None and row["later_phases"]) else current + later
        rows.append(row)
    return rows


def measured_phases(out: Path) -> dict[str, float] | None:
    """Seconds of each phase of `out`'s run, as the finished runs beside it with the same name but for the seed
    (e.g. poems-seqgan-s*) took (median); None if none has finished. Prices real-data runs, whose shapes the
    bench does not time."""
    name = out.name.rsplit("-s", 1)[0]
    finished = []
    for run in sorted(out.parent.glob(f"{name}-s*")):
        if not run.name.removeprefix(f"{name}-s").isdigit():  # (poems-seqgan-s* would also match a longer name)
            continue
        try:
            meta = read_run_json(run / "run.json")
        except UserError:
            continue
        if meta.get("status") == "complete" and "phase_seconds" in meta.get("summary", {}):  # (else: no price)
            finished.append(meta["summary"]["phase_seconds"])
    return _median_phases(finished)


def recorded_phases(record: Path | None) -> dict[str, float] | None:
    """Seconds of each phase of a run as the committed records of its seeds took (median), for a run that no
    finished run directory prices (a fresh clone, `--retrain`): the record `record` and those beside it with the
    same name but for the seed (e.g. seqgan_s*.json). None if there is none."""
    if record is None:
        return None
    name = record.stem.rsplit("_s", 1)[0]
    finished = []
    for path in sorted(record.parent.glob(f"{name}_s*.json")):
        if not path.stem.removeprefix(f"{name}_s").isdigit():
            continue
        try:
            meta = read_run_json(path)
            phases = {p: float(s) for p, s in meta["summary"]["phase_seconds"].items()}
        except (UserError, KeyError, TypeError, ValueError, AttributeError):  # damaged or older: no price
            continue
        if meta.get("status") == "complete":
            finished.append(phases)
    return _median_phases(finished)


def _median_phases(finished: list[dict[str, float]]) -> dict[str, float] | None:
    """Each phase's median seconds over finished runs' phase_seconds (None if there is none)."""
    if not finished:
        return None
    return {phase: float(np.median([f.get(phase, 0.0) for f in finished])) for phase in finished[0]}


def plan_markdown(rows: list[dict[str, Any]], priced_by: str) -> str:
    """The table of plan_status and a total line: the hours trained (what retraining the finished runs cost,
    measured, each shared pretraining once) and the hours left (priced)."""
    lines = ["| run | status | phase | step | hours so far | hours left |", "|---|---|---|---|---|---|"]
    for r in rows:
        step = f"{r['step']}/{r['steps']}" if "step" in r else ""
        left = "not priced" if r["hours_left"] is None else f"{r['hours_left']:.2f}"
        if r.get("by_flops") and r["hours_left"]:
            left += " (by FLOPs)"
        lines.append(f"| {r['run']} | {r['status']} | {r.get('phase', '')} | {step} | {r['hours']:.2f} | {left} |")
    complete = sum(r["status"] == "complete" for r in rows)
    priced = [r["hours_left"] for r in rows if r["hours_left"] is not None]
    unpriced = len(rows) - len(priced)
    spent = sum(r["hours"] for r in rows)  # measured: each run's logged wall time (a record's, when restored),
    # a shared pretraining counted once
    lines += ["", f"{complete} of {len(rows)} runs complete, {spent:.1f} hours trained so far; about "
              f"{sum(priced):.1f} hours left"
              + (f" for the priced runs, {unpriced} run(s) not priced" if unpriced else "")
              + f" ({priced_by})."]
    return "\n".join(lines) + "\n"


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| run | status | phase | step | hours so far | hours left in phase | phases after |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        left = r.get("phase_hours_left")
        step = f"{r['step']}/{r['steps']}" if "step" in r else ""
        left_text = "" if left is None else f"{left:.2f}"
        lines.append(f"| {r['run']} | {r['status']} | {r.get('phase', '')} | {step} | {r.get('hours', 0):.2f} | "
                     f"{left_text} | {', '.join(r.get('later_phases', []))} |")
    return "\n".join(lines) + "\n"
