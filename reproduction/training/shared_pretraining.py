"""Shared pretraining (paper Figure 2: MLE, PG-BLEU and SeqGAN continue from one pretrained generator, the
curve before the dashed line; Algorithm 1, lines 2 and 4-5).

Two phases depend only on a few settings, never on what comes after them, so runs that agree on those
settings compute them bit-identically (tests check this) and an experiment computes each once:
- `mle` (the generator's MLE pretraining): the oracle or corpus, the seed, the generator's settings and a
  few counts; shared by MLE, PG-BLEU, SeqGAN, its controls and Figure 3's strategies;
- `d_pretrain` (the discriminator's pretraining on negatives from that generator): the same, plus the
  discriminator's settings and the pretraining counts; shared by SeqGAN, its controls and Figure 3's
  four strategies, whose differences all come later.
The first run to finish such a phase leaves a snapshot (the phase's models and optimizers, its logged rows
and its seconds) in a shared folder, keyed by a hash of exactly the settings the phase depends on; later
runs with the same key start from it instead of recomputing it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from reproduction.config import KERAS_ADAM_EPSILON, RunConfig
from reproduction.methods import SHARED_PHASES
from reproduction.training import checkpoint


def key(cfg: RunConfig, phase: str = "mle") -> str:
    s = cfg.schedule
    generator = cfg.to_dict()["generator"]
    del generator["pg_learning_rate"]  # the policy gradient's, not the pretraining's
    if cfg.adam != "fused":  # (the default's keys stay as they were before this field existed)
        generator["adam"] = cfg.adam
    if cfg.adam_epsilon != KERAS_ADAM_EPSILON:  # (likewise)
        generator["adam_epsilon"] = cfg.adam_epsilon
    inputs: dict[str, Any] = {
        "oracle": cfg.oracle, "oracle_seed": cfg.oracle_seed, "seed": cfg.seed, "shape": cfg.to_dict()["shape"],
        "generator": generator, "schedule": [s.num_train, s.batch_size, s.mle_epochs, s.mle_eval_every, s.eval_samples]}
    if cfg.dataset != "synthetic":  # (synthetic keys stay as they were before real data existed)
        inputs["dataset"] = cfg.dataset
    if phase == "d_pretrain":
        inputs["d_pretrain"] = {"discriminator": cfg.to_dict()["discriminator"], "adam": cfg.adam,
                                "counts": [s.d_pretrain_rounds, s.d_pretrain_epochs, s.d_negatives, s.d_positives]}
        if cfg.adam_epsilon != KERAS_ADAM_EPSILON:
            inputs["d_pretrain"]["adam_epsilon"] = cfg.adam_epsilon
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def path(share_dir: Path, cfg: RunConfig, phase: str = "mle") -> Path:
    prefix = "pretrained" if phase == "mle" else "d-pretrained"
    return Path(share_dir) / f"{prefix}-{key(cfg, phase)}.npz"


def save(share_dir: Path, cfg: RunConfig, objects: dict[str, Any], rows: list[dict], seconds: float,
         phase: str = "mle") -> None:
    target = path(share_dir, cfg, phase)
    if not target.exists():
        checkpoint.save(target, objects, {"rows": rows, "seconds": seconds})


def restore(share_dir: Path, cfg: RunConfig, objects: dict[str, Any], phase: str = "mle") -> dict[str, Any] | None:
    """Load the shared phase into `objects`; its rows and seconds, or None if there is none yet (or it is damaged:
    then it is set aside, and the phase, computed again bit for bit, leaves a new one)."""
    return checkpoint.restore(path(share_dir, cfg, phase), objects, recomputable=True)


__all__ = ["SHARED_PHASES", "key", "path", "restore", "save"]
