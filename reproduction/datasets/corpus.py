"""The real-world corpora of the paper (Section 5: Chinese quatrains, Obama speeches, Nottingham melodies) as
one type: fixed-length int32 token arrays for training and test, a vocabulary, and a decoder.

Token id 0 is reserved in every corpus: it is the generator's start token (`LSTMShape.start_token`) and, per
corpus, also the end/pad token (Obama), a start-only token never seen in the data (poems) or the rest / start
token (Nottingham). `load_corpus(name, mirror, **options)` builds or reads a corpus; every preprocessing
choice the paper leaves open is a field of that corpus's options dataclass.

Preprocessed arrays are cached under data/real/<name>/ as .npz (no pickles), keyed by a hash of the options,
so changing an option never reuses a stale cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.datasets.download import data_dir
from reproduction.errors import UserError
from reproduction.io_utils import load_npz, save_npz
from reproduction.seeding import numpy_rng

CORPORA = ("poems", "obama", "nottingham")
START_TOKEN = 0
CACHE_FORMAT = 1  # bump when the cached arrays change meaning


@dataclass(frozen=True)
class Corpus:
    """A tokenised corpus: rows of `train` and `test` are sequences of ids into `vocab`."""

    name: str
    train: np.ndarray  # int32 [N, T]
    test: np.ndarray  # int32 [M, T]
    vocab: tuple[str, ...]  # token id -> string; id 0 is the start token (see the module docstring)
    separator: str = " "  # what `decode` puts between tokens
    end_token: int | None = None  # `decode` stops at the first one (Obama: 0); None: decode everything
    train_origin: tuple[str, ...] = ()  # per train row, where it came from ("shi.txt:1", "jigs_1.mid@32")
    test_origin: tuple[str, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict, compare=False)  # counts worth reporting

    @property
    def seq_len(self) -> int:
        return int(self.train.shape[1])

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """The text of one token sequence (poems: characters; Obama: words; Nottingham: pitch names)."""
        seq = [int(i) for i in np.asarray(ids).reshape(-1)]
        bad = [i for i in seq if not 0 <= i < len(self.vocab)]
        if bad:
            raise UserError(f"token id {bad[0]} outside the {self.name} vocabulary of {len(self.vocab)}")
        if self.end_token is not None and self.end_token in seq:
            seq = seq[: seq.index(self.end_token)]
        return self.separator.join(self.vocab[i] for i in seq)

    def describe(self) -> str:
        return (f"{self.name}: vocabulary {self.vocab_size}, length {self.seq_len}, "
                f"{len(self.train):,} train / {len(self.test):,} test sequences")


def load_corpus(name: str, mirror: str | Path | None = None, **options: Any) -> Corpus:
    """The corpus `name` (poems, obama, nottingham) with `options` overriding that corpus's defaults."""
    from reproduction.datasets import nottingham, obama, poems

    loaders = {"poems": (poems.PoemOptions, poems.load),
               "obama": (obama.ObamaOptions, obama.load),
               "nottingham": (nottingham.NottinghamOptions, nottingham.load)}
    if name not in loaders:
        raise UserError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")
    cls, load = loaders[name]
    return load(make_options(cls, options), mirror)


def make_options(cls: type, options: Mapping[str, Any]) -> Any:
    """`cls(**options)`, with an unknown option name reported as a UserError listing the valid ones."""
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise UserError(f"unknown option {unknown[0]!r} for {cls.__name__}; valid options: {', '.join(names)}")
    return cls(**options)


def require(ok: bool, message: str) -> None:
    """Option validation: a UserError with `message` unless `ok`."""
    if not ok:
        raise UserError(message)


def check_fraction(value: float, what: str) -> None:
    require(isinstance(value, int | float) and 0 < value < 1, f"{what} must be between 0 and 1, got {value!r}")


# --- shared by the text corpora -------------------------------------------------------------------------------

def split_indices(n: int, test_fraction: float, seed: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random train/test split of range(n): (train, test) index arrays, each in increasing order."""
    n_test = round(n * test_fraction)
    order = numpy_rng(seed, "split", name).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def build_vocab(tokens: Iterable[str], specials: tuple[str, ...], max_size: int | None = None) -> tuple[str, ...]:
    """`specials` then the tokens by decreasing count (ties by the token itself), at most `max_size` in all."""
    counts = Counter(tokens)
    ranked = sorted((t for t in counts if t not in specials), key=lambda t: (-counts[t], t))
    if max_size is not None:
        ranked = ranked[: max(max_size - len(specials), 0)]
    return (*specials, *ranked)


def encode(seqs: list[list[str]], vocab: tuple[str, ...], unk: int, seq_len: int, pad: int) -> np.ndarray:
    """int32 [len(seqs), seq_len]: each sequence's ids (unknown -> `unk`), cut at seq_len, padded with `pad`."""
    index = {t: i for i, t in enumerate(vocab)}
    out = np.full((len(seqs), seq_len), pad, dtype=np.int32)
    for row, seq in enumerate(seqs):
        ids = [index.get(t, unk) for t in seq[:seq_len]]
        out[row, : len(ids)] = ids
    return out


@dataclass(frozen=True)
class TextSplit:
    """A text corpus split and encoded: row indices into the sequences, the vocabulary, the arrays."""

    train_idx: np.ndarray
    test_idx: np.ndarray
    vocab: tuple[str, ...]
    train: np.ndarray
    test: np.ndarray

    def origins(self, filename: str, linenos: list[int]) -> dict[str, tuple[str, ...]]:
        """Corpus fields train_origin / test_origin: "file:line" of every row."""
        return {"train_origin": tuple(f"{filename}:{linenos[i]}" for i in self.train_idx),
                "test_origin": tuple(f"{filename}:{linenos[i]}" for i in self.test_idx)}


def split_text(name: str, seqs: list[list[str]], test_fraction: float, split_seed: int, specials: tuple[str, ...],
               unk: int, seq_len: int, pad: int, max_vocab: int | None = None) -> TextSplit:
    """The seeded split of `seqs`, the vocabulary of the training split, both splits encoded."""
    train_idx, test_idx = split_indices(len(seqs), test_fraction, split_seed, name)
    vocab = build_vocab((t for i in train_idx for t in seqs[i]), specials, max_vocab)
    return TextSplit(train_idx, test_idx, vocab, encode([seqs[i] for i in train_idx], vocab, unk, seq_len, pad),
                     encode([seqs[i] for i in test_idx], vocab, unk, seq_len, pad))


# --- cache -----------------------------------------------------------------------------------------------------

def cache_path(name: str, options: Any, kind: str = "corpus") -> Path:
    """data/real/<name>/<kind>-<hash of the options>.npz."""
    key = json.dumps({"format": CACHE_FORMAT, "kind": kind, **dataclasses.asdict(options)}, sort_keys=True)
    return data_dir() / "real" / name / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def save_corpus(path: Path, corpus: Corpus, options: Any) -> None:
    save_npz(path, {
        "train": corpus.train, "test": corpus.test,
        "vocab": np.array(corpus.vocab, dtype=str),
        "train_origin": np.array(corpus.train_origin, dtype=str),
        "test_origin": np.array(corpus.test_origin, dtype=str),
        "meta": np.array(json.dumps({"name": corpus.name, "separator": corpus.separator,
                                     "end_token": corpus.end_token, "info": dict(corpus.info),
                                     "options": dataclasses.asdict(options)})),
    })


def cached(name: str, options: Any, build: Callable[[], Corpus]) -> Corpus:
    """The corpus cached for (name, options), or `build()` cached for next time."""
    path = cache_path(name, options)
    corpus = read_cached_corpus(path)
    if corpus is None:
        corpus = build()
        save_corpus(path, corpus, options)
    return corpus


def read_cached_corpus(path: Path) -> Corpus | None:
    """The corpus cached at `path`, or None if there is none (or it is unreadable: it is then rebuilt)."""
    if not path.is_file():
        return None
    try:
        z = load_npz(path)
        meta = json.loads(str(z["meta"]))
        return Corpus(name=meta["name"], train=z["train"].astype(np.int32), test=z["test"].astype(np.int32),
                      vocab=tuple(str(t) for t in z["vocab"]), separator=meta["separator"],
                      end_token=meta["end_token"], train_origin=tuple(str(o) for o in z["train_origin"]),
                      test_origin=tuple(str(o) for o in z["test_origin"]), info=meta["info"])
    except (UserError, KeyError, ValueError):
        return None
