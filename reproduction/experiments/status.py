"""Where a sweep stands, read from its run directories alone: which runs are finished, which in progress
(phase, step, time so far, projected time left in the phase), which not started. A later session reads this
before resuming a long (paper-profile) sweep with the same `reproduce` command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.config import RunConfig
from reproduction.training.checkpoint import STATE_KEY


def _phase_steps(cfg: RunConfig) -> dict[str, int]:
    s = cfg.schedule
    steps = {"mle": s.mle_epochs, "d_pretrain": s.d_pretrain_rounds, "adversarial": s.adv_batches,
             "mle_continued": s.adv_batches, "ss": s.ss_epochs or s.mle_epochs + s.adv_batches}
    phases = {"seqgan": ("mle", "d_pretrain", "adversarial"), "pgbleu": ("mle", "adversarial"),
              "mle": ("mle", "mle_continued"), "ss": ("ss",)}[cfg.method]
    return {p: steps[p] for p in phases}


def run_status(run: Path) -> dict[str, Any]:
    """One run's status from its run.json and the state saved in its checkpoint."""
    meta = json.loads((run / "run.json").read_text())
    out: dict[str, Any] = {"run": run.name, "status": meta.get("status", "unknown")}
    if out["status"] == "complete":
        out["hours"] = meta["summary"]["wall_seconds"] / 3600
        return out
    cfg = RunConfig.from_dict(meta["config"])
    state: dict[str, Any] = {}
    if (run / "checkpoint.npz").exists():
        with np.load(run / "checkpoint.npz", allow_pickle=False) as z:  # reads only the state entry
            state = json.loads(z[STATE_KEY].tobytes().decode())
    phase, step = state.get("phase", "mle"), state.get("step", 0)
    steps = _phase_steps(cfg)
    spent = state.get("phase_seconds", {}).get(phase, 0.0)
    left = spent / step * (steps.get(phase, 0) - step) if step else None
    out.update(status="in progress", phase=phase, step=step, steps=steps.get(phase), hours=state.get("wall", 0) / 3600,
               phase_hours_left=None if left is None else left / 3600,
               later_phases=[p for p in steps if list(steps).index(p) > list(steps).index(phase)] if phase in steps
               else [])
    return out


def sweep_status(runs: Path) -> list[dict[str, Any]]:
    """The status of every run directory under `runs` (any profile), sorted by name."""
    return [run_status(d) for d in sorted(p.parent for p in runs.glob("*/*/run.json"))]


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
