"""The two benchmark protocols (metrics/benchmark_protocols.py; issue 43) against nltk itself and against the peers'
formulas written out with nltk: Texygen's BLEU (every sample against all references), its Self-BLEU paths
(leave-one-out: the published numbers; the plain path with the sample among its references), the corrected
protocol's real-data row and counts, and both NLL-tests on a tiny network."""

from __future__ import annotations

import numpy as np
import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from reproduction.errors import UserError
from reproduction.metrics import benchmark_protocols as protocols
from reproduction.metrics.published_benchmarks import published_rows

SMOOTH = SmoothingFunction().method1


def nltk_bleu(references, hypothesis, n):
    return sentence_bleu(references, hypothesis, weights=tuple([1.0 / n] * n), smoothing_function=SMOOTH)


def sentences(seed: int, count: int, vocabulary: int = 9) -> list[list[str]]:
    """Random sentences of 1 to 12 words from a small vocabulary (so n-grams repeat), one repeated sentence."""
    rng = np.random.default_rng(seed)
    out = [[f"w{t}" for t in rng.integers(0, vocabulary, rng.integers(1, 13))] for _ in range(count)]
    return [*out, list(out[0])]


SAMPLES, REFERENCES = sentences(1, 24), sentences(2, 30)


@pytest.mark.parametrize("n", protocols.ORDERS)
def test_texygen_bleu_is_nltk_sentence_bleu_of_each_sample_against_all_references(n):
    row = protocols.score_texygen(SAMPLES, REFERENCES)
    expected = np.mean([nltk_bleu(REFERENCES, h, n) for h in SAMPLES])  # Texygen Bleu.get_bleu, written with nltk
    assert row.bleu[n] == pytest.approx(expected, abs=1e-9)
    assert (row.sentences, row.references, row.self_bleu_sentences) == (25, 31, 25)


@pytest.mark.parametrize("n", protocols.ORDERS)
def test_texygen_self_bleu_is_each_sample_against_all_the_others(n):
    # Texygen SelfBleu.get_bleu_parallel: reference[:i] + reference[i+1:], which reproduces the published numbers
    expected = np.mean([nltk_bleu(SAMPLES[:i] + SAMPLES[i + 1:], h, n) for i, h in enumerate(SAMPLES)])
    assert protocols.score_texygen(SAMPLES, REFERENCES).self_bleu[n] == pytest.approx(expected, abs=1e-9)


def test_plain_self_bleu_path_puts_each_sample_among_its_references_and_scores_about_one():
    # Texygen SelfBleu.get_bleu (and RelGAN's copy): not what produced the published numbers
    for n in (2, 5):
        expected = np.mean([nltk_bleu(SAMPLES, h, n) for h in SAMPLES])
        assert protocols.self_bleu_inclusive(SAMPLES, n) == pytest.approx(expected, abs=1e-9)
    long = [s for s in SAMPLES if len(s) >= 5]
    assert protocols.self_bleu_inclusive(long, 5) == pytest.approx(1.0)
    assert protocols.score_texygen(long, REFERENCES).self_bleu[5] < 0.9


def test_fewer_samples_score_the_same_formula_on_a_prefix():
    # RelGAN scored the first 100 samples, TextGAN-PyTorch the first 200: the same per-sample BLEU, fewer samples
    head = protocols.score_texygen(SAMPLES[:10], REFERENCES)
    assert head.bleu[3] == pytest.approx(np.mean([nltk_bleu(REFERENCES, h, 3) for h in SAMPLES[:10]]), abs=1e-9)


def test_corrected_rows_score_samples_and_real_data_alike_over_one_count():
    real = sentences(3, 9)
    row, real_row = protocols.score_corrected(SAMPLES, REFERENCES, real, "s", "real")
    k = len(real)  # 10 real sentences, 25 samples: Self-BLEU over 10 of each
    assert (row.sentences, row.self_bleu_sentences, real_row.sentences, real_row.self_bleu_sentences) == (25, k, k, k)
    assert row.protocol == real_row.protocol == "corrected" and real_row.references == len(REFERENCES)
    assert real_row.bleu[4] == pytest.approx(np.mean([nltk_bleu(REFERENCES, h, 4) for h in real]), abs=1e-9)
    first = SAMPLES[:k]
    assert row.self_bleu[4] == pytest.approx(
        np.mean([nltk_bleu(first[:i] + first[i + 1:], h, 4) for i, h in enumerate(first)]), abs=1e-9)
    few = SAMPLES[:4]  # fewer samples than real sentences: the real data's first 4
    _, real_few = protocols.score_corrected(few, REFERENCES, real)
    assert real_few.sentences == real_few.self_bleu_sentences == 4


def test_corrected_protocol_refuses_real_data_among_its_references():
    real = sentences(3, 9)
    with pytest.raises(UserError, match="real-data sentence is among the references"):
        protocols.score_corrected(SAMPLES, [*REFERENCES, real[2]], real)


def test_one_sample_or_an_unknown_protocol_is_a_user_error():
    with pytest.raises(UserError, match="at least 2"):
        protocols.score_texygen(SAMPLES[:1], REFERENCES)
    with pytest.raises(UserError, match="unknown protocol 'nltk'"):
        protocols.check_protocol("nltk")


def test_published_table_holds_texygens_seqgan_and_mle_rows():
    rows = {r.model: r for r in published_rows("coco")}
    assert rows["SeqGAN"].bleu == {2: 0.745, 3: 0.498, 4: 0.294, 5: 0.180}
    assert rows["MLE"].self_bleu == {2: 0.916, 3: 0.769, 4: 0.583, 5: 0.408}
    assert (rows["MLE"].nll_gen, rows["SeqGAN"].nll_gen) == (0.718, 1.082)
    assert all(r.protocol == "texygen" and "Texygen" in r.source for r in rows.values())
    assert published_rows("emnlp_news") == []


# --- NLL-test ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def network():
    from oracle.network import LSTMNetwork
    from oracle.shape import LSTMShape

    net = LSTMNetwork(LSTMShape(vocab_size=12, emb_dim=4, hidden_dim=5, seq_len=6))
    rng = np.random.default_rng(0)
    for variable in net.weights:
        variable.assign(rng.normal(0, 1.0, variable.shape).astype(np.float32))
    return net


def token_nll(network, seqs):
    """-log p(y_t | y_<t) of every position, from the network's logits in float64."""
    logits = network(np.asarray(seqs, np.int32)).numpy().astype(np.float64)
    log_softmax = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) \
        - logits.max(-1, keepdims=True)
    return -np.take_along_axis(log_softmax, np.asarray(seqs)[..., None], axis=-1)[..., 0]


def padded(rng, count):
    seqs = np.zeros((count, 6), np.int32)  # 0 is the end and padding token
    for row in seqs:
        length = rng.integers(1, 7)
        row[:length] = rng.integers(1, 12, length)
    return seqs


def test_texygen_nll_is_the_per_position_mean_over_whole_batches_padding_included(network):
    seqs = padded(np.random.default_rng(1), 150)
    value, used = protocols.nll_texygen(network, seqs, batch_size=64)
    assert used == 128  # two whole batches; the last 22 sequences dropped, as Texygen's data loader did
    assert value == pytest.approx(token_nll(network, seqs[:128]).mean(), abs=1e-5)
    with pytest.raises(UserError, match="at least one batch of 64"):
        protocols.nll_texygen(network, seqs[:10], batch_size=64)


def test_corrected_nll_counts_each_token_and_the_first_end_token_not_the_padding(network):
    seqs = padded(np.random.default_rng(2), 40)
    seqs[0] = [3, 4, 5, 6, 7, 8]  # no end token: all six positions count
    value, count = protocols.nll_heldout(network, seqs, end_token=0, chunk=16)
    mask = protocols.counted_positions(seqs, 0)
    assert mask[0].all() and count == 40
    lengths = (seqs != 0).sum(axis=1)
    assert (mask.sum(axis=1) == np.minimum(lengths + 1, 6)).all()
    assert value == pytest.approx(token_nll(network, seqs)[mask].mean(), abs=1e-5)
    assert value != pytest.approx(token_nll(network, seqs).mean(), abs=1e-3)  # padding would change it
