"""Chinese quatrains (paper Section 5, "16,394 Chinese quatrains, each containing four lines of twenty
characters in total", scored with BLEU-2).

Source: Texygen's data/shi.txt, one five-character quatrain per line as 24 space-separated tokens: 20
characters with ， after the first and third line and 。 after the second and fourth. Character-level tokens;
the vocabulary is every character of the training split, so the test split may hold a few `<unk>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reproduction.datasets.corpus import (
    Corpus,
    cached,
    check_fraction,
    require,
    split_text,
)
from reproduction.datasets.download import FILES, fetch
from reproduction.errors import UserError
from reproduction.io_utils import read_text

PUNCTUATION = ("，", "。")
TOKENS_PER_LINE = 24
SPECIALS = ("<s>", "<unk>")  # 0: start token, never in the data; 1: a character not seen in training
UNK = 1


@dataclass(frozen=True)
class PoemOptions:
    # The paper counts 20 characters per poem, so ， and 。 (always at positions 6, 12, 18, 24) are dropped;
    # True keeps them (length 24).
    keep_punctuation: bool = False
    # The paper gives no split; BLEU references are the test set (the authors, in their issue tracker).
    # A tenth of the poems, chosen at random, is a test set of 1,639 poems.
    test_fraction: float = 0.1
    # Seed of the split (a fixed split: the same for every run and method).
    split_seed: int = 0

    def __post_init__(self) -> None:
        check_fraction(self.test_fraction, "test_fraction")
        require(isinstance(self.split_seed, int), f"split_seed must be an integer, got {self.split_seed!r}")


def read_poems(path: Path, keep_punctuation: bool = False) -> tuple[list[list[str]], list[int]]:
    """The poems of shi.txt as lists of characters, and their line numbers; each line is checked."""
    poems, linenos = [], []
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        tokens = line.split()
        if not tokens:
            continue
        if len(tokens) != TOKENS_PER_LINE or [tokens[i] for i in (5, 11, 17, 23)] != ["，", "。", "，", "。"]:
            raise UserError(f"{path}:{lineno}: expected a quatrain of 20 characters with ， and 。 as 24 "
                            f"space-separated tokens, got {len(tokens)} tokens; is this Texygen's shi.txt?")
        poems.append(tokens if keep_punctuation else [t for t in tokens if t not in PUNCTUATION])
        linenos.append(lineno)
    if not poems:
        raise UserError(f"{path}: no poems (the file is empty)")
    return poems, linenos


def load(options: PoemOptions, mirror: str | Path | None = None) -> Corpus:
    path = fetch("shi", mirror)
    return cached("poems", options, lambda: build(path, options))


def build(path: Path, options: PoemOptions) -> Corpus:
    poems, linenos = read_poems(path, options.keep_punctuation)
    split = split_text("poems", poems, options.test_fraction, options.split_seed, SPECIALS, UNK, len(poems[0]), pad=0)
    train_set = {tuple(poems[i]) for i in split.train_idx}
    corpus = Corpus(
        name="poems", train=split.train, test=split.test, vocab=split.vocab, separator="", end_token=None,
        **split.origins(Path(FILES["shi"].relpath).name, linenos),
        info={"poems": len(poems), "test_unk_tokens": int((split.test == UNK).sum()),
              "test_poems_also_in_train": sum(tuple(poems[i]) in train_set for i in split.test_idx)})
    return corpus
