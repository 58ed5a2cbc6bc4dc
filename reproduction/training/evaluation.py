"""The one evaluation path of every method (paper Section 4, Eq. 9; Section 5 for real data).

Synthetic data: NLL-oracle = the oracle's mean per-token NLL of fresh generator samples (quality), and
NLL-test = the generator's mean per-token NLL of held-out oracle samples it never trained on (coverage; the
diversity side that NLL-oracle cannot see). Real data: BLEU of the samples against the held-out references
(under both BLEU rules), Self-BLEU, MSE for music, and NLL-test on those references.
"""

from __future__ import annotations

import numpy as np

from reproduction.metrics import real_data
from reproduction.metrics.nll import mean_nll
from reproduction.models.generator import sample_many
from reproduction.run_log import Row
from reproduction.seeding import derive
from reproduction.training.components import Components


def evaluate(c: Components, phase: str, step: int) -> Row:
    """The quality metrics of fresh samples of the generator, and NLL-test, at (phase, step)."""
    samples = sample_many(c.generator, c.cfg.schedule.eval_samples, derive(c.cfg.seed, "eval", phase, step))
    where = f"evaluation in phase {phase}, step {step}"
    row: Row = {"nll_test": mean_nll(c.generator, c.held_out, where)}  # the generator scores held-out data
    if c.oracle is not None:
        row["nll_oracle"] = mean_nll(c.oracle.model, samples, where)  # the oracle scores the generator's samples
    else:
        row.update(real_data.evaluate(c.cfg.dataset, samples, c.held_out, c.corpus.end_token))
    return row


def final_samples(c: Components) -> dict[str, np.ndarray]:
    """Samples of the final generator with their per-sequence NLL-oracle (or, on real data, per-sequence BLEU
    and MSE), for the significance tests of the tables."""
    samples = sample_many(c.generator, c.cfg.schedule.eval_samples, derive(c.cfg.seed, "final"))
    if c.oracle is not None:
        return {"tokens": samples, "nll_oracle": c.oracle.sequence_nll(samples)}
    return {"tokens": samples, **real_data.per_sequence(c.cfg.dataset, samples, c.held_out, c.corpus.end_token)}
