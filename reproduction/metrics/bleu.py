"""BLEU-n and Self-BLEU-n as the text-GAN literature computes them (paper Section 5; Texygen's convention).

BLEU-n of a set of hypotheses: for each hypothesis, nltk's `sentence_bleu(references, hypothesis,
weights=(1/n,)*n, ...)` against *all* references, averaged over hypotheses. This module returns the same numbers
(tested to 1e-9) without nltk's per-pair Python loops:

- every n-gram of every sequence gets a dense integer id, built order by order from (id of the (n-1)-gram,
  next token), jointly over references and hypotheses, so equal n-grams have equal ids;
- the clipping count of an n-gram is its maximum count in any single reference (nltk's `max_counts`),
  computed once for all hypotheses;
- per hypothesis and order k: precision p_k = clipped matches / max(1, number of k-grams); brevity penalty BP
  against the closest reference length (ties: the shorter; BP = 0 for an empty hypothesis); BLEU = 0 when no
  unigram matches, exactly as nltk's corpus_bleu does for one sentence.

Only the combination of the orders depends on the `rule` (see BLEU_RULES):

- "method1" (default): `smoothing_function=SmoothingFunction().method1`, today's nltk and Texygen. An order
  with no match gets p_k = 0.1 / (number of k-grams), and BLEU = BP * exp(sum_k log(p_k) / n).
- "legacy": nltk 3.2.1 to 3.2.5 *unsmoothed* (no smoothing_function; in 3.2.2-3.2.5 that is method0), as the
  text-GAN code of 2016-2017 ran it. An order with no match is left out of the geometric mean: BLEU =
  BP * exp(sum over the orders with a match of log(p_k) / n), that is, the order contributes a factor 1 where
  method1 has a factor (0.1 / count)^(1/n) and today's unsmoothed nltk scores the sentence ~0. This inflates
  scores: a sequence with no 4-gram match is scored on its lower orders alone (a 4-gram precision of 0 counts
  as a perfect 1), so BLEU-4 can even exceed BLEU-1 ([2]*6 against [1, 2, 3, 4, 5]: BLEU-1 = 1/6, legacy
  BLEU-4 = (1/6)^(1/4) = 0.64). The orders left out are always the highest ones (a k-gram match implies a
  match of its (k-1)-gram prefix), so 3.2.1's "skip every zero" and 3.2.5's "stop at the first zero" agree.
  A hypothesis shorter than n has no n-grams: 3.2.1 raises ZeroDivisionError there and 3.2.2-3.2.5 leave
  the order out, which this rule follows. nltk 3.2 (3.2.0) differs in one case this rule does not copy: it
  scores 0 when some order has no match and every matched order is perfect (its sum of logs is exactly 0).

Self-BLEU-n: each hypothesis against all the *other* hypotheses (itself excluded), via the top two counts of
every n-gram over the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from reproduction.errors import UserError

EPSILON = 0.1  # nltk SmoothingFunction().method1
BLEU_RULES = ("method1", "legacy")  # how the orders combine; see the module docstring


def _flatten(collections: list[Sequence[Sequence]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids (dense, shared by all collections) and sequence lengths of the concatenated collections."""
    if all(isinstance(c, np.ndarray) and c.ndim == 2 and c.dtype.kind in "iu" for c in collections):
        lengths = np.concatenate([np.full(len(c), c.shape[1], dtype=np.int64) for c in collections])
        flat = np.concatenate([c.ravel() for c in collections])
        return np.unique(flat, return_inverse=True)[1].ravel().astype(np.int64), lengths  # dense ids
    sequences = [s for c in collections for s in c]
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    tokens = np.array(list(chain.from_iterable(sequences)))
    if tokens.dtype.kind not in "iuU":  # mixed or other token types: one id per distinct token, in order seen
        vocabulary: dict = {}
        return np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in tokens.tolist()), dtype=np.int64,
                           count=len(tokens)), lengths
    return np.unique(tokens, return_inverse=True)[1].ravel().astype(np.int64), lengths  # (sorting: C speed)


class _Corpus:
    """Sequences flattened, with dense n-gram ids for orders 1..n_max."""

    def __init__(self, collections: list[Sequence[Sequence]], n_max: int):
        flat, self.lengths = _flatten(collections)
        self.owner = np.repeat(np.arange(len(self.lengths)), self.lengths)
        ends = np.repeat(np.cumsum(self.lengths), self.lengths)
        positions = np.arange(len(flat))
        self.ids: list[np.ndarray] = []  # ids[n-1][pos] = id of the n-gram starting at pos, -1 if none
        previous = flat.copy()
        for n in range(1, n_max + 1):
            valid = positions + n <= ends
            if n == 1:
                current = np.where(valid, flat, -1)
            else:
                current = np.full(len(flat), -1, dtype=np.int64)
                idx = np.nonzero(valid)[0]
                keys = previous[idx] * (int(flat.max()) + 1) + flat[idx + n - 1]
                current[idx] = np.unique(keys, return_inverse=True)[1].ravel()
            self.ids.append(current)
            previous = current

    def counts(self, n: int, members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sequence, n-gram id, count) for every distinct n-gram of each sequence in `members` (bool mask)."""
        ids = self.ids[n - 1]
        keep = (ids >= 0) & members[self.owner]
        seq, gram = self.owner[keep], ids[keep]
        width = int(ids.max()) + 1 if len(ids) else 1
        pairs, count = np.unique(seq * width + gram, return_counts=True)
        return pairs // width, pairs % width, count


def _closest_lengths(hyp_lengths: np.ndarray, ref_lengths: np.ndarray) -> np.ndarray:
    """nltk's closest_ref_length for each hypothesis length: nearest, ties to the shorter."""
    refs = np.unique(ref_lengths)
    distance = np.abs(refs[None, :] - hyp_lengths[:, None]) * (refs.max() + 1) + refs[None, :]
    return refs[np.argmin(distance, axis=1)]


def _combine(matches: np.ndarray, totals: np.ndarray, hyp_lengths: np.ndarray, closest: np.ndarray,
             rule: str) -> np.ndarray:
    """Per-hypothesis BLEU from [H, n] clipped matches and n-gram totals, orders combined by `rule`."""
    n = matches.shape[1]
    denominators = np.maximum(totals, 1).astype(np.float64)
    if rule == "method1":  # an order with no match: 0.1 / count
        precisions = np.where(matches == 0, EPSILON / denominators, matches / denominators)
    else:  # legacy: an order with no match is left out, i.e. contributes log 1 = 0
        precisions = np.where(matches == 0, 1.0, matches / denominators)
    log_mean = (np.log(precisions) * (1.0 / n)).sum(axis=1)
    with np.errstate(divide="ignore"):
        penalty = np.where(hyp_lengths > closest, 1.0,
                           np.where(hyp_lengths == 0, 0.0,
                                    np.exp(1.0 - closest / np.maximum(hyp_lengths, 1))))
    scores = penalty * np.exp(log_mean)
    return np.where(matches[:, 0] == 0, 0.0, scores)


def check_rule(rule: str) -> None:
    """UserError unless `rule` is one of BLEU_RULES."""
    if rule not in BLEU_RULES:
        raise UserError(f"unknown BLEU rule {rule!r}: choose one of {', '.join(BLEU_RULES)}")


def _check(n: int, hypotheses: Sequence, what: str, minimum: int = 1) -> None:
    if n < 1:
        raise UserError(f"BLEU order n must be at least 1, got {n}")
    if len(hypotheses) < minimum:
        raise UserError(f"{what}: need at least {minimum} sequences, got {len(hypotheses)}")


def _reference_matches(references: Sequence[Sequence], hypotheses: Sequence[Sequence],
                       n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per hypothesis against all references: [H, n] clipped matches and n-gram totals of orders 1..n, the
    hypothesis lengths and the closest reference lengths (what `_combine` needs)."""
    _check(n, hypotheses, "hypotheses")
    _check(n, references, "references")
    corpus = _Corpus([references, hypotheses], n)
    n_refs, n_hyps = len(references), len(hypotheses)
    is_ref = np.arange(n_refs + n_hyps) < n_refs
    hyp_lengths = corpus.lengths[n_refs:]
    matches = np.zeros((n_hyps, n), dtype=np.int64)
    for order in range(1, n + 1):
        _, ref_gram, ref_count = corpus.counts(order, is_ref)
        max_ref = np.zeros(len(corpus.ids[order - 1]) + 1, dtype=np.int64)
        np.maximum.at(max_ref, ref_gram, ref_count)
        hyp_seq, hyp_gram, hyp_count = corpus.counts(order, ~is_ref)
        clipped = np.minimum(hyp_count, max_ref[hyp_gram])
        matches[:, order - 1] = np.bincount(hyp_seq - n_refs, weights=clipped, minlength=n_hyps)
    totals = np.maximum(hyp_lengths[:, None] - np.arange(n)[None, :], 0)
    return matches, totals, hyp_lengths, _closest_lengths(hyp_lengths, corpus.lengths[:n_refs])


def _by_order(counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], orders: Sequence[int],
              rule: str) -> dict[int, np.ndarray]:
    """BLEU-k for each k in `orders` from the counts of orders 1..max(orders): BLEU-k reads orders 1..k only."""
    matches, totals, lengths, closest = counts
    return {k: _combine(matches[:, :k], totals[:, :k], lengths, closest, rule) for k in orders}


def bleu_per_order(references: Sequence[Sequence], hypotheses: Sequence[Sequence], orders: Sequence[int], *,
                   rule: str = "method1") -> dict[int, np.ndarray]:
    """`bleu_per_hypothesis` for each order in `orders`, from one count of the matches (the same numbers)."""
    check_rule(rule)
    return _by_order(_reference_matches(references, hypotheses, max(orders)), orders, rule)


def bleu_per_hypothesis(references: Sequence[Sequence], hypotheses: Sequence[Sequence], n: int, *,
                        rule: str = "method1") -> np.ndarray:
    """sentence_bleu of each hypothesis against all references, uniform weights over orders 1..n, orders combined
    by `rule` ("method1": smoothing method1; "legacy": nltk 3.2.x unsmoothed)."""
    check_rule(rule)
    return _combine(*_reference_matches(references, hypotheses, n), rule)


def bleu_per_rule(references: Sequence[Sequence], hypotheses: Sequence[Sequence], n: int,
                  rules: Sequence[str] = BLEU_RULES) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """`bleu_per_hypothesis` under each of `rules` from one count of the matches, and the hypotheses none of whose
    n-grams is in any reference (or that have none): bool [H]. Those are the hypotheses the legacy rule scores on
    their lower orders alone, where method1 scores order n as 0.1 / count."""
    scores, unmatched = bleu_per_order_and_rule(references, hypotheses, (n,), rules)
    return {rule: scores[n, rule] for rule in rules}, unmatched[n]


def bleu_per_order_and_rule(references: Sequence[Sequence], hypotheses: Sequence[Sequence], orders: Sequence[int],
                            rules: Sequence[str] = BLEU_RULES) -> tuple[dict[tuple[int, str], np.ndarray],
                                                                        dict[int, np.ndarray]]:
    """`bleu_per_rule` for each order in `orders`, from one count of the matches: {(n, rule): scores} and
    {n: the hypotheses with no n-gram in any reference}."""
    for rule in rules:
        check_rule(rule)
    counts = _reference_matches(references, hypotheses, max(orders))
    scores = {(n, rule): v for rule in rules for n, v in _by_order(counts, orders, rule).items()}
    return scores, {n: counts[0][:, n - 1] == 0 for n in orders}


def _self_matches(hypotheses: Sequence[Sequence], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per hypothesis against all the others: what `_combine` needs, for orders 1..n."""
    _check(n, hypotheses, "Self-BLEU", minimum=2)
    corpus = _Corpus([hypotheses], n)
    size = len(hypotheses)
    everyone = np.ones(size, dtype=bool)
    matches = np.zeros((size, n), dtype=np.int64)
    for order in range(1, n + 1):
        seq, gram, count = corpus.counts(order, everyone)
        # per n-gram: the largest count and its owner, and the second largest count
        order_idx = np.lexsort((-count, gram))
        g_sorted, c_sorted, s_sorted = gram[order_idx], count[order_idx], seq[order_idx]
        first = np.ones(len(g_sorted), dtype=bool)
        first[1:] = g_sorted[1:] != g_sorted[:-1]
        starts = np.nonzero(first)[0]
        group = np.cumsum(first) - 1
        top1, top1_owner = c_sorted[starts], s_sorted[starts]
        has_second = np.zeros(len(starts), dtype=bool)
        second_pos = starts + 1
        ok = second_pos < len(g_sorted)
        has_second[ok] = g_sorted[second_pos[ok]] == g_sorted[starts[ok]]
        top2 = np.where(has_second, c_sorted[np.minimum(second_pos, len(g_sorted) - 1)], 0)
        g = group[np.argsort(order_idx)]  # group of each (seq, gram) pair in the original order
        best_other = np.where(top1_owner[g] == seq, top2[g], top1[g])
        matches[:, order - 1] = np.bincount(seq, weights=np.minimum(count, best_other), minlength=size)
    lengths = corpus.lengths
    totals = np.maximum(lengths[:, None] - np.arange(n)[None, :], 0)
    closest = np.empty(size, dtype=np.int64)
    values, multiplicity = np.unique(lengths, return_counts=True)
    for value, times in zip(values, multiplicity, strict=True):
        mine = lengths == value
        others = lengths if times > 1 else lengths[lengths != value]
        closest[mine] = _closest_lengths(np.array([value]), others)[0]
    return matches, totals, lengths, closest


def self_bleu_per_hypothesis(hypotheses: Sequence[Sequence], n: int, *, rule: str = "method1") -> np.ndarray:
    """BLEU of each hypothesis against all the other hypotheses (itself excluded), orders combined by `rule`."""
    check_rule(rule)
    return _combine(*_self_matches(hypotheses, n), rule)


def self_bleu_per_order(hypotheses: Sequence[Sequence], orders: Sequence[int], *,
                        rule: str = "method1") -> dict[int, np.ndarray]:
    """`self_bleu_per_hypothesis` for each order in `orders`, from one count of the matches (the same numbers)."""
    check_rule(rule)
    return _by_order(_self_matches(hypotheses, max(orders)), orders, rule)


def bleu(references: Sequence[Sequence], hypotheses: Sequence[Sequence], n: int, *, rule: str = "method1") -> float:
    """Mean BLEU-n of the hypotheses against all references."""
    return float(bleu_per_hypothesis(references, hypotheses, n, rule=rule).mean())


def self_bleu(hypotheses: Sequence[Sequence], n: int, *, rule: str = "method1") -> float:
    """Mean Self-BLEU-n: each hypothesis against the others."""
    return float(self_bleu_per_hypothesis(hypotheses, n, rule=rule).mean())
