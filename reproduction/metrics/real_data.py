"""Metrics of the real-world experiments (paper Section 5, Tables 2-4), where there is no oracle.

BLEU-n of each generated sequence against the whole test split as references (the authors, on their issue
tracker), nltk-exact (metrics/bleu.py): BLEU-2 for poems, BLEU-3 and BLEU-4 for Obama, BLEU-4 for music;
Self-BLEU of the samples (diversity) at the corpus's first order. Sequences are cut at the corpus's end
token (Obama pads with it) before scoring, so padding never counts as matching n-grams.

MSE (music; the paper does not define it): for each generated melody, the mean squared difference in
semitones between it and the closest test melody (position by position over the 32 steps), averaged over
the generated melodies. Lower is closer to real tunes. Token k is pitch k + 20, so token differences are
semitone differences.
"""

from __future__ import annotations

import numpy as np

from reproduction.metrics.bleu import bleu_per_hypothesis, self_bleu_per_hypothesis

BLEU_ORDERS = {"poems": (2,), "obama": (3, 4), "nottingham": (4,)}  # paper Tables 2-4
SELF_BLEU_SAMPLE = 2_000  # Self-BLEU on the first 2,000 samples (each against the other 1,999)


def trim(seqs: np.ndarray, end_token: int | None) -> list[list[int]]:
    """Each sequence up to (not including) its first end token."""
    out = []
    for row in np.asarray(seqs).tolist():
        out.append(row[:row.index(end_token)] if end_token is not None and end_token in row else row)
    return out


def nearest_mse(samples: np.ndarray, references: np.ndarray, chunk: int = 500) -> np.ndarray:
    """Per sample: min over references of the mean squared token difference, float64 [n]."""
    refs = references.astype(np.float32)
    ref_sq = (refs**2).sum(axis=1)
    out = []
    for i in range(0, len(samples), chunk):
        x = samples[i:i + chunk].astype(np.float32)
        d = (x**2).sum(axis=1)[:, None] + ref_sq[None, :] - 2.0 * x @ refs.T
        out.append(np.maximum(d.min(axis=1), 0.0) / samples.shape[1])
    return np.concatenate(out).astype(np.float64)


def per_sequence(dataset: str, samples: np.ndarray, references: np.ndarray,
                 end_token: int | None) -> dict[str, np.ndarray]:
    """Per-sample scores: bleuN for the corpus's orders, and mse for music."""
    hyps, refs = trim(samples, end_token), trim(references, end_token)
    scores = {f"bleu{n}": bleu_per_hypothesis(refs, hyps, n) for n in BLEU_ORDERS[dataset]}
    if dataset == "nottingham":
        scores["mse"] = nearest_mse(samples, references)
    return scores


def evaluate(dataset: str, samples: np.ndarray, references: np.ndarray, end_token: int | None) -> dict[str, float]:
    """Means of the per-sample scores, and Self-BLEU at the corpus's first BLEU order."""
    row = {k: float(v.mean()) for k, v in per_sequence(dataset, samples, references, end_token).items()}
    sample = trim(samples[:SELF_BLEU_SAMPLE], end_token)
    row["self_bleu"] = float(self_bleu_per_hypothesis(sample, BLEU_ORDERS[dataset][0]).mean())
    return row
