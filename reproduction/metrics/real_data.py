"""Metrics of the real-world experiments (paper Section 5, Tables 2-4), where there is no oracle.

BLEU-n of each generated sequence against the corpus's references (`Corpus.test`: held-out sequences, never
trained on; the authors scored against their test set, on their issue tracker), nltk-exact (metrics/bleu.py):
BLEU-2 for poems, BLEU-3 and BLEU-4 for Obama, BLEU-4 for music; Self-BLEU of the samples (diversity) at the
corpus's first order. Sequences are cut at the corpus's end token (Obama pads with it) before scoring, so
padding never counts as matching n-grams.

Every BLEU is computed under both rules of metrics/bleu.py: `bleu2` etc. under "method1" (smoothed, today's
nltk and Texygen; the primary number) and `bleu2_legacy` etc. under "legacy" (nltk 3.2.x unsmoothed, as
2016-2017 code ran it: an order without a match is left out, which inflates scores). `column` names them.
How much the legacy rule inflates depends on how many sequences have no n-gram match at all: the tables report
that share as `unmatched3` etc. (`per_sequence(..., with_unmatched=True)`).

The real-data row of the tables (`score_samples(corpus, corpus.probe)`): held-out real sequences that are not
references (the corpus's probe) scored exactly as the samples are: the same references, the same function,
Self-BLEU over the same number of sequences (`self_bleu_count`, the probe's size).

MSE (music; the paper does not define it): for each generated melody, the mean squared difference in
semitones between it and the closest reference melody (position by position over the 32 steps), averaged
over the generated melodies. Lower is closer to real tunes. Token k is pitch k + 20, so token differences are
semitone differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reproduction.datasets.corpus import Corpus
from reproduction.errors import UserError
from reproduction.metrics.bleu import (
    BLEU_RULES,
    bleu_per_order_and_rule,
    check_rule,
    self_bleu_per_hypothesis,
)
from reproduction.seeding import numpy_rng

BLEU_ORDERS = {"poems": (2,), "obama": (3, 4), "nottingham": (4,),  # paper Tables 2-4
               "coco": (2, 3, 4, 5)}  # Texygen's orders (issue 43)
SELF_BLEU_SAMPLE = 2_000  # during training: Self-BLEU on the first 2,000 samples (each against the other 1,999)
SUFFIX = {"method1": "", "legacy": "_legacy"}  # column name suffix of each BLEU rule


def column(metric: str, rule: str) -> str:
    """The column of a BLEU-type metric ("bleu2", "self_bleu") under `rule`: bleu2, bleu2_legacy, ..."""
    check_rule(rule)
    return metric + SUFFIX[rule]


def bleu_columns(dataset: str, rules: tuple[str, ...] = BLEU_RULES) -> list[str]:
    """The BLEU columns of a corpus: bleu3, bleu3_legacy, bleu4, bleu4_legacy (Obama)."""
    return [column(f"bleu{n}", rule) for n in BLEU_ORDERS[dataset] for rule in rules]


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


def per_sequence(dataset: str, samples: np.ndarray, references: np.ndarray, end_token: int | None,
                 rules: tuple[str, ...] = BLEU_RULES, with_unmatched: bool = False) -> dict[str, np.ndarray]:
    """Per-sample scores: the corpus's BLEU orders under each rule (bleu2, bleu2_legacy, ...), mse for music, and
    with `with_unmatched` 1.0 / 0.0 per sample and order n where none / some of its n-grams is in a reference
    (`unmatchedN`: the samples the legacy rule scores on lower orders alone, so the mean is the share of samples
    whose BLEU-n that rule inflates)."""
    hyps, refs = trim(samples, end_token), trim(references, end_token)
    scores = {}
    by_order, unmatched = bleu_per_order_and_rule(refs, hyps, BLEU_ORDERS[dataset], rules)
    for n in BLEU_ORDERS[dataset]:
        scores.update({column(f"bleu{n}", rule): by_order[n, rule] for rule in rules})
        if with_unmatched:
            scores[f"unmatched{n}"] = unmatched[n].astype(np.float64)
    if dataset == "nottingham":
        scores["mse"] = nearest_mse(samples, references)
    return scores


def unmatched_columns(dataset: str) -> list[str]:
    """The share-without-a-match columns of a corpus: unmatched3, unmatched4 (Obama)."""
    return [f"unmatched{n}" for n in BLEU_ORDERS[dataset]]


def self_bleu(dataset: str, samples: np.ndarray, end_token: int | None, count: int,
              rules: tuple[str, ...] = BLEU_RULES) -> dict[str, float]:
    """Self-BLEU at the corpus's first order of the first `count` samples, under each rule."""
    if len(samples) < count:
        raise UserError(f"Self-BLEU over {count} sequences needs as many, got {len(samples)}")
    first = trim(samples[:count], end_token)
    return {column("self_bleu", rule): float(self_bleu_per_hypothesis(first, BLEU_ORDERS[dataset][0],
                                                                      rule=rule).mean()) for rule in rules}


def evaluate(dataset: str, samples: np.ndarray, references: np.ndarray, end_token: int | None,
             self_bleu_count: int = SELF_BLEU_SAMPLE, rules: tuple[str, ...] = BLEU_RULES) -> dict[str, float]:
    """Means of the per-sample scores, and Self-BLEU of the first `self_bleu_count` samples (all of them if
    there are fewer), under each rule."""
    row = {k: float(v.mean()) for k, v in per_sequence(dataset, samples, references, end_token, rules).items()}
    row.update(self_bleu(dataset, samples, end_token, min(self_bleu_count, len(samples)), rules))
    return row


@dataclass(frozen=True)
class Scores:
    """The scores of a set of sequences against a corpus's references: per-sequence arrays (BLEU, MSE) and the
    means with Self-BLEU (`means`), and how many sequences, references and Self-BLEU sequences were used."""

    per_sequence: dict[str, np.ndarray]
    means: dict[str, float]
    sequences: int
    references: int
    self_bleu_sequences: int


def score_samples(corpus: Corpus, samples: np.ndarray, rules: tuple[str, ...] = BLEU_RULES,
                  self_bleu_count: int | None = None) -> Scores:
    """Sequences (a model's final samples, or the real-data probe) scored as the tables score them: against the
    corpus's references; Self-BLEU of the first `self_bleu_count` (default: as many as the probe holds, or all
    the samples if they are fewer), so that models and real data are compared at the same count."""
    for rule in rules:
        check_rule(rule)
    samples = np.asarray(samples)
    if samples.ndim != 2 or samples.shape[1] != corpus.seq_len:
        raise UserError(f"samples of shape {samples.shape} are not sequences of the {corpus.name} corpus "
                        f"(length {corpus.seq_len})")
    if len(samples) and (samples.min() < 0 or samples.max() >= corpus.vocab_size):
        raise UserError(f"samples hold token ids outside the {corpus.name} vocabulary of {corpus.vocab_size}")
    count = self_bleu_count or min(len(corpus.require_probe()), len(samples))
    per_seq = per_sequence(corpus.name, samples, corpus.test, corpus.end_token, rules, with_unmatched=True)
    means = {k: float(v.mean()) for k, v in per_seq.items()}
    means.update(self_bleu(corpus.name, samples, corpus.end_token, count, rules))
    return Scores(per_seq, means, len(samples), len(corpus.test), count)


def real_data_scores(corpus: Corpus, rules: tuple[str, ...] = BLEU_RULES, self_bleu_count: int | None = None) -> Scores:
    """The real-data row: the corpus's probe (held out, disjoint from the references and the training split)
    scored exactly as a model's samples are (Self-BLEU of its first `self_bleu_count`; default: all of it)."""
    return score_samples(corpus, corpus.require_probe(), rules, self_bleu_count)


def reference_subset(corpus: Corpus, size: int) -> np.ndarray:
    """A seeded random `size` of the corpus's references (nested: a smaller size is a prefix of a larger)."""
    if not 1 <= size <= len(corpus.test):
        raise UserError(f"a reference subset of {size} from {len(corpus.test)} references")
    return corpus.test[np.sort(numpy_rng(0, "reference-size", corpus.name).permutation(len(corpus.test))[:size])]


def bleu_by_reference_size(corpus: Corpus, samples: np.ndarray, sizes: list[int],
                           rules: tuple[str, ...] = BLEU_RULES) -> dict[str, list[float]]:
    """Mean BLEU of `samples` (every order of the corpus, each rule) against `reference_subset` of each size:
    column -> one value per size."""
    out: dict[str, list[float]] = {c: [] for c in bleu_columns(corpus.name, rules)}
    hyps = trim(samples, corpus.end_token)
    for size in sizes:
        refs = trim(reference_subset(corpus, size), corpus.end_token)
        for (n, rule), values in bleu_per_order_and_rule(refs, hyps, BLEU_ORDERS[corpus.name], rules)[0].items():
            out[column(f"bleu{n}", rule)].append(float(values.mean()))
    return out
