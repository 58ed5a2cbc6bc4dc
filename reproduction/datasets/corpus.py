"""The real-world corpora of the paper (Section 5: Chinese quatrains, Obama speeches, Nottingham melodies) as
one type: fixed-length int32 token arrays for training, BLEU references and a real-data probe, a vocabulary,
and a decoder.

Held-out data (never trained on) is split in two (`split_held_out`): the *references* (`Corpus.test`: the
BLEU references of every evaluation, and the NLL-test set) and a disjoint *real-data probe* (`Corpus.probe`):
real sequences scored exactly as generated ones are, against the same references, which gives the tables'
real-data row. The training split does not depend on this second split, so runs trained before it existed
keep their vocabulary and can be rescored.

Token id 0 is reserved in every corpus: it is the generator's start token (`LSTMShape.start_token`) and, per
corpus, also the end/pad token (Obama), a start-only token never seen in the data (poems) or the rest / start
token (Nottingham). `registry.load_corpus(name, mirror, **options)` builds or reads a corpus; every preprocessing
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
from typing import Any, TypeVar

import numpy as np

from reproduction.datasets.download import data_dir
from reproduction.errors import UserError
from reproduction.io_utils import built_once, load_npz, save_npz
from reproduction.seeding import numpy_rng

T = TypeVar("T")

CORPORA = ("poems", "obama", "nottingham", "coco")
START_TOKEN = 0
CACHE_FORMAT = 2  # bump when the cached arrays change meaning (2: test = references, plus a probe)


@dataclass(frozen=True)
class Corpus:
    """A tokenised corpus: rows of `train` and `test` are sequences of ids into `vocab`."""

    name: str
    train: np.ndarray  # int32 [N, T]
    test: np.ndarray  # int32 [M, T]: the BLEU references (and NLL-test set); held out, never trained on
    vocab: tuple[str, ...]  # token id -> string; id 0 is the start token (see the module docstring)
    separator: str = " "  # what `decode` puts between tokens
    end_token: int | None = None  # `decode` stops at the first one (Obama: 0); None: decode everything
    train_origin: tuple[str, ...] = ()  # per train row, where it came from ("shi.txt:1", "jigs_1.mid@32")
    test_origin: tuple[str, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict, compare=False)  # counts worth reporting
    # int32 [P, T]: the real-data probe, held out and disjoint from the references and the training split (by
    # row and by content); None for a corpus built without one
    probe: np.ndarray | None = None
    probe_origin: tuple[str, ...] = ()

    @property
    def seq_len(self) -> int:
        return int(self.train.shape[1])

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def tokens(self, ids: Iterable[int] | np.ndarray) -> list[str]:
        """The token strings of one sequence, up to its first end token."""
        seq = [int(i) for i in np.asarray(ids).reshape(-1)]
        bad = [i for i in seq if not 0 <= i < len(self.vocab)]
        if bad:
            raise UserError(f"token id {bad[0]} outside the {self.name} vocabulary of {len(self.vocab)}")
        if self.end_token is not None and self.end_token in seq:
            seq = seq[: seq.index(self.end_token)]
        return [self.vocab[i] for i in seq]

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """The text of one token sequence (poems: characters; Obama: words; Nottingham: pitch names)."""
        return self.separator.join(self.tokens(ids))

    def require_probe(self) -> np.ndarray:
        if self.probe is None or len(self.probe) == 0:
            raise UserError(f"the {self.name} corpus was built without a real-data probe")
        return self.probe

    def describe(self) -> str:
        probe = "" if self.probe is None else f" / {len(self.probe):,} real-data probe"
        return (f"{self.name}: vocabulary {self.vocab_size}, length {self.seq_len}, "
                f"{len(self.train):,} train / {len(self.test):,} reference{probe} sequences")


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


def check_held_out_sizes(probe_size: int, references: int | None) -> None:
    """Validation of the options `probe_size` and `references` shared by every corpus."""
    require(isinstance(probe_size, int) and not isinstance(probe_size, bool) and probe_size >= 2,
            f"probe_size must be an integer >= 2 (Self-BLEU needs two sequences), got {probe_size!r}")
    require(references is None or (isinstance(references, int) and not isinstance(references, bool)
                                   and references >= 1),
            f"references must be a positive integer or None (every held-out sequence not in the probe), "
            f"got {references!r}")


# --- held-out data: references and the real-data probe ---------------------------------------------------------

@dataclass(frozen=True)
class HeldOutSplit:
    """Rows of the held-out data (indices, increasing) that are references and that are the probe."""

    references: np.ndarray
    probe: np.ndarray
    info: Mapping[str, int]


def split_held_out(held_out: np.ndarray, train: np.ndarray, probe_size: int, references: int | None, seed: int,
                   name: str, groups: list[str] | None = None) -> HeldOutSplit:
    """Split held-out rows into BLEU references and a real-data probe of `probe_size` rows.

    - Rows whose content also occurs in the training split are dropped from both (training data in all but
      name: a model that memorised them would be scored against itself).
    - Rows belong to groups (`groups`: Nottingham's pieces, whose windows share phrases; default: each row
      alone). Groups are taken in a seeded random order into the probe until it holds `probe_size` rows; a probe
      group's rows never become references, so no reference shares a piece with the probe.
    - A row is eligible for the probe only if its content occurs in no other group of the held-out data, so
      no probe row equals a reference row.
    - The references are every other held-out row (not in the training split, not in a probe group), or a
      seeded random `references` of them.
    """
    n = len(held_out)
    group_of = list(range(n)) if groups is None else list(groups)
    train_keys = {row.tobytes() for row in np.asarray(train)}
    keys = [row.tobytes() for row in np.asarray(held_out)]
    in_train = np.array([k in train_keys for k in keys], dtype=bool)
    groups_with: dict[bytes, set] = {}
    for k, g in zip(keys, group_of, strict=True):
        groups_with.setdefault(k, set()).add(g)
    eligible = ~in_train & np.array([len(groups_with[k]) == 1 for k in keys], dtype=bool)
    members: dict[Any, list[int]] = {}
    for i, g in enumerate(group_of):
        members.setdefault(g, []).append(i)
    order = list(members)
    probe: list[int] = []
    probe_groups = set()
    for j in numpy_rng(seed, "probe", name).permutation(len(order)):
        if len(probe) >= probe_size:
            break
        chosen = [i for i in members[order[j]] if eligible[i]]
        if chosen:
            probe_groups.add(order[j])
            probe += chosen[: probe_size - len(probe)]
    require(len(probe) == probe_size, f"{name}: probe_size {probe_size} is more than the {len(probe)} held-out "
                                      "sequences that can be probed; lower probe_size or hold out more data")
    candidates = np.array([i for i in range(n) if group_of[i] not in probe_groups and not in_train[i]], dtype=int)
    if references is not None:
        require(references <= len(candidates),
                f"{name}: references {references} is more than the {len(candidates)} held-out sequences left "
                f"beside a probe of {probe_size}; lower references or probe_size, or hold out more data")
        candidates = candidates[numpy_rng(seed, "references", name).permutation(len(candidates))[:references]]
    require(len(candidates) >= 1, f"{name}: no held-out sequence is left as a reference beside a probe of "
                                  f"{probe_size}; lower probe_size")
    info = {"held_out": n, "held_out_also_in_train": int(in_train.sum()), "probe": probe_size,
            "references": len(candidates)}
    return HeldOutSplit(np.sort(candidates), np.sort(np.array(probe, dtype=int)), info)


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
    """A text corpus split and encoded: row indices into the sequences (train, references, probe), the
    vocabulary, the arrays."""

    train_idx: np.ndarray
    test_idx: np.ndarray  # the references
    probe_idx: np.ndarray
    vocab: tuple[str, ...]
    train: np.ndarray
    test: np.ndarray
    probe: np.ndarray
    held_out_info: Mapping[str, int]

    def origins(self, filename: str, linenos: list[int]) -> dict[str, tuple[str, ...]]:
        """Corpus fields train_origin / test_origin / probe_origin: "file:line" of every row."""
        return {f"{part}_origin": tuple(f"{filename}:{linenos[i]}" for i in idx)
                for part, idx in (("train", self.train_idx), ("test", self.test_idx), ("probe", self.probe_idx))}


def split_text(name: str, seqs: list[list[str]], test_fraction: float, split_seed: int, specials: tuple[str, ...],
               unk: int, seq_len: int, pad: int, max_vocab: int | None = None, probe_size: int = 2,
               references: int | None = None) -> TextSplit:
    """The seeded train/held-out split of `seqs`, the vocabulary of the training split, the held-out part split
    into references and a real-data probe (`split_held_out`), all encoded."""
    train_idx, held_idx = split_indices(len(seqs), test_fraction, split_seed, name)
    vocab = build_vocab((t for i in train_idx for t in seqs[i]), specials, max_vocab)
    train = encode([seqs[i] for i in train_idx], vocab, unk, seq_len, pad)
    held = encode([seqs[i] for i in held_idx], vocab, unk, seq_len, pad)
    part = split_held_out(held, train, probe_size, references, split_seed, name)
    return TextSplit(train_idx, held_idx[part.references], held_idx[part.probe], vocab, train,
                     held[part.references], held[part.probe], part.info)


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
        "probe": corpus.probe if corpus.probe is not None else np.zeros((0, corpus.seq_len), np.int32),
        "probe_origin": np.array(corpus.probe_origin, dtype=str),
        "meta": np.array(json.dumps({"name": corpus.name, "separator": corpus.separator,
                                     "end_token": corpus.end_token, "info": dict(corpus.info),
                                     "options": dataclasses.asdict(options)})),
    })


def read_or_build(path: Path, read: Callable[[Path], T | None], build: Callable[[], T]) -> T:
    """What `read(path)` finds in the cache file `path`, else `build()`, which writes it there. Built once when
    several processes ask at the same time (two commands, or two Ray runs on one machine): one builds while the
    others wait, then read what it cached."""
    found = read(path)
    if found is None:
        with built_once(path):
            found = read(path)  # built by another process while this one waited
            if found is None:
                found = build()
    return found


def cached(name: str, options: Any, build: Callable[[], Corpus]) -> Corpus:
    """The corpus cached for (name, options), or `build()` cached for next time (read_or_build)."""
    path = cache_path(name, options)

    def build_and_save() -> Corpus:
        corpus = build()
        save_corpus(path, corpus, options)
        return corpus

    return read_or_build(path, read_cached_corpus, build_and_save)


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
                      test_origin=tuple(str(o) for o in z["test_origin"]), info=meta["info"],
                      probe=z["probe"].astype(np.int32), probe_origin=tuple(str(o) for o in z["probe_origin"]))
    except (UserError, KeyError, ValueError):
        return None
