"""Nottingham folk tunes (paper Section 5: "695 folk tunes in midi file format", the solo track only, pitch
sampled every 0.4 s and coded as one of 88 piano keys, tokens 1..88, sequences of length 32, scored with
BLEU-4 and MSE). Length 32 at 0.4 s is 12.8 s of melody.

Source: Boulanger-Lewandowski's 1,037 MIDI files (480 ticks per quarter note; track 1 is the melody, named
after the tune, track 2 the chords; 14 files have the melody only), read with pretty_midi. Split: the
original train/valid/test split (see nottingham_split.py: 690/173/170 of its 694/173/170 pieces can be
placed); training uses the train pieces (the paper's "695 tunes"), the held-out data the test pieces: windows
never straddle pieces or splits. The test pieces are split, piece by piece, into the BLEU references and the
real-data probe (corpus.split_held_out), so no reference window comes from a probe piece.

Melody -> tokens (`melody_tokens`): the notes of the melody track are sampled at the middle of each 0.4 s
step, starting from the first note's onset, for as long as a note lasts. A sample is the highest sounding
pitch (overlaps occur in 22 files; a sample exactly on a note boundary takes the note starting there); where
nothing sounds (a rest) the last note started is held (or, with rest="token", the sample is token 0). Token
k is MIDI pitch k + 20 (A0 = 1 ... C8 = 88); 0 is the start token. Each piece's token stream is cut into
windows of `seq_len` every `stride` steps (non-overlapping by default); a remainder shorter than `seq_len` is
dropped. `write_midi` turns tokens back into a MIDI file (for listening to samples): runs of the same token
become one note.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pretty_midi

from reproduction.datasets import nottingham_split
from reproduction.datasets.corpus import (
    Corpus,
    cache_path,
    check_fraction,
    check_held_out_sizes,
    read_or_build,
    require,
    split_held_out,
)
from reproduction.datasets.download import fetch
from reproduction.errors import UserError
from reproduction.io_utils import atomic_write, load_npz, save_npz

KEYS = 88
LOWEST_PITCH = 21  # A0, token 1
REST = 0  # token for "nothing sounds" (rest="token"), also the start token
VOCAB = ("-", *(pretty_midi.note_number_to_name(p) for p in range(LOWEST_PITCH, LOWEST_PITCH + KEYS)))
REST_MODES = ("hold", "token")


@dataclass(frozen=True)
class NottinghamOptions:
    # Paper: "sampled every 0.4 s".
    step_seconds: float = 0.4
    # Paper: sequences of length 32 (12.8 s of melody at 0.4 s).
    seq_len: int = 32
    # Windows start every `stride` steps: = seq_len gives non-overlapping windows (no sequence is counted
    # twice in training or in BLEU references); the remainder of a piece is dropped.
    stride: int = 32
    # What a rest becomes. The paper's vocabulary is the 88 keys only, so by default the last note started is
    # held; "token" codes a rest as token 0 (also the start token).
    rest: str = "hold"
    # The original split (Boulanger-Lewandowski): the paper's "695 tunes" are the 694 train pieces. Valid
    # pieces are unused by default; add "valid" to train_splits to train on them too.
    train_splits: tuple[str, ...] = ("train",)
    test_splits: tuple[str, ...] = ("test",)
    # The 96 files missing from the original-split folders are placed by matching them to the original
    # piano roll (nottingham_split.py); False leaves them out (630/157/154 pieces instead of 690/173/170).
    match_unlisted: bool = True
    # The lowest piano-roll overlap (Jaccard) that places such a file; true matches score >= 0.89.
    min_match: float = 0.8
    # Of the held-out windows (test pieces), this many, from whole pieces, are the real-data probe (the
    # tables' real-data row); the windows of the other pieces are the BLEU references.
    probe_size: int = 250
    # How many of those windows are references: None = all; a number takes a seeded random subset.
    references: int | None = None
    # Seed of the probe/reference split of the test pieces (the train/test split is the original one).
    split_seed: int = 0

    def __post_init__(self) -> None:
        for what in ("train_splits", "test_splits"):  # a list (e.g. from a config file) is accepted
            if isinstance(getattr(self, what), list):
                object.__setattr__(self, what, tuple(getattr(self, what)))
        require(isinstance(self.step_seconds, int | float) and self.step_seconds > 0,
                f"step_seconds must be positive, got {self.step_seconds!r}")
        require(isinstance(self.seq_len, int) and self.seq_len >= 1, f"seq_len must be >= 1, got {self.seq_len!r}")
        require(isinstance(self.stride, int) and self.stride >= 1, f"stride must be >= 1, got {self.stride!r}")
        require(self.rest in REST_MODES, f"rest must be one of {', '.join(REST_MODES)}, got {self.rest!r}")
        for what, splits in (("train_splits", self.train_splits), ("test_splits", self.test_splits)):
            require(isinstance(splits, tuple) and splits and set(splits) <= set(nottingham_split.SPLITS),
                    f"{what} must be a non-empty tuple of {', '.join(nottingham_split.SPLITS)}, got {splits!r}")
        require(not set(self.train_splits) & set(self.test_splits),
                f"train_splits {self.train_splits} and test_splits {self.test_splits} overlap")
        check_fraction(self.min_match, "min_match")
        check_held_out_sizes(self.probe_size, self.references)
        require(isinstance(self.split_seed, int), f"split_seed must be an integer, got {self.split_seed!r}")


# --- MIDI <-> tokens -------------------------------------------------------------------------------------------

def read_midi(source: str | Path | bytes, name: str | None = None) -> pretty_midi.PrettyMIDI:
    """A parsed MIDI file (a path, or its bytes); an unreadable file is a UserError naming it."""
    name = name or str(source)
    try:
        with warnings.catch_warnings():  # tempo events outside track 0, harmless here
            warnings.simplefilter("ignore", RuntimeWarning)
            if isinstance(source, bytes):
                return pretty_midi.PrettyMIDI(io.BytesIO(source))
            return pretty_midi.PrettyMIDI(str(source))
    except FileNotFoundError as e:
        raise UserError(f"{name}: no such file") from e
    except Exception as e:  # mido and pretty_midi raise many types (OSError, EOFError, ValueError, KeyError)
        raise UserError(f"{name}: not a readable MIDI file ({type(e).__name__}: {e})") from e


def melody_notes(midi: pretty_midi.PrettyMIDI) -> list[pretty_midi.Note]:
    """The notes of the melody: the first track (instrument) with notes, and any other instrument carrying
    its track name (one file, jigs_simple_chords_111, plays its melody on two channels). Notes outside the
    88 keys are dropped (none in the corpus)."""
    if not midi.instruments:
        return []
    first = midi.instruments[0]
    parts = [i for i in midi.instruments if i is first or (first.name and i.name == first.name)]
    return [n for i in parts for n in i.notes if LOWEST_PITCH <= n.pitch < LOWEST_PITCH + KEYS]


def melody_tokens(midi: pretty_midi.PrettyMIDI, step_seconds: float = 0.4, rest: str = "hold") -> np.ndarray:
    """int32 tokens 0..88 of the melody sampled every `step_seconds` (see the module docstring)."""
    notes = sorted(melody_notes(midi), key=lambda n: (n.start, n.pitch))
    if not notes:
        return np.zeros(0, dtype=np.int32)
    # Times are rounded to the microsecond so that a sample landing exactly on a note boundary (at 120 bpm,
    # every fifth one) takes the note starting there whatever the floating-point noise.
    start = np.round([n.start for n in notes], 6)
    end = np.round([n.end for n in notes], 6)
    pitch = np.array([n.pitch for n in notes])
    n = int(np.ceil(np.round((end.max() - start[0]) / step_seconds - 0.5, 6)))
    t = np.round(start[0] + (np.arange(n) + 0.5) * step_seconds, 6)
    sounding = (start[None, :] <= t[:, None]) & (t[:, None] < end[None, :])
    top = np.where(sounding, pitch[None, :], -1).max(axis=1)
    if rest == "hold":  # the last note started (the highest of those starting together: notes are sorted)
        last = np.searchsorted(start, t, side="right") - 1
        top = np.where(top >= 0, top, pitch[last])
    return np.where(top >= 0, top - LOWEST_PITCH + 1, REST).astype(np.int32)


def write_midi(tokens: np.ndarray, path: str | Path, step_seconds: float = 0.4, program: int = 0,
               velocity: int = 90) -> None:
    """Write a token sequence as a one-track MIDI file: each run of one token 1..88 is a note, 0 is silence."""
    seq = [int(x) for x in np.asarray(tokens).reshape(-1)]
    bad = [x for x in seq if not 0 <= x <= KEYS]
    if bad:
        raise UserError(f"token {bad[0]} is not a Nottingham token (0 = rest, 1..88 = piano keys)")
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    melody = pretty_midi.Instrument(program=program, name="melody")
    i = 0
    while i < len(seq):
        j = i
        while j < len(seq) and seq[j] == seq[i]:
            j += 1
        if seq[i] != REST:
            melody.notes.append(pretty_midi.Note(velocity=velocity, pitch=seq[i] + LOWEST_PITCH - 1,
                                                 start=i * step_seconds, end=j * step_seconds))
        i = j
    midi.instruments.append(melody)
    atomic_write(Path(path), lambda p: midi.write(str(p)))


def read_tokens_midi(path: str | Path, step_seconds: float = 0.4, rest: str = "hold") -> np.ndarray:
    """The melody tokens of a MIDI file (the reader matching `write_midi`; leading silence is skipped)."""
    return melody_tokens(read_midi(path), step_seconds, rest)


def windows(tokens: np.ndarray, seq_len: int, stride: int) -> np.ndarray:
    """int32 [k, seq_len]: tokens[s : s + seq_len] for s = 0, stride, ... while a whole window fits."""
    starts = range(0, len(tokens) - seq_len + 1, stride)
    return np.array([tokens[s: s + seq_len] for s in starts], dtype=np.int32).reshape(-1, seq_len)


# --- the corpus ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _PieceOptions:
    """The options that decide the per-piece token streams (cached apart from the windowing)."""

    step_seconds: float
    rest: str
    match_unlisted: bool
    min_match: float


def load(options: NottinghamOptions, mirror: str | Path | None = None) -> Corpus:
    names, splits, streams, info = _pieces(options, mirror)
    parts: dict[str, tuple[list[np.ndarray], list[str]]] = {"train": ([], []), "test": ([], [])}
    for name, split, stream in zip(names, splits, streams, strict=True):
        side = "train" if split in options.train_splits else "test" if split in options.test_splits else None
        if side is None:
            continue
        rows = windows(stream, options.seq_len, options.stride)
        parts[side][0].append(rows)
        parts[side][1].extend(f"{name}@{k * options.stride}" for k in range(len(rows)))
    train, held = (np.concatenate([np.zeros((0, options.seq_len), np.int32), *parts[s][0]]) for s in ("train", "test"))
    held_origin = parts["test"][1]
    part = split_held_out(held, train, options.probe_size, options.references, options.split_seed, "nottingham",
                          groups=[o.split("@")[0] for o in held_origin])
    counts = {f"pieces_{s}": sum(sp == s for sp in splits) for s in nottingham_split.SPLITS}
    return Corpus(name="nottingham", train=train, test=held[part.references], vocab=VOCAB, separator=" ",
                  end_token=None, train_origin=tuple(parts["train"][1]),
                  test_origin=tuple(held_origin[i] for i in part.references), probe=held[part.probe],
                  probe_origin=tuple(held_origin[i] for i in part.probe), info={**info, **counts, **part.info})


def _pieces(options: NottinghamOptions, mirror: str | Path | None):
    """(names, splits, token streams, info) of every placed piece, from the cache or built and cached."""
    key = _PieceOptions(options.step_seconds, options.rest, options.match_unlisted, options.min_match)
    cache = cache_path("nottingham", key, kind="pieces")
    midi_zip = fetch("nottingham_midi", mirror)
    split_zip = fetch("nottingham_split", mirror)
    mat = fetch("nottingham_pianoroll", mirror) if options.match_unlisted else None

    def build_and_save():  # parsing the 1,037 files takes about 20 s
        names, splits, streams, info = _build_pieces(key, midi_zip, split_zip, mat)
        offsets = np.cumsum([0, *(len(s) for s in streams)])
        save_npz(cache, {"tokens": np.concatenate(streams).astype(np.int8), "offsets": offsets,
                         "names": np.array(names, dtype=str), "splits": np.array(splits, dtype=str),
                         "info_keys": np.array(list(info), dtype=str),
                         "info_values": np.array(list(info.values()), dtype=np.int64)})
        return names, splits, streams, info

    return read_or_build(cache, _read_pieces, build_and_save)


def _read_pieces(cache: Path):
    """_pieces' result from its cache file, or None if there is none (or it is unreadable: it is then rebuilt)."""
    if not cache.is_file():
        return None
    try:
        z = load_npz(cache)
        streams = np.split(z["tokens"].astype(np.int32), z["offsets"][1:-1])
        info = dict(zip((str(k) for k in z["info_keys"]), (int(v) for v in z["info_values"]), strict=True))
        return [str(n) for n in z["names"]], [str(s) for s in z["splits"]], streams, info
    except (UserError, KeyError, ValueError):
        return None


def _build_pieces(key: _PieceOptions, midi_zip: Path, split_zip: Path, mat: Path | None):
    listed = nottingham_split.folder_splits(split_zip)
    midis: dict[str, pretty_midi.PrettyMIDI] = {}
    with zipfile.ZipFile(midi_zip) as z:
        for entry in sorted(z.namelist()):
            name = PurePosixPath(entry).name
            if entry.endswith(".mid") and "__MACOSX" not in entry:
                midis[name] = read_midi(z.read(entry), f"{midi_zip}:{entry}")
    split_of: dict[str, str | None] = {name: listed.get(name) for name in midis}
    unlisted = sorted(name for name, split in split_of.items() if split is None)
    if mat is not None and unlisted:
        rolls = {name: nottingham_split.eighth_note_roll(midis[name]) for name in unlisted}
        matched = nottingham_split.match_pieces(rolls, nottingham_split.read_pianorolls(mat), key.min_match)
        split_of.update({name: split for name, (split, _) in matched.items()})
    names, splits, streams = [], [], []
    for name in sorted(midis):
        if split_of[name] is not None:
            names.append(name)
            splits.append(split_of[name])
            streams.append(melody_tokens(midis[name], key.step_seconds, key.rest))
    info = {"midi_files": len(midis), "listed_in_original_split": len(midis) - len(unlisted),
            "placed_by_matching": sum(split_of[n] is not None for n in unlisted),
            "left_out": sum(split_of[n] is None for n in unlisted)}
    return names, splits, streams, info
