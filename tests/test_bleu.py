"""BLEU and Self-BLEU equal nltk's sentence_bleu (uniform weights, method1) averaged over hypotheses."""

from __future__ import annotations

import numpy as np
import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from reproduction.errors import UserError
from reproduction.metrics.bleu import bleu, bleu_per_hypothesis, self_bleu, self_bleu_per_hypothesis

SMOOTH = SmoothingFunction().method1


def nltk_bleu(refs, hyps, n):
    return np.array([sentence_bleu(refs, h, (1.0 / n,) * n, smoothing_function=SMOOTH) for h in hyps])


def nltk_self_bleu(hyps, n):
    return np.array([sentence_bleu(hyps[:i] + hyps[i + 1:], h, (1.0 / n,) * n, smoothing_function=SMOOTH)
                     for i, h in enumerate(hyps)])


@pytest.mark.parametrize("trial", range(12))
def test_bleu_equals_nltk_on_random_corpora_with_edge_cases(trial):
    rng = np.random.default_rng(trial)
    vocab = int(rng.integers(2, 10))  # small vocabularies: repeated n-grams and clipping
    refs = [list(rng.integers(0, vocab, rng.integers(0, 9))) for _ in range(rng.integers(1, 10))]
    hyps = [list(rng.integers(0, vocab, rng.integers(0, 9))) for _ in range(rng.integers(2, 10))]
    hyps += [[], [0], [vocab + 5] * 4]  # empty, shorter than n, no overlap at all
    for n in (1, 2, 3, 4, 5):
        np.testing.assert_allclose(bleu_per_hypothesis(refs, hyps, n), nltk_bleu(refs, hyps, n), rtol=0, atol=1e-9)
        np.testing.assert_allclose(self_bleu_per_hypothesis(hyps, n), nltk_self_bleu(hyps, n), rtol=0, atol=1e-9)


def test_token_arrays_with_ids_larger_than_the_corpus_equal_nltk():
    rng = np.random.default_rng(5)  # 3 x 4 positions, ids up to 4,999 (a small file of vocabulary-5000 ids)
    refs, hyps = rng.integers(4990, 5000, (3, 4)), rng.integers(4990, 5000, (2, 4))
    for n in (1, 2, 3):
        np.testing.assert_allclose(bleu_per_hypothesis(refs, hyps, n), nltk_bleu(refs.tolist(), hyps.tolist(), n),
                                   rtol=0, atol=1e-9)
        np.testing.assert_allclose(self_bleu_per_hypothesis(hyps, n), nltk_self_bleu(hyps.tolist(), n),
                                   rtol=0, atol=1e-9)


def test_bleu_equals_nltk_on_word_sentences():
    text = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog met on a mat",
            "we sat on the mat and the log", "the the the the ."]
    sentences = [s.split() for s in text]
    refs, hyps = sentences[:3], sentences[2:]
    for n in (2, 3, 4):
        assert bleu(refs, hyps, n) == pytest.approx(nltk_bleu(refs, hyps, n).mean(), abs=1e-12)
        assert self_bleu(sentences, n) == pytest.approx(nltk_self_bleu(sentences, n).mean(), abs=1e-12)


def test_bleu_of_token_arrays_equals_the_list_form():
    rng = np.random.default_rng(0)
    refs, hyps = rng.integers(0, 30, (200, 20)), rng.integers(0, 30, (40, 20))
    a = bleu_per_hypothesis(refs, hyps, 3)
    b = nltk_bleu([list(r) for r in refs], [list(h) for h in hyps], 3)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)


def test_self_bleu_excludes_the_hypothesis_itself():
    hyps = [[1, 2, 3, 4], [5, 6, 7, 8], [5, 6, 7, 9]]
    scores = self_bleu_per_hypothesis(hyps, 2)
    assert scores[0] == 0.0  # it shares nothing with the others; counting itself would give 1
    assert 0 < scores[1] < 1
    assert bleu_per_hypothesis(hyps, hyps[:1], 2)[0] == pytest.approx(1.0)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(UserError, match="at least 2"):
        self_bleu([[1, 2]], 2)
    with pytest.raises(UserError, match="order n must be at least 1"):
        bleu([[1]], [[1]], 0)
    with pytest.raises(UserError, match="references: need at least 1"):
        bleu([], [[1]], 2)


def test_bleu_benchmark_agrees_with_nltk_on_its_sample():
    from reproduction.bench.suite import bleu_row

    row = bleu_row(references=200, hypotheses=60, n=3, nltk_sample=6)
    assert row.values_agree is True
    assert row.median > 0 and row.reference_median > 0
