"""Timing on this machine. `adversarial`: seconds per adversarial batch at a profile's schedule (paper: g=1 with
16 rollouts, then d=5 d-steps of k=3 epochs over 10,000 real + 10,000 fresh negatives), at the paper's shapes.
`bleu`: BLEU-3 of 10,000 hypotheses against 10,000 references, ours against nltk, in the same run.

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


def bleu_speed(hypotheses: int = 10_000, references: int = 10_000, n: int = 3, nltk_sample: int = 20,
               seed: int = 0) -> dict[str, Any]:
    """BLEU-n of `hypotheses` against `references` (oracle-like random token sequences of length 20): ours on
    all of them, nltk's sentence_bleu on `nltk_sample` of them, both in this run; the ratio compares the time
    per hypothesis. The values on the sample must agree to 1e-9."""
    import numpy as np
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    from reproduction.metrics.bleu import bleu_per_hypothesis

    rng = np.random.default_rng(seed)
    vocab = 5000
    refs = rng.zipf(1.3, (references, 20)) % vocab  # heavy-tailed like text: n-grams repeat across sequences
    hyps = rng.zipf(1.3, (hypotheses, 20)) % vocab
    start = time.monotonic()
    ours = bleu_per_hypothesis(refs, hyps, n)
    ours_seconds = time.monotonic() - start
    ref_lists = [list(r) for r in refs]
    smooth = SmoothingFunction().method1
    start = time.monotonic()
    theirs = [sentence_bleu(ref_lists, list(h), (1.0 / n,) * n, smoothing_function=smooth) for h in hyps[:nltk_sample]]
    nltk_per_hypothesis = (time.monotonic() - start) / nltk_sample
    return {"bleu_order": n, "hypotheses": hypotheses, "references": references,
            "ours_seconds": ours_seconds, "nltk_seconds_per_hypothesis": nltk_per_hypothesis,
            "nltk_projected_seconds": nltk_per_hypothesis * hypotheses,
            "speedup": nltk_per_hypothesis * hypotheses / ours_seconds,
            "max_abs_difference_on_sample": float(np.abs(ours[:nltk_sample] - np.array(theirs)).max()),
            "nltk_sample": nltk_sample, "commit": provenance.commit(), "when": provenance.now()}


def main(what: str, profile: str, batches: int, oracle: str, mirror: str | Path | None) -> str:
    if what == "bleu":
        return json.dumps(bleu_speed(), indent=2)
    return json.dumps(adversarial_batches(profile, batches, oracle, mirror), indent=2)
