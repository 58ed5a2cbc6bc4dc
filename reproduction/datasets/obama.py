"""Obama political speeches (paper Section 5, "11,092 paragraphs from Obama's political speeches", scored
with BLEU-3 and BLEU-4).

Source: obama-rnn's input.txt, one paragraph per line with a blank line between paragraphs. It has 11,092
non-empty lines, the paper's count, but 616 of them hold only spaces: 10,476 paragraphs have words.

Tokenisation (`tokenize`): curly quotes and dashes are mapped to ASCII (’ -> ', “ ” -> ", – — -> --,
… -> ...), the text is lowercased, then a token is a word (letters/digits, keeping inner apostrophes and
hyphens: "wasn't", "well-being"), a run of dashes ("--"), "...", or any other single punctuation character.
Each paragraph keeps its first `max_len` tokens; a shorter one is followed by the end token 0 up to
`max_len` (the generator also starts from id 0). Id 1 is `<unk>`: a word outside the vocabulary.
`detokenize` turns tokens back into readable text for the samples.
"""

from __future__ import annotations

import re
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
from reproduction.io_utils import read_text

SPECIALS = ("<eos>", "<unk>")  # 0: start, end and padding; 1: out-of-vocabulary word
END, UNK = 0, 1
_ASCII = str.maketrans({"’": "'", "‘": "'", "`": "'", "\x92": "'", "“": '"', "”": '"', "–": "--", "—": "--",
                        "…": "..."})
_TOKEN = re.compile(r"\w+(?:['-]\w+)*|-{2,}|\.\.\.|[^\w\s]")
_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "...", "'"}
_NO_SPACE_AFTER = {"(", "[", "{", "$", "#"}
_CLITICS = {"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"}  # "do n't"-style splits, rejoined (this tokenizer
# keeps "don't" whole, but text tokenized elsewhere may split it)
_SENTENCE_END = {".", "!", "?"}
UNK_SHOWN = "⟨unk⟩"  # <unk> would vanish from rendered markdown as an unknown HTML tag


@dataclass(frozen=True)
class ObamaOptions:
    # Paragraphs are long (median 77 tokens); the paper gives no length. 32 tokens keep training costs near
    # the synthetic experiment's (length 20) and match the Nottingham length; 12% of paragraphs fit whole,
    # the rest keep their first 32 tokens.
    max_len: int = 32
    # Vocabulary size including <eos> and <unk>: the 4,998 most frequent training words (96% of the
    # training tokens); 5,000 is also the synthetic experiment's vocabulary, so the models keep their size.
    vocab_size: int = 5000
    # Lowercase before tokenising (fewer types; BLEU compares lowercased text).
    lowercase: bool = True
    # The paper's 11,092 counts the 616 whitespace-only lines; they hold no words, so they are dropped.
    # True keeps them (as all-<eos> sequences) to reproduce the count literally.
    keep_blank_lines: bool = False
    # The paper gives no split: a random tenth of the paragraphs is held out (1,048 paragraphs).
    test_fraction: float = 0.1
    # Of the held-out paragraphs, this many are the real-data probe (the tables' real-data row); the others are
    # the BLEU references (corpus.split_held_out): 300 keeps the 95% interval of the probe's mean BLEU near
    # +-0.015 (per-paragraph sd 0.13) and leaves the references as many as possible.
    probe_size: int = 300
    # How many of the other held-out paragraphs are references: None = all of them (722 with the defaults; the
    # 26 that also occur in the training split are never references); a number takes a seeded random subset.
    references: int | None = None
    # Seed of the splits (fixed: the same for every run and method).
    split_seed: int = 0

    def __post_init__(self) -> None:
        require(isinstance(self.max_len, int) and self.max_len >= 1, f"max_len must be >= 1, got {self.max_len!r}")
        require(isinstance(self.vocab_size, int) and self.vocab_size > len(SPECIALS),
                f"vocab_size must be an integer > {len(SPECIALS)} (it includes <eos> and <unk>), "
                f"got {self.vocab_size!r}")
        check_fraction(self.test_fraction, "test_fraction")
        check_held_out_sizes(self.probe_size, self.references)
        require(isinstance(self.split_seed, int), f"split_seed must be an integer, got {self.split_seed!r}")


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Word-level tokens of one paragraph (see the module docstring)."""
    text = text.translate(_ASCII)
    return _TOKEN.findall(text.lower() if lowercase else text)


def detokenize(tokens: list[str], capitalize: bool = True) -> str:
    """Readable text from word tokens: no space before , . ; : ! ? ) ... or a closing quote, none after ( $ or an
    opening quote (straight double quotes alternate opening and closing), clitics such as "n't" rejoined to the
    word before; with `capitalize`, sentence starts and the pronoun "i" are capitalised."""
    out: list[str] = []
    glue = True  # no space before the next token
    quote_open = False
    capital = capitalize
    for token in tokens:
        word = UNK_SHOWN if token == "<unk>" else token
        if word == '"':
            space = not glue and not quote_open
            glue, quote_open = not quote_open, not quote_open
        else:
            space = not glue and word not in _NO_SPACE_BEFORE and word.lower() not in _CLITICS
            glue = word in _NO_SPACE_AFTER
        if capitalize and (word == "i" or word.startswith("i'")):
            word = "I" + word[1:]
        if capital and word[:1].isalpha():
            word, capital = word[:1].upper() + word[1:], False
        out.append((" " if space and out else "") + word)
        if capitalize and word in _SENTENCE_END:
            capital = True
    return "".join(out)


def read_paragraphs(path: Path, keep_blank_lines: bool = False) -> tuple[list[str], list[int]]:
    """The non-empty lines of input.txt and their line numbers (whitespace-only lines only if asked)."""
    paragraphs, linenos = [], []
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        if line.strip() or (keep_blank_lines and line.rstrip("\r")):
            paragraphs.append(line)
            linenos.append(lineno)
    return paragraphs, linenos


def load(options: ObamaOptions, mirror: str | Path | None = None) -> Corpus:
    path = fetch("obama", mirror)
    return cached("obama", options, lambda: build(path, options))


def build(path: Path, options: ObamaOptions) -> Corpus:
    paragraphs, linenos = read_paragraphs(path, options.keep_blank_lines)
    tokens = [tokenize(p, options.lowercase) for p in paragraphs]
    split = split_text("obama", tokens, options.test_fraction, options.split_seed, SPECIALS, UNK, options.max_len,
                       pad=END, max_vocab=options.vocab_size, probe_size=options.probe_size,
                       references=options.references)
    train, test, train_idx = split.train, split.test, split.train_idx  # for the info below
    kept = [len(t) for t in tokens]
    corpus = Corpus(
        name="obama", train=train, test=test, vocab=split.vocab, separator=" ", end_token=END, probe=split.probe,
        **split.origins(Path(FILES["obama"].relpath).name, linenos),
        info={"paragraphs": len(paragraphs), "truncated": sum(n > options.max_len for n in kept),
              "train_word_types": len(set(t for i in train_idx for t in tokens[i])),
              "train_unk_fraction": round(float((train == UNK).sum() / max((train != END).sum(), 1)), 4),
              "test_unk_fraction": round(float((test == UNK).sum() / max((test != END).sum(), 1)), 4),
              **split.held_out_info})
    return corpus
