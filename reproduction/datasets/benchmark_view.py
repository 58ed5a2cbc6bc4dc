"""The benchmark's view of a corpus (issue 43; docs/benchmark.md): what each corpus the real-text benchmark scores
on contributes to it, that is the references of the two protocols (metrics/benchmark_protocols.py), the
real-data row, how a line of text is tokenised, and the arrays of the two NLL-tests.

Corpora: coco (Texygen's 10,000 training and 10,000 test captions: coco.py), emnlp_news (its 10,000 test
sentences only, for BLEU and Self-BLEU: emnlp_news.py), poems and obama (the project's splits: the `texygen`
protocol's references are all held-out sequences, the `corrected` protocol's the references beside the
real-data probe, corpus.py). Read by the benchmark command (publications/text_benchmark.py) and by a real-text
run's temperature curve (training/temperature_curve.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reproduction.errors import UserError

CORPORA = ("coco", "emnlp_news", "poems", "obama")
Sentence = list[str]


@dataclass(frozen=True)
class BenchmarkData:
    """What a corpus contributes to the benchmark: references of each protocol, the real-data probe, how a sample
    line is tokenised, and the arrays of the two NLL-tests (None where the corpus has none)."""

    name: str
    description: str
    seq_len: int
    tokenize: Callable[[str], Sentence]
    texygen_references: list[Sentence]
    corrected_references: list[Sentence]
    probe: list[Sentence]  # the corrected protocol's real-data row, never among its references
    probe_label: str = "real data (held-out probe)"
    vocab_size: int | None = None
    train_ids: np.ndarray | None = None  # NLL-test under `texygen`: the training sequences
    heldout_ids: np.ndarray | None = None  # NLL-test under `corrected`: held-out sequences
    end_token: int | None = None
    no_nll: str = ""  # why there is no NLL-test for this corpus
    notes: tuple[str, ...] = field(default_factory=tuple)
    decode: Callable[[np.ndarray], Sentence] | None = None  # one generated id sequence -> the tokens scored

    def sentences(self, ids: np.ndarray) -> list[Sentence]:
        """A generator's samples (int ids [n, T]) as the benchmark scores them: as the text they decode to,
        tokenised like a samples file (Texygen wrote its samples as text and tokenised them again to score)."""
        if self.decode is None:
            raise UserError(f"the {self.name} corpus has no vocabulary here: no generator is trained on it")
        return [self.decode(row) for row in np.asarray(ids)]


def check_corpus(corpus: str) -> None:
    if corpus not in CORPORA:
        raise UserError(f"unknown corpus {corpus!r} for the benchmark: choose one of {', '.join(CORPORA)}")


def load_data(corpus: str, mirror: str | Path | None = None) -> BenchmarkData:
    """The benchmark's view of `corpus` (files fetched or read from `mirror`)."""
    check_corpus(corpus)
    if corpus == "coco":
        return _coco(mirror)
    if corpus == "emnlp_news":
        return _emnlp(mirror)
    return _project_corpus(corpus, mirror)


def _coco(mirror: str | Path | None) -> BenchmarkData:
    from reproduction.datasets import coco, texygen_text

    text = coco.load_text(mirror=mirror)
    return BenchmarkData(
        name="coco",
        description=(f"COCO captions (Texygen): vocabulary {len(text.vocab) - 1:,} words + <eos>, length "
                     f"{text.seq_len}, {len(text.train):,} training / {len(text.test):,} test captions "
                     f"({int((~text.test_in_vocab).sum()):,} with a word outside the vocabulary)"),
        seq_len=text.seq_len, tokenize=texygen_text.tokenize, texygen_references=text.test,
        corrected_references=text.corrected_references, probe=text.real_data,
        probe_label="real data (training captions)", vocab_size=len(text.vocab),
        train_ids=text.encode(text.train, "image_coco.txt"),
        heldout_ids=text.encode(text.nll_test, "nll_test_coco.txt"), end_token=coco.END,
        decode=lambda ids: texygen_text.tokenize(coco.decode_texygen(ids, text.vocab)),
        notes=("Real data under the corrected protocol is the training captions: the test file holds several "
               "captions of each of its images, so a held-out test caption would be scored against its own "
               "image's other captions (BLEU-5 about 0.43 instead of 0.20; docs/benchmark.md). They are real "
               "captions of images none of the references describe, as a model's samples are, and never "
               "references; their Self-BLEU, too, is raised by the several captions of each image.",))


def _emnlp(mirror: str | Path | None) -> BenchmarkData:
    from reproduction.datasets import emnlp_news, texygen_text

    text = emnlp_news.load_text(mirror)
    split = text.split
    return BenchmarkData(
        name="emnlp_news", description=f"EMNLP2017 WMT News test sentences (Texygen): {len(text.test):,}, "
                                       f"length {text.seq_len} (training file not available)",
        seq_len=text.seq_len, tokenize=texygen_text.tokenize, texygen_references=text.test,
        corrected_references=[text.test[i] for i in split.references], probe=[text.test[i] for i in split.probe],
        probe_label="real data (held-out test sentences)", no_nll=emnlp_news.NO_TRAINING_FILE,
        notes=("No baseline rows: " + emnlp_news.NO_TRAINING_FILE + ", so the project has no EMNLP News runs; "
               "RelGAN's published EMNLP numbers come from a training file and a split that cannot be checked "
               "here, and are not shown.",))


def _project_corpus(name: str, mirror: str | Path | None) -> BenchmarkData:
    from reproduction.datasets.registry import load_corpus

    corpus = load_corpus(name, mirror)
    probe = corpus.require_probe()
    references = [corpus.tokens(row) for row in corpus.test]
    probe_tokens = [corpus.tokens(row) for row in probe]

    def tokenize(line: str) -> Sentence:
        tokens = line.split()
        return [c for t in tokens for c in t] if name == "poems" else tokens  # poems: one token per character

    return BenchmarkData(
        name=name, description=corpus.describe(), seq_len=corpus.seq_len, tokenize=tokenize,
        texygen_references=references + probe_tokens, corrected_references=references, probe=probe_tokens,
        vocab_size=corpus.vocab_size, train_ids=corpus.train, heldout_ids=corpus.test, end_token=corpus.end_token,
        decode=lambda ids: tokenize(corpus.separator.join(corpus.tokens(ids))),
        notes=(f"The project's own {name} tables (results/{name}/*/table.md) score by the paper's protocol (its "
               "BLEU orders, Self-BLEU over the probe's count), not by this one, and are not repeated here.",))
