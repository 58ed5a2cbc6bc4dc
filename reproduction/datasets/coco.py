"""COCO image captions as Texygen (Zhu et al., SIGIR 2018) made them a text-GAN benchmark, the one RelGAN,
TextGAN-PyTorch and Caccia et al. (ICLR 2020) report on (issue 43; docs/benchmark.md).

Files (geek-ai/Texygen, MIT; captions CC BY 4.0), each fetched from its public URL with a sha256 check or read
from the data mirror (download.py): `image_coco.txt`, 10,000 training captions; `testdata/test_coco.txt`,
10,000 test captions; `nll_test_coco.txt` (Texygen's nll_test branch), the 6,810 test captions whose tokens are
all in the training vocabulary, as Texygen tokenised them.

Built as Texygen built it (`utils/text_process.py`; `models/seqgan/Seqgan.py`, `init_real_trainng`):

- tokenisation: `texygen_text.tokenize`, lower-cased, one caption per line (no nltk data download needed);
- vocabulary: every token type of the training file and nothing from the test file: 4,680 types, against the
  4,682 Texygen reports (TEXYGEN_VOCAB_TYPES). The two types are not explained: the tokenizer reproduces
  Texygen's own tokenised test file line for line, so the difference lies in training captions only, perhaps
  in the 8 that hold two sentences, which Texygen's trained English Punkt model (a download, not used here)
  may split differently, or in its older nltk;
- sequence length: the longest training caption, 37 tokens (the longest test caption has 34);
- end and padding: one token, id 0 `<eos>`, follows every caption up to length 37 (Texygen: `text_to_code` pads
  with its end token, id len(vocabulary)). Id 0 is also the generator's start token, as in every corpus here.
  `Corpus.decode` stops at the first end token; `decode_texygen` drops every end token and keeps what follows,
  as Texygen's `code_to_text` did when it wrote the samples it scored;
- out-of-vocabulary test tokens: Texygen has no `<unk>`. Its BLEU reads the test file as text, so a test word
  outside the vocabulary stays a reference word that no sample can match, and its NLL-test (nll_test branch)
  keeps only the captions without one. The same here: 3,190 of the 10,000 test captions hold one
  (`info["test_with_oov"]`; TEXYGEN_TEST_WITH_OOV), 6,810 do not.

Both files hold several captions of each image (COCO has five per image), and no image is in both: a caption
scores BLEU-5 0.41 against 9,000 other captions of its own file and 0.20 against 9,000 of the other file
(tests/test_coco_corpus.py). So a test caption held out from the references still has its image's other
captions among them and scores far above any model, whose samples describe no test image. The real-data row of
the `corrected` protocol is therefore the training captions (`CocoText.real_data`, in a seeded order), which
describe other images as a model's samples do, and which are never references; the test captions equal to a
training caption (15) are not references under that protocol.

As a Corpus (`load_corpus("coco")`): `train` is all 10,000 training captions (Texygen trains on all); `test`
is the test captions whose words are all in the vocabulary and that equal no training caption (the integer
arrays have no `<unk>`; the benchmark protocols, metrics/benchmark_protocols.py, score against the test captions
as text, out-of-vocabulary words included, as Texygen did); there is no `probe`, for the reason above.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reproduction.datasets import texygen_text
from reproduction.datasets.corpus import Corpus, cached, require
from reproduction.datasets.download import FILES, fetch
from reproduction.datasets.texygen_text import Sentence
from reproduction.errors import UserError
from reproduction.seeding import numpy_rng

SPECIALS = ("<eos>",)  # id 0: end and padding token (and the generator's start token)
END = 0
TEXYGEN_VOCAB_TYPES = 4_682  # Texygen's COCO vocabulary, without its end token (RelGAN repeats it)
TEXYGEN_SEQ_LEN = 37
TEXYGEN_TEST_WITH_OOV = 3_190  # 10,000 test captions minus the 6,810 lines of Texygen's nll_test_coco.txt
TRAIN_FILE, TEST_FILE, NLL_TEST_FILE = "coco_train", "coco_test", "coco_nll_test"  # download.FILES keys


@dataclass(frozen=True)
class CocoOptions:
    # Seed of the order of the training captions in the corrected protocol's real-data row (its Self-BLEU uses
    # the first K of them when K samples are scored).
    real_data_seed: int = 0

    def __post_init__(self) -> None:
        require(isinstance(self.real_data_seed, int) and not isinstance(self.real_data_seed, bool),
                f"real_data_seed must be an integer, got {self.real_data_seed!r}")


@dataclass(frozen=True)
class CocoText:
    """The three files as token strings, the vocabulary built from the training file, and which test captions
    are in the vocabulary or equal to a training caption."""

    train: list[Sentence]
    test: list[Sentence]  # every test caption, out-of-vocabulary words kept (Texygen's BLEU references)
    nll_test: list[Sentence]  # nll_test_coco.txt as Texygen tokenised it
    vocab: tuple[str, ...]  # id -> token; id 0 is <eos>
    seq_len: int
    test_in_vocab: np.ndarray  # bool [10,000]: every token of the test caption is in the vocabulary
    test_in_train: np.ndarray  # bool [10,000]: the test caption equals a training caption
    real_order: np.ndarray  # a seeded permutation of the training captions (the corrected real-data row)

    @property
    def corrected_references(self) -> list[Sentence]:
        """The references of the corrected protocol: every test caption that equals no training caption."""
        return [s for s, dup in zip(self.test, self.test_in_train, strict=True) if not dup]

    @property
    def real_data(self) -> list[Sentence]:
        """The real-data row of the corrected protocol: the training captions in a seeded order."""
        return [self.train[i] for i in self.real_order]

    def encode(self, sentences: list[Sentence], what: str) -> np.ndarray:
        """int32 [n, seq_len]: token ids followed by the end token; a word outside the vocabulary or a sentence
        longer than the sequence length is a UserError naming the sentence."""
        index = {t: i for i, t in enumerate(self.vocab)}
        out = np.full((len(sentences), self.seq_len), END, dtype=np.int32)
        for row, sentence in enumerate(sentences):
            if len(sentence) > self.seq_len:
                raise UserError(f"{what}: sentence {row + 1} has {len(sentence)} tokens, more than the COCO "
                                f"sequence length {self.seq_len}")
            missing = [t for t in sentence if t not in index]
            if missing:
                raise UserError(f"{what}: sentence {row + 1} holds {missing[0]!r}, not in the COCO vocabulary")
            out[row, : len(sentence)] = [index[t] for t in sentence]
        return out

    def nll_test_matches_texygen(self) -> bool:
        """Whether the in-vocabulary test captions, tokenised here, are Texygen's nll_test_coco.txt line for line."""
        derived = [s for s, ok in zip(self.test, self.test_in_vocab, strict=True) if ok]
        return derived == self.nll_test


def build_text(train: list[Sentence], test: list[Sentence], nll_test: list[Sentence],
               options: CocoOptions) -> CocoText:
    """Vocabulary, sequence length and the test captions' flags from the tokenised files."""
    require(len(train) > 0 and len(test) > 0, "COCO: empty training or test file")
    types = sorted({t for s in train for t in s})  # Texygen's ids come from a Python set: any fixed order will do
    known, train_keys = set(types), {tuple(s) for s in train}
    in_vocab = np.array([all(t in known for t in s) for s in test], dtype=bool)
    in_train = np.array([tuple(s) in train_keys for s in test], dtype=bool)
    order = numpy_rng(options.real_data_seed, "real-data", "coco").permutation(len(train))
    return CocoText(train, test, nll_test, (*SPECIALS, *types), max(len(s) for s in train), in_vocab, in_train,
                    order)


@functools.cache
def _text_from(paths: tuple[Path, Path, Path], options: CocoOptions) -> CocoText:
    train_path, test_path, nll_path = paths
    return build_text(texygen_text.tokenize_file(train_path), texygen_text.tokenize_file(test_path),
                      texygen_text.read_pretokenized(nll_path), options)


def load_text(options: CocoOptions | None = None, mirror: str | Path | None = None) -> CocoText:
    """The COCO files, fetched (or read from `mirror`) and checked, tokenised (once per process)."""
    paths = (fetch(TRAIN_FILE, mirror), fetch(TEST_FILE, mirror), fetch(NLL_TEST_FILE, mirror))
    return _text_from(paths, options or CocoOptions())


def build(text: CocoText) -> Corpus:
    """The Corpus of the module docstring from the tokenised files."""
    test_rows = np.nonzero(text.test_in_vocab & ~text.test_in_train)[0].tolist()
    train_name, test_name = (Path(FILES[k].relpath).name for k in (TRAIN_FILE, TEST_FILE))
    info = {"train_sentences": len(text.train), "test_sentences": len(text.test),
            "vocab_types": len(text.vocab) - len(SPECIALS), "texygen_vocab_types": TEXYGEN_VOCAB_TYPES,
            "seq_len": text.seq_len, "test_max_len": max(len(s) for s in text.test),
            "test_with_oov": int((~text.test_in_vocab).sum()), "test_in_vocab": int(text.test_in_vocab.sum()),
            "test_also_in_train": int(text.test_in_train.sum()), "nll_test_sentences": len(text.nll_test),
            "nll_test_matches_texygen": text.nll_test_matches_texygen()}
    return Corpus(
        name="coco", train=text.encode(text.train, "image_coco.txt"),
        test=text.encode([text.test[i] for i in test_rows], "test_coco.txt"), vocab=text.vocab, separator=" ",
        end_token=END, train_origin=tuple(f"{train_name}:{i + 1}" for i in range(len(text.train))),
        test_origin=tuple(f"{test_name}:{i + 1}" for i in test_rows), info=info)


def load(options: CocoOptions, mirror: str | Path | None = None) -> Corpus:
    """The COCO Corpus (cached under data/real/coco/ like every corpus)."""
    return cached("coco", options, lambda: build(load_text(options, mirror)))


def decode_texygen(ids: np.ndarray | list[int], vocab: tuple[str, ...]) -> str:
    """A sequence as Texygen's `code_to_text` wrote it for scoring: every end token dropped (not only the trailing
    ones), the other tokens joined by spaces."""
    return " ".join(vocab[int(i)] for i in np.asarray(ids).reshape(-1) if int(i) != END)
