"""Timing of the paper's schedule on this machine: seconds per adversarial batch (g=1 with 16 rollouts, then
d=5 d-steps of k=3 epochs over 10,000 real + 10,000 fresh negatives), at the paper's shapes.

The models start untrained (the work per batch does not depend on the weights), so no pretraining is
needed. The first batch also compiles the TensorFlow functions; it is reported but not counted.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from reproduction import provenance
from reproduction.config import describe_profile, make_config
from reproduction.training.driver import Trainer


def adversarial_batches(profile: str = "paper", batches: int = 3, oracle: str = "random",
                        mirror: str | Path | None = None) -> dict[str, Any]:
    cfg = make_config("seqgan", profile, oracle=oracle)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(cfg, Path(tmp), mirror, show_progress=False)
        times = []
        for batch in range(batches + 1):  # batch 0 compiles
            start = time.monotonic()
            trainer.adversarial_step(batch)
            times.append(time.monotonic() - start)
    counted = times[1:]
    return {"profile": profile, "schedule": describe_profile(profile) or ["the authors' schedule"],
            "batches_timed": len(counted), "seconds_per_batch_median": statistics.median(counted),
            "seconds_per_batch": counted, "first_batch_with_compilation": times[0],
            "projected_adversarial_phase_hours": statistics.median(counted) * cfg.schedule.adv_batches / 3600,
            "commit": provenance.commit(), "machine": provenance.machine(), "when": provenance.now()}


def main(profile: str, batches: int, oracle: str, mirror: str | Path | None) -> str:
    return json.dumps(adversarial_batches(profile, batches, oracle, mirror), indent=2)
