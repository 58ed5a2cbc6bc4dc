"""Chinese quatrains (paper Section 5, "16,394 Chinese quatrains, each containing four lines of twenty
characters in total", scored with BLEU-2).

Source: Texygen's data/shi.txt, one five-character quatrain per line as 24 space-separated tokens: 20
characters with ， after the first and third line and 。 after the second and fourth. Character-level tokens;
the vocabulary is every character of the training split, so the held-out poems may hold a few `<unk>`.
`quatrain` lays a poem out as a reader expects it: four lines of five characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reproduction.datasets.corpus import (
    Corpus,
    cached,
    check_fraction,
    check_held_out_sizes,
    require,
    split_text,
)
from reproduction.datasets.download import FILES, fetch
from reproduction.errors import UserError
from reproduction.io_utils import read_text

PUNCTUATION = ("，", "。")
LINES = 4  # a quatrain
UNKNOWN_SHOWN = "□"  # how `quatrain` shows <unk> (and the start token <s>): the usual mark of a missing character
TOKENS_PER_LINE = 24
SPECIALS = ("<s>", "<unk>")  # 0: start token, never in the data; 1: a character not seen in training
UNK = 1


@dataclass(frozen=True)
class PoemOptions:
    # The paper counts 20 characters per poem, so ， and 。 (always at positions 6, 12, 18, 24) are dropped;
    # True keeps them (length 24).
    keep_punctuation: bool = False
    # The paper gives no split; BLEU references are the test set (the authors, in their issue tracker).
    # A tenth of the poems, chosen at random, is held out: 1,639 poems.
    test_fraction: float = 0.1
    # Of the held-out poems, this many are the real-data probe (the tables' real-data row: real poems scored
    # like the samples); the others are the BLEU references (corpus.split_held_out). 300 keeps the 95% interval
    # of the probe's mean BLEU-2 near +-0.015 (per-poem sd 0.13) and leaves the references as many as
    # possible: BLEU rises with their number.
    probe_size: int = 300
    # How many of the other held-out poems are references: None = all of them (1,268 with the defaults; the
    # 71 held-out poems that also occur in the training split are never references). A number takes a seeded
    # random subset of them.
    references: int | None = None
    # Seed of the splits (fixed: the same for every run and method).
    split_seed: int = 0

    def __post_init__(self) -> None:
        check_fraction(self.test_fraction, "test_fraction")
        check_held_out_sizes(self.probe_size, self.references)
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


def quatrain(tokens: list[str]) -> list[str]:
    """The lines of a poem given as its character tokens. With punctuation (the corpus kept ， and 。), a line
    ends after each mark, wherever the poem puts it; without, the characters are cut into four equal lines
    (five characters each for the corpus's twenty). <unk> and <s> show as □."""
    chars = [UNKNOWN_SHOWN if t in SPECIALS else t for t in tokens]
    if any(c in PUNCTUATION for c in chars):
        lines, line = [], ""
        for c in chars:
            line += c
            if c in PUNCTUATION:
                lines.append(line)
                line = ""
        return lines + ([line] if line else [])
    width = max(-(-len(chars) // LINES), 1)
    return ["".join(chars[i: i + width]) for i in range(0, len(chars), width)]


def load(options: PoemOptions, mirror: str | Path | None = None) -> Corpus:
    path = fetch("shi", mirror)
    return cached("poems", options, lambda: build(path, options))


def build(path: Path, options: PoemOptions) -> Corpus:
    poems, linenos = read_poems(path, options.keep_punctuation)
    split = split_text("poems", poems, options.test_fraction, options.split_seed, SPECIALS, UNK, len(poems[0]), pad=0,
                       probe_size=options.probe_size, references=options.references)
    return Corpus(
        name="poems", train=split.train, test=split.test, vocab=split.vocab, separator="", end_token=None,
        probe=split.probe, **split.origins(Path(FILES["shi"].relpath).name, linenos),
        info={"poems": len(poems), "test_unk_tokens": int((split.test == UNK).sum()), **split.held_out_info})
