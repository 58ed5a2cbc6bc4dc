"""Shared MLE pretraining (paper Figure 2: MLE, PG-BLEU and SeqGAN continue from one pretrained generator,
the curve before the dashed line).

The `mle` phase depends only on the oracle, the seed, the generator and a few counts, never on the method, so
with the same seed it is bit-identical across methods (a test checks this). An experiment therefore runs it
once: the first run to finish the phase leaves a snapshot (generator, its MLE optimizer, the phase's logged
rows) in a shared folder, keyed by a hash of exactly the settings the phase depends on; later runs with the
same key start from it instead of retraining.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from reproduction.config import RunConfig
from reproduction.training import checkpoint


def key(cfg: RunConfig) -> str:
    s = cfg.schedule
    generator = cfg.to_dict()["generator"]
    del generator["pg_learning_rate"]  # the policy gradient's, not the pretraining's
    if cfg.adam != "fused":  # (the default's keys stay as they were before this field existed)
        generator["adam"] = cfg.adam
    inputs = {"oracle": cfg.oracle, "oracle_seed": cfg.oracle_seed, "seed": cfg.seed, "shape": cfg.to_dict()["shape"],
              "generator": generator,
              "schedule": [s.num_train, s.batch_size, s.mle_epochs, s.mle_eval_every, s.eval_samples]}
    if cfg.dataset != "synthetic":  # (synthetic keys stay as they were before real data existed)
        inputs["dataset"] = cfg.dataset
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def path(share_dir: Path, cfg: RunConfig) -> Path:
    return Path(share_dir) / f"pretrained-{key(cfg)}.npz"


def save(share_dir: Path, cfg: RunConfig, objects: dict[str, Any], rows: list[dict], seconds: float) -> None:
    target = path(share_dir, cfg)
    if not target.exists():
        checkpoint.save(target, objects, {"rows": rows, "seconds": seconds})


def restore(share_dir: Path, cfg: RunConfig, objects: dict[str, Any]) -> dict[str, Any] | None:
    """Load the shared pretraining into `objects`; its rows and seconds, or None if there is none yet."""
    return checkpoint.restore(path(share_dir, cfg), objects)
