"""COCO captions and EMNLP News as Texygen read them (datasets/texygen_text.py, coco.py, emnlp_news.py; issue 43):
the tokenizer reproduces Texygen's own tokenised files without any nltk data, the vocabulary, length and
out-of-vocabulary counts, end and padding, the registered Corpus, and the same-image captions that decide the
real-data row."""

from __future__ import annotations

import nltk
import numpy as np
import pytest

from reproduction.datasets import coco, download, emnlp_news, texygen_text
from reproduction.datasets.registry import load_corpus
from reproduction.errors import UserError
from reproduction.metrics.bleu import bleu_per_hypothesis


@pytest.fixture(scope="module")
def text():
    from tests.conftest import MIRROR

    if not (MIRROR / "image_coco" / "image_coco.txt").is_file():
        pytest.skip(f"no data mirror at {MIRROR}")
    return coco.load_text(mirror=MIRROR)


def test_tokenizer_needs_no_nltk_data(monkeypatch):
    def no_data(*args, **kwargs):
        raise LookupError("no nltk data in this test")

    monkeypatch.setattr(nltk.data, "find", no_data)
    monkeypatch.setattr(nltk.data, "load", no_data)
    assert texygen_text.tokenize("A man riding a bike down the street.") == [
        "a", "man", "riding", "a", "bike", "down", "the", "street", "."]


def test_tokenizer_splits_sentences_within_a_line_and_keeps_old_nltk_quirks():
    # a line of two sentences: each ends in its own "." token, as nltk.word_tokenize (Punkt first) made it
    assert texygen_text.tokenize("view of a kitchen and breakfast rooms. lot of stuff in the sink.") == [
        "view", "of", "a", "kitchen", "and", "breakfast", "rooms", ".", "lot", "of", "stuff", "in", "the", "sink", "."]
    # the Treebank tokenizer of Texygen's nltk left "table.." whole (today's word_tokenize splits off "..")
    assert texygen_text.tokenize("hot cereal and fruit are on the table..")[-1] == "table.."
    assert texygen_text.tokenize('he said "hi"') == ["he", "said", "``", "hi", "''"]


def test_the_plain_line_shortcut_gives_nltks_tokens_and_leaves_contractions_to_nltk(text, mirror, monkeypatch):
    """Lines of plain words, "." and "," split on their spaces give what Punkt and Treebank give (seeded random
    lines from the vocabulary and words nltk splits, and the first 5,000 training captions), without calling
    them."""
    import random

    plain = [w for w in text.vocab[1:] if w.isascii() and w.isalnum() and w.islower()]
    split_by_nltk = ["cannot", "gonna", "wanna", "gimme", "lemme", "gotta", "whaddya", "whatcha", "d", "na", "tis"]
    rng = random.Random(0)
    lines = [" ".join(rng.choice(plain + split_by_nltk) if rng.random() < 0.8 else rng.choice(".,")
                      for _ in range(rng.randint(1, 25))) for _ in range(3000)]
    lines += texygen_text.read_lines(mirror / "image_coco" / "image_coco.txt")[:5000]
    expected = [texygen_text.nltk_tokenize(line.lower()) for line in lines]
    assert [texygen_text.tokenize(line) for line in lines] == expected
    calls = []
    monkeypatch.setattr(texygen_text, "nltk_tokenize", lambda line: calls.append(line) or line.split())
    line = "a man riding a bike , down the street ."
    assert texygen_text.tokenize(line) == line.split()
    assert calls == []
    assert texygen_text.tokenize("we cannot go") and calls == ["we cannot go"]


def test_line_reading_follows_python_text_mode():
    assert texygen_text.split_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert texygen_text.split_lines("a\n\nb") == ["a", "", "b"]
    assert texygen_text.split_lines("") == []


def test_tokenizer_reproduces_texygens_tokenised_coco_test_file(text):
    assert len(text.nll_test) == 6_810
    assert text.nll_test_matches_texygen()  # line for line, in order


def test_tokenizer_reproduces_texygens_tokenised_emnlp_test_file(mirror):
    ours = texygen_text.tokenize_file(mirror / "emnlp_news" / "test_emnlp.txt")
    theirs = texygen_text.read_pretokenized(mirror / "emnlp_news" / "nll_test_emnlp.txt")
    assert len(ours) == len(theirs) == 10_000 and ours == theirs


def test_vocabulary_length_and_out_of_vocabulary_counts_against_texygens(text):
    assert (len(text.train), len(text.test)) == (10_000, 10_000)
    assert text.vocab[0] == "<eos>" and len(text.vocab) == 4_680 + 1
    assert abs((len(text.vocab) - 1) - coco.TEXYGEN_VOCAB_TYPES) == 2  # Texygen reports 4,682 (module docstring)
    assert text.seq_len == coco.TEXYGEN_SEQ_LEN == 37 and max(len(s) for s in text.test) == 34
    assert int((~text.test_in_vocab).sum()) == coco.TEXYGEN_TEST_WITH_OOV == 3_190
    assert int(text.test_in_train.sum()) == 15
    assert set(text.vocab[1:]) == {t for s in text.train for t in s}  # from the training file only


def test_captions_end_with_the_end_token_up_to_the_length_and_decode_back(text):
    ids = text.encode(text.train[:3], "train")
    assert ids.shape == (3, 37) and ids.dtype == np.int32
    first = len(text.train[0])
    assert (ids[0, first:] == coco.END).all() and (ids[0, :first] != coco.END).all()
    assert coco.decode_texygen(ids[0], text.vocab) == " ".join(text.train[0])
    gap = np.concatenate([ids[0, :2], [coco.END], ids[0, 2:-1]])  # an end token inside: Texygen skipped it
    assert coco.decode_texygen(gap, text.vocab) == " ".join(text.train[0])
    with pytest.raises(UserError, match="not in the COCO vocabulary"):
        text.encode([["a", "qwertyuiop"]], "samples")
    with pytest.raises(UserError, match="more than the COCO sequence length 37"):
        text.encode([["a"] * 38], "samples")


def test_coco_is_a_registered_corpus_with_in_vocabulary_references_and_no_probe(mirror):
    corpus = load_corpus("coco", mirror)
    assert (corpus.vocab_size, corpus.seq_len, len(corpus.train)) == (4_681, 37, 10_000)
    assert len(corpus.test) == 6_810 - 15 and corpus.end_token == 0
    assert corpus.info["test_with_oov"] == 3_190 and corpus.info["nll_test_matches_texygen"] is True
    assert corpus.decode(corpus.train[0]) == "a bicycle replica with a clock as the front wheel ."
    assert corpus.probe is None or len(corpus.probe) == 0
    with pytest.raises(UserError, match="without a real-data probe"):
        corpus.require_probe()


def test_files_come_from_texygens_repository_with_their_sha256(mirror):
    for key, branch in (("coco_train", "master"), ("coco_test", "master"), ("coco_nll_test", "nll_test"),
                        ("emnlp_test", "master"), ("emnlp_nll_test", "nll_test")):
        spec = download.FILES[key]
        assert spec.url.startswith(f"https://raw.githubusercontent.com/geek-ai/Texygen/{branch}/data/")
        assert download.fetch(key, mirror) == mirror / spec.relpath  # sha256 checked


def test_held_out_captions_share_images_with_the_references_but_training_captions_do_not(text):
    # why the corrected protocol's real-data row is the training captions (coco.py)
    order = np.random.default_rng(0).permutation(10_000)
    held, references = [text.test[i] for i in order[:500]], [text.test[i] for i in order[500:]]
    training = text.train[:500]
    test_bleu5 = bleu_per_hypothesis(references, held, 5).mean()
    train_bleu5 = bleu_per_hypothesis(references, training, 5).mean()
    assert test_bleu5 > 0.35 and train_bleu5 < 0.25


def test_emnlp_news_has_test_sentences_only_and_a_held_out_tenth(mirror):
    data = emnlp_news.load_text(mirror)
    assert len(data.test) == 10_000 and data.seq_len == 51 and max(len(s) for s in data.test) == 49
    assert len(data.split.probe) == 1_000 and len(data.split.references) == 9_000
    assert set(data.split.probe).isdisjoint(data.split.references)
    assert "not available here" in emnlp_news.NO_TRAINING_FILE


def test_held_out_split_keeps_probe_sentences_out_of_the_references():
    held = [["a", "b"], ["c"], ["a", "b"], ["d"], ["e"], ["f"], []]
    split = texygen_text.held_out_split(held, np.ones(7, bool), [["f"]], 2, 0, "t")
    probe = {tuple(held[i]) for i in split.probe}
    assert ("a", "b") not in probe and ("f",) not in probe and () not in probe  # repeated, in training, empty
    assert probe.isdisjoint(tuple(held[i]) for i in split.references)
    assert 5 not in split.references  # equal to a training sentence
    with pytest.raises(UserError, match="probe_size 5 is more than the 3"):
        texygen_text.held_out_split(held, np.ones(7, bool), [["f"]], 5, 0, "t")
