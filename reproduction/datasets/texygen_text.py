"""Text as Texygen (Zhu et al., SIGIR 2018; github.com/geek-ai/Texygen) read it, for the real-text benchmark of the
text GANs after SeqGAN (COCO captions, EMNLP2017 News; issue 43): its tokenisation, its line reading, and a
held-out split for the real-data row of our `corrected` protocol (metrics/benchmark_protocols.py).

Tokenisation (`tokenize`). Texygen's `utils/text_process.py` (`get_tokenlized`) runs `nltk.word_tokenize` on
each lower-cased line of the training file, and its metrics (`utils/metrics/Bleu.py`, `SelfBleu.py`) run it on
each line of the test and sample files. In the nltk of 2018 (3.2.x) `word_tokenize` first splits the text into
sentences with the Punkt model and then tokenises each with the Treebank tokenizer. Today's
`nltk.word_tokenize` needs the `punkt_tab` data package (a download) and uses a newer tokenizer that splits
"table.." into "table" "..", which Texygen's did not. Here each line is split into sentences by Punkt with
*no trained parameters* (nltk's `PunktSentenceTokenizer()`: no download) and each sentence is tokenised by
nltk's `TreebankWordTokenizer`. Checked against Texygen's own tokenised files (tests/test_coco_corpus.py):
the 6,810 lines of `nll_test_coco.txt` (the COCO test captions whose tokens are all in the training
vocabulary) and the 10,000 lines of `nll_test_emnlp.txt` are reproduced line for line, in order. Most lines
are one sentence, but not all: 8 COCO training captions ("... rooms. lot of stuff ...") and 4 test captions hold
two, which is why the sentence splitter stays. A line of plain tokens (lower-case ASCII letters and digits, a lone
"." or ",", one space apart) is split on its spaces instead, when each of its words tokenises to itself alone: on
such a line neither tokenizer changes anything across words (Punkt splits only after a "." that is a token already;
Treebank's rules that span a space need quotes, apostrophes or other punctuation). 98% of a COCO SeqGAN run's
samples are such lines, tokenised in a seventh of nltk's time; the same tokens (tests/test_coco_corpus.py).

Lines (`read_lines`): as Python's text-mode iteration yields them (universal newlines; a final newline ends the
last line and adds none); an empty line is an empty sentence, as in Texygen.

Held-out split (`held_out_split`; used for EMNLP News, whose training file is not available): the `corrected`
protocol scores held-out real sentences (the real-data row) exactly as a model's samples, against references
that never include them. A seeded random probe is drawn from the held-out sentences that are eligible (the
caller says which), that equal no training sentence (when the training sentences are known) and that occur once
in the held-out file; the references are every other held-out sentence whose content is not a probe sentence's
and not a training sentence's. COCO does not use it: its held-out captions come in groups of the same image
(datasets/coco.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.datasets.corpus import require
from reproduction.io_utils import read_text
from reproduction.seeding import numpy_rng

Sentence = list[str]


@functools.cache
def _tokenizers() -> tuple[Any, Any]:
    from nltk.tokenize import TreebankWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    return PunktSentenceTokenizer(), TreebankWordTokenizer()


_PLAIN_LINE = re.compile(r"(?:[a-z0-9]+|[.,])(?: (?:[a-z0-9]+|[.,]))*")


def tokenize(line: str, lowercase: bool = True) -> Sentence:
    """The tokens of one line as Texygen's `nltk.word_tokenize` made them (see the module docstring); lower-cased
    first unless `lowercase` is False (Texygen lower-cased its training file, not its test file: the same for
    COCO, which is all lower case)."""
    text = line.lower() if lowercase else line
    if _PLAIN_LINE.fullmatch(text):
        plain = text.split(" ")
        if all(map(_stays_whole, plain)):
            return plain
    return nltk_tokenize(text)


def nltk_tokenize(text: str) -> Sentence:
    """Punkt's sentences, each split by the Treebank tokenizer: `tokenize` without its shortcut or lower-casing."""
    sentences, words = _tokenizers()
    return [token for sentence in sentences.tokenize(text) for token in words.tokenize(sentence)]


@functools.cache
def _stays_whole(word: str) -> bool:
    """Whether nltk leaves `word` one token ("cannot", "gonna" and the like it splits)."""
    return nltk_tokenize(word) == [word]


def split_lines(text: str) -> list[str]:
    """The lines of a text as Python's text-mode file iteration yields them, without their line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 file (a missing or non-UTF-8 file is a UserError naming it)."""
    return split_lines(read_text(path))


def tokenize_file(path: Path, lowercase: bool = True) -> list[Sentence]:
    return [tokenize(line, lowercase) for line in read_lines(path)]


def read_pretokenized(path: Path) -> list[Sentence]:
    """A file Texygen wrote already tokenised (nll_test_*.txt): whitespace-separated tokens, one line each."""
    return [line.split() for line in read_lines(path)]


@dataclass(frozen=True)
class HeldOutSplit:
    """Indices (increasing) into the held-out sentences: the real-data probe and the references that go with it."""

    probe: np.ndarray
    references: np.ndarray
    info: dict[str, int]


def held_out_split(held_out: Sequence[Sentence], eligible: np.ndarray, train: Sequence[Sentence] | None,
                   probe_size: int, seed: int, name: str) -> HeldOutSplit:
    """A seeded probe of `probe_size` eligible held-out sentences and the references beside it (module docstring)."""
    keys = [tuple(s) for s in held_out]
    counts: dict[tuple[str, ...], int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    train_keys = {tuple(s) for s in train} if train is not None else set()
    in_train = np.array([k in train_keys for k in keys], dtype=bool)
    candidates = np.nonzero(np.asarray(eligible, dtype=bool) & ~in_train
                            & np.array([counts[k] == 1 and len(k) > 0 for k in keys], dtype=bool))[0]
    require(isinstance(probe_size, int) and not isinstance(probe_size, bool) and probe_size >= 2,
            f"probe_size must be an integer >= 2 (Self-BLEU needs two sentences), got {probe_size!r}")
    require(probe_size <= len(candidates),
            f"{name}: probe_size {probe_size} is more than the {len(candidates)} held-out sentences that can be "
            "probed; lower probe_size")
    probe = np.sort(candidates[numpy_rng(seed, "probe", name).permutation(len(candidates))[:probe_size]])
    probe_keys = {keys[i] for i in probe}
    references = np.array([i for i, k in enumerate(keys) if k not in probe_keys and not in_train[i]], dtype=int)
    require(len(references) >= 1, f"{name}: no held-out sentence is left as a reference beside the probe")
    info = {"held_out": len(keys), "held_out_also_in_train": int(in_train.sum()), "probe_candidates":
            len(candidates), "probe": len(probe), "references": len(references)}
    return HeldOutSplit(probe, references, info)
