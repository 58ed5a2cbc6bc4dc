"""EMNLP2017 WMT News as Texygen, RelGAN and TextGAN-PyTorch use it, for scoring only (issue 43; docs/benchmark.md).

Only the test files are public here: `testdata/test_emnlp.txt` (10,000 sentences, mixed case, already spaced) and
`nll_test_emnlp.txt` (Texygen's nll_test branch: the same sentences lower-cased and tokenised), each fetched from
Texygen's repository with a sha256 check or read from the data mirror (download.py). The training file
(`data/emnlp_news.txt`, some 270,000 sentences) is not: so there is no vocabulary, no training and no NLL here,
only BLEU and Self-BLEU of a file of samples against the test sentences (`python -m reproduction benchmark
--corpus emnlp_news`), and no baseline rows of ours.

The test sentences are tokenised by texygen_text.tokenize and lower-cased (the tokenizer reproduces
nll_test_emnlp.txt line for line). Texygen's BLEU did not lower-case its references, but it trained on a
lower-cased training file, so its samples could never match a capital; lower-casing both sides keeps that
from deciding the score. The sequence length is RelGAN's and TextGAN-PyTorch's for this corpus, 51 tokens (the
longest training sentence, which cannot be checked here; the longest test sentence has 49).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reproduction.datasets import texygen_text
from reproduction.datasets.texygen_text import HeldOutSplit, Sentence

SEQ_LEN = 51  # RelGAN (Nie et al., ICLR 2019) and TextGAN-PyTorch, for emnlp_news
TEST_FILE, NLL_TEST_FILE = "emnlp_test", "emnlp_nll_test"  # download.FILES keys
PROBE_SIZE = 1_000  # the corrected protocol's real-data row: a tenth of the test sentences, held out
NO_TRAINING_FILE = ("the EMNLP2017 News training file (Texygen's data/emnlp_news.txt, about 270,000 sentences) "
                    "is not available here, so there is no vocabulary, no generator and no NLL for this corpus; "
                    "it is scored by BLEU and Self-BLEU only")


@dataclass(frozen=True)
class EmnlpText:
    """The test sentences as tokens and the held-out split of the corrected protocol (no training file)."""

    test: list[Sentence]
    seq_len: int
    split: HeldOutSplit


@functools.cache
def _text_from(path: Path, probe_size: int, seed: int) -> EmnlpText:
    test = texygen_text.tokenize_file(path)
    eligible = np.ones(len(test), dtype=bool)  # no vocabulary to check against
    return EmnlpText(test, SEQ_LEN, texygen_text.held_out_split(test, eligible, None, probe_size, seed, "emnlp_news"))


def load_text(mirror: str | Path | None = None, probe_size: int = PROBE_SIZE, seed: int = 0) -> EmnlpText:
    from reproduction.datasets.download import fetch

    return _text_from(fetch(TEST_FILE, mirror), probe_size, seed)
