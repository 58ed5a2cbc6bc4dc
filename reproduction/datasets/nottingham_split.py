"""Which original Boulanger-Lewandowski (2012) split (train/valid/test: 694/173/170 pieces) each of the 1,037
Nottingham MIDI files belongs to.

No public copy names the split of every file. Two upstream files together nearly do:
- pppplin/wavenet's Nottingham.zip keeps 941 files in the original train/valid/test folders (630/157/154);
- TCN's Nottingham.mat holds all 1,037 pieces in their original split, as unnamed piano rolls (one frame per
  eighth note, 88 keys, transposed to C major / C minor).
A file missing from the first is found in the second (`match_pieces`): its eighth-note piano roll (all
tracks) is compared with every piece of about the same length, trying frame offsets -2..2 and the
transposition that best aligns the top notes; the score is the Jaccard overlap of the sounding (frame,
pitch) cells. A file takes the split of a piece scoring at least `min_score`, unless a piece of another split
also does (ambiguous: left out). Of the 96 missing files 92 are placed (60 train, 16 valid, 16 test; every
match scores >= 0.89, and no piece of another split reaches 0.8); the other 4, all melody-only files that a
piano roll of melody and chords cannot match well, score <= 0.55 and are left out. Check on the 941 listed
files: 937 match a piece of their own folder's split, 2 score below 0.8, and 2 match two identical pieces
in different splits: the original split holds one tune in both train and test (hpps_simple_chords_15 /
reels_simple_chords_65) and one in both train and valid (jigs_simple_chords_134 / _136).
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pretty_midi
import scipy.io

from reproduction.errors import UserError

SPLITS = ("train", "valid", "test")
LOWEST_KEY = 21  # MIDI pitch of piano key 1 (A0); column j of the piano roll is pitch j + 21
SHIFTS = range(-2, 3)


def folder_splits(zip_path: Path) -> dict[str, str]:
    """File name -> split, from the train/valid/test folders of a zip of MIDI files."""
    with zipfile.ZipFile(zip_path) as z:
        names = [PurePosixPath(n) for n in z.namelist()]
    out: dict[str, str] = {}
    for name in names:
        if name.suffix == ".mid" and "__MACOSX" not in name.parts and name.parent.name in SPLITS:
            out[name.name] = name.parent.name
    return out


def read_pianorolls(mat_path: Path) -> list[tuple[str, np.ndarray]]:
    """(split, bool [frames, 128] piano roll) for each piece of the Boulanger-Lewandowski .mat file."""
    try:
        mat = scipy.io.loadmat(mat_path)
    except (ValueError, OSError) as e:
        raise UserError(f"{mat_path}: not a readable .mat file ({e}); delete it and rerun") from e
    pieces = []
    for split in SPLITS:
        for roll in mat[f"{split}data"][0]:
            full = np.zeros((roll.shape[0], 128), dtype=bool)
            full[:, LOWEST_KEY: LOWEST_KEY + roll.shape[1]] = roll.astype(bool)
            pieces.append((split, full))
    return pieces


def eighth_note_roll(midi: pretty_midi.PrettyMIDI) -> np.ndarray:
    """bool [frames, 128]: which pitches (any track) sound at the middle of each eighth note."""
    eighth = midi.resolution / 2
    end_tick = midi.time_to_tick(midi.get_end_time())
    n = int(np.ceil(end_tick / eighth))
    times = np.array([midi.tick_to_time(int((k + 0.5) * eighth)) for k in range(n)])
    roll = np.zeros((n, 128), dtype=bool)
    for inst in midi.instruments:
        for note in inst.notes:
            roll[(times >= note.start) & (times < note.end), note.pitch] = True
    return roll


def _top(roll: np.ndarray) -> np.ndarray:
    """Highest sounding pitch per frame, -1 where nothing sounds."""
    return np.where(roll.any(1), roll.shape[1] - 1 - np.argmax(roll[:, ::-1], axis=1), -1)


def _overlap(a: np.ndarray, b: np.ndarray, d: int) -> int:
    """Cells sounding in both `b` and `a` transposed up by `d` semitones (pitches moved past the ends are lost)."""
    if d >= 0:
        return int((a[:, : a.shape[1] - d] & b[:, d:]).sum())
    return int((a[:, -d:] & b[:, :d]).sum())


def similarity(roll: np.ndarray, piece: np.ndarray, tops: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """Best Jaccard overlap of two piano rolls over frame offsets and the top-note transposition. `tops`: the
    two rolls' `_top`, when the caller has them already."""
    top_a, top_b = tops if tops is not None else (_top(roll), _top(piece))
    size = roll.sum() + piece.sum()
    best = 0.0
    for s in SHIFTS:
        a, b = roll[max(s, 0):], piece[max(-s, 0):]
        ta, tb = top_a[max(s, 0):], top_b[max(-s, 0):]
        n = min(len(a), len(b))
        both = (ta[:n] >= 0) & (tb[:n] >= 0)
        if not both.any():
            continue
        # the most frequent top-note interval (the smallest of equally frequent ones), as np.unique's argmax gave
        counts = np.bincount(tb[:n][both] - ta[:n][both] + 127, minlength=255)
        inter = _overlap(a[:n], b[:n], int(counts.argmax()) - 127)
        best = max(best, float(inter / (size - inter)))
    return best


def match_pieces(rolls: dict[str, np.ndarray], pieces: list[tuple[str, np.ndarray]],
                 min_score: float) -> dict[str, tuple[str | None, float]]:
    """File name -> (split of its matching piece or None, best score), for each roll in `rolls`."""
    piece_tops = [_top(piece) for _, piece in pieces]
    out: dict[str, tuple[str | None, float]] = {}
    for name, roll in rolls.items():
        top = _top(roll)
        scored = [(similarity(roll, piece, (top, piece_top)), split)
                  for (split, piece), piece_top in zip(pieces, piece_tops, strict=True)
                  if abs(len(piece) - len(roll)) <= 0.1 * len(roll) + 4]
        good = {split for score, split in scored if score >= min_score}
        best = max((score for score, _ in scored), default=0.0)
        out[name] = (good.pop() if len(good) == 1 else None, best)
    return out
