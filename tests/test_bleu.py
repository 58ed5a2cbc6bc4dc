"""BLEU and Self-BLEU equal nltk's sentence_bleu (uniform weights) averaged over hypotheses: today's nltk with
smoothing method1 (the default rule), and the old nltk 3.2.x unsmoothed (the legacy rule, against fixtures that
tests/fixtures/make_legacy_bleu_fixtures.py wrote with the real nltk 3.2.5 and 3.2.1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from reproduction.errors import UserError
from reproduction.metrics.bleu import (
    BLEU_RULES,
    bleu,
    bleu_per_hypothesis,
    bleu_per_order,
    bleu_per_order_and_rule,
    bleu_per_rule,
    self_bleu,
    self_bleu_per_hypothesis,
    self_bleu_per_order,
)

SMOOTH = SmoothingFunction().method1
LEGACY_FIXTURE = Path(__file__).parent / "fixtures" / "legacy_bleu_nltk32.json"


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


@pytest.mark.parametrize("trial", range(4))
def test_every_order_from_one_count_equals_each_order_counted_alone(trial):
    """bleu_per_order, self_bleu_per_order and bleu_per_order_and_rule count orders 1..max once and read BLEU-k
    from orders 1..k: the numbers of one call per order, bit for bit, under both rules; word tokens (which are
    given dense ids by sorting) and their integer ids score the same."""
    rng = np.random.default_rng(trial)
    words = np.array([f"w{i}" for i in range(8)])
    refs = [list(rng.integers(0, 8, rng.integers(0, 9))) for _ in range(12)]
    hyps = [list(rng.integers(0, 8, rng.integers(0, 9))) for _ in range(9)] + [[], [3]]
    as_words = [[list(words[s]) for s in c] for c in (refs, hyps)]
    orders = (2, 3, 5)
    for rule in BLEU_RULES:
        together, alone = bleu_per_order(refs, hyps, orders, rule=rule), {}
        for n in orders:
            alone[n] = bleu_per_hypothesis(refs, hyps, n, rule=rule)
            np.testing.assert_array_equal(together[n], alone[n])
            np.testing.assert_array_equal(bleu_per_hypothesis(*as_words, n, rule=rule), alone[n])
            np.testing.assert_array_equal(self_bleu_per_order(hyps, orders, rule=rule)[n],
                                          self_bleu_per_hypothesis(hyps, n, rule=rule))
    scores, unmatched = bleu_per_order_and_rule(refs, hyps, orders)
    for n in orders:
        by_rule, none = bleu_per_rule(refs, hyps, n)
        assert all(np.array_equal(scores[n, rule], by_rule[rule]) for rule in BLEU_RULES)
        np.testing.assert_array_equal(unmatched[n], none)


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


@pytest.fixture(scope="module")
def old_nltk():
    return json.loads(LEGACY_FIXTURE.read_text())


def fixture_rows(old_nltk, version):
    """(references, hypotheses, n, BLEU scores, Self-BLEU scores) of one old nltk version, None where it raised."""
    scores = old_nltk["scores"][version]
    for c, case in enumerate(old_nltk["cases"]):
        for k, n in enumerate(old_nltk["orders"]):
            yield case["references"], case["hypotheses"], n, scores["bleu"][c][k], scores["self_bleu"][c][k]


def test_legacy_fixture_covers_the_edge_cases(old_nltk):
    assert old_nltk["orders"] == [2, 3, 4, 5]
    assert set(old_nltk["scores"]) == {"3.2.1", "3.2.5"}
    hyps = [(h, case["references"]) for case in old_nltk["cases"] for h in case["hypotheses"]]
    assert any(len(h) == 0 for h, _ in hyps) and any(0 < len(h) < 4 for h, _ in hyps)
    assert any(len(h) > 0 and not set(h) & {t for r in refs for t in r} for h, refs in hyps)  # no match at all
    assert any(len(set(h)) < len(h) for h, _ in hyps)  # repeated tokens
    assert len({len(h) for h, _ in hyps}) > 10
    legacy = np.concatenate([bleu_per_hypothesis(r, h, 4, rule="legacy") for r, h, n, *_ in
                             fixture_rows(old_nltk, "3.2.5") if n == 4])
    method1 = np.concatenate([bleu_per_hypothesis(r, h, 4) for r, h, n, *_ in fixture_rows(old_nltk, "3.2.5")
                              if n == 4])
    assert (legacy > method1).sum() > 50  # many hypotheses without a 4-gram match (yet some match)


def test_legacy_rule_equals_nltk_3_2_5_unsmoothed_per_hypothesis_and_mean(old_nltk):
    for refs, hyps, n, expected_bleu, expected_self in fixture_rows(old_nltk, "3.2.5"):
        np.testing.assert_allclose(bleu_per_hypothesis(refs, hyps, n, rule="legacy"), expected_bleu, rtol=0, atol=1e-9)
        np.testing.assert_allclose(self_bleu_per_hypothesis(hyps, n, rule="legacy"), expected_self, rtol=0, atol=1e-9)
        assert bleu(refs, hyps, n, rule="legacy") == pytest.approx(np.mean(expected_bleu), abs=1e-9)
        assert self_bleu(hyps, n, rule="legacy") == pytest.approx(np.mean(expected_self), abs=1e-9)


def test_legacy_rule_equals_nltk_3_2_1_wherever_it_gives_a_score(old_nltk):
    for refs, hyps, n, expected_bleu, expected_self in fixture_rows(old_nltk, "3.2.1"):
        short = np.array([len(h) < n for h in hyps])
        for ours, expected in ((bleu_per_hypothesis(refs, hyps, n, rule="legacy"), expected_bleu),
                               (self_bleu_per_hypothesis(hyps, n, rule="legacy"), expected_self)):
            raised = np.array([e is None for e in expected])
            np.testing.assert_array_equal(raised, short)  # 3.2.1 raises ZeroDivisionError when shorter than n
            np.testing.assert_allclose(ours[~raised], np.array(expected)[~raised].astype(float), rtol=0, atol=1e-9)


def test_method1_is_the_default_and_still_equals_todays_nltk_on_the_fixture_corpora(old_nltk):
    for refs, hyps, n, *_ in fixture_rows(old_nltk, "3.2.5"):
        default = bleu_per_hypothesis(refs, hyps, n)
        np.testing.assert_array_equal(default, bleu_per_hypothesis(refs, hyps, n, rule="method1"))
        np.testing.assert_allclose(default, nltk_bleu(refs, hyps, n), rtol=0, atol=1e-9)
        np.testing.assert_allclose(self_bleu_per_hypothesis(hyps, n), nltk_self_bleu(hyps, n), rtol=0, atol=1e-9)


def test_legacy_scores_an_unmatched_order_as_a_factor_one_where_method1_smooths_it():
    refs, hyp = [[1, 2, 3, 4, 5]], [1, 2, 3, 7, 7]  # precisions 3/5, 2/4, 1/3, 0/2; brevity penalty 1
    legacy, method1 = bleu(refs, [hyp], 4, rule="legacy"), bleu(refs, [hyp], 4)
    assert legacy == pytest.approx((3 / 5 * 2 / 4 * 1 / 3) ** (1 / 4), abs=1e-12)
    assert method1 == pytest.approx((3 / 5 * 2 / 4 * 1 / 3 * 0.1 / 2) ** (1 / 4), abs=1e-12)
    assert legacy > 2 * method1
    repeated = [[2] * 6]  # one clipped unigram match, nothing else: legacy BLEU-4 exceeds BLEU-1
    assert bleu(refs, repeated, 4, rule="legacy") == pytest.approx((1 / 6) ** (1 / 4), abs=1e-12)
    assert bleu(refs, repeated, 1, rule="legacy") == pytest.approx(1 / 6, abs=1e-12)


@pytest.mark.parametrize("trial", range(4))
def test_legacy_is_at_least_method1_and_equal_when_every_order_matches(trial):
    rng = np.random.default_rng(trial)
    refs, hyps = rng.integers(0, 6, (20, 12)), rng.integers(0, 6, (30, 12))
    hyps[:5] = refs[:5]  # perfect: every order matches
    for n in (1, 2, 3, 4, 5):
        legacy, method1 = (bleu_per_hypothesis(refs, hyps, n, rule=r) for r in ("legacy", "method1"))
        assert np.all(legacy >= method1 - 1e-15)
        np.testing.assert_array_equal(legacy[:5], method1[:5])
        if n == 1:
            np.testing.assert_array_equal(legacy, method1)


@pytest.mark.parametrize("trial", range(3))
def test_the_rules_differ_exactly_on_hypotheses_without_a_top_order_match(trial):
    rng = np.random.default_rng(10 + trial)
    refs, hyps = rng.integers(0, 8, (15, 10)), rng.integers(0, 8, (60, 10))
    hyps[:3] = refs[:3]
    for n in (2, 3, 4):
        by_rule, unmatched = bleu_per_rule(refs, hyps, n)
        legacy, method1 = (bleu_per_hypothesis(refs, hyps, n, rule=r) for r in ("legacy", "method1"))
        np.testing.assert_array_equal(by_rule["legacy"], legacy)  # one count of the matches, the same scores
        np.testing.assert_array_equal(by_rule["method1"], method1)
        scored = method1 > 0  # at least one unigram match: otherwise both rules give 0
        np.testing.assert_array_equal((legacy != method1)[scored], unmatched[scored])
        assert not unmatched[:3].any()
    assert unmatched.any() and not unmatched.all()  # at n = 4 both kinds occur
    assert bleu_per_rule([[1, 2, 3, 4, 5]], [[1, 2, 3, 7], [1, 2, 3, 4], [3]], 4, ("legacy",))[1].tolist() == [
        True, False, True]  # no 4-gram in the reference, one, and a hypothesis too short to have any


def test_an_unknown_rule_is_a_user_error():
    for call in (lambda: bleu([[1, 2]], [[1, 2]], 2, rule="method0"),
                 lambda: bleu_per_hypothesis([[1, 2]], [[1, 2]], 2, rule="Legacy"),
                 lambda: self_bleu([[1, 2], [2, 1]], 2, rule=""),
                 lambda: self_bleu_per_hypothesis([[1, 2], [2, 1]], 2, rule="nltk")):
        with pytest.raises(UserError, match=r"unknown BLEU rule .*: choose one of method1, legacy"):
            call()
