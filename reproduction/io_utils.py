"""Files: atomic writes (a kill never leaves half a file; a full disk leaves the file as it was, and stops the
command with a UserError), the clean-up of temporary files a killed write left, a lock under which one process
builds what several want, and validated token files."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from reproduction.errors import UserError

# Failures of the disk rather than of the program: a write that meets one stops with a UserError (exit 2).
DISK_FAULTS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
               errno.EIO: "the disk reported an input/output error", errno.EROFS: "the file system is read-only",
               errno.EFBIG: "the file is too large for the file system", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied"}


def temporary_pattern(name: str) -> str:
    """The glob of the temporary files `atomic_write` makes for a file called `name` (beside it)."""
    return f".{name}.*.tmp"


def atomic_write(path: Path, write: Callable[[Path], None], keep: Path | None = None) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it over `path`. With `keep`, an existing
    `path` is first renamed to `keep` (the version before it, kept). A full disk or another fault of the disk
    (DISK_FAULTS) is a UserError saying that `path` is as it was; the temporary file is removed."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as e:
        if e.errno in DISK_FAULTS and e.errno not in (errno.EACCES, errno.EPERM):
            raise disk_fault(path, e) from e
        raise UserError(f"cannot write to {path.parent}: {e.strerror}; choose a writable directory") from e
    try:
        write(Path(tmp))
        if keep is not None and path.exists():
            _keep(path, keep)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        if e.errno in DISK_FAULTS:
            raise disk_fault(path, e) from e
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keep(path: Path, keep: Path) -> None:
    """Make `keep` a copy of `path` by a hard link renamed over it, so that `path` itself never goes missing; where
    the file system has no hard links, by renaming `path` (the next rename puts the new file there)."""
    link = keep.with_name(f".{keep.name}.link.tmp")  # (matches temporary_pattern(keep.name))
    try:
        link.unlink(missing_ok=True)
        os.link(path, link)
    except OSError:
        os.replace(path, keep)
        return
    os.replace(link, keep)


def disk_fault(path: Path, error: OSError) -> UserError:
    """The UserError for a write of `path` that failed with a fault of the disk (DISK_FAULTS)."""
    what = DISK_FAULTS.get(error.errno or 0, error.strerror or "the write failed")
    state = "is as it was" if Path(path).exists() else "was not written"
    fix = "make it writable" if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else \
        "free space (or fix the disk)"
    return UserError(f"cannot write {path}: {what} ({error.strerror}); {Path(path).name} {state}, and so is every "
                     f"file written before it; {fix}, then rerun the same command: it resumes")


def remove_stale_temporaries(directory: Path, patterns: tuple[str, ...]) -> list[Path]:
    """Remove the temporary files matching `patterns` in `directory` (not below it) that a killed write left;
    call it only where no other process can be writing (a run directory under its lock). The removed paths."""
    removed = []
    for pattern in patterns:
        for stale in sorted(Path(directory).glob(pattern)):
            if stale.is_file():
                stale.unlink(missing_ok=True)
                removed.append(stale)
    return removed


@contextlib.contextmanager
def built_once(path: Path) -> Iterator[None]:
    """Hold an exclusive OS lock on `path`.lock while building what is kept at `path`, waiting for another process
    that holds it (which then has built it: read it again under the lock). Where no lock file can be made, go on
    unlocked (what is built is written atomically, so two builders are only wasted work)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_name(path.name + ".lock"), "w")  # noqa: SIM115 (held for the block)
    except OSError:
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def check_writable(directory: Path) -> None:
    """Fail now, not after a long computation, if files cannot be written into `directory`."""
    atomic_write(Path(directory) / ".write-check", lambda p: None)
    (Path(directory) / ".write-check").unlink()


def copy_file(source: Path, path: Path) -> None:
    """Copy `source` to `path` atomically."""
    atomic_write(path, lambda p: shutil.copyfile(source, p))


def write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def save_npz(path: Path, arrays: dict[str, np.ndarray], compressed: bool = False) -> None:
    def write(p: Path) -> None:
        with open(p, "wb") as f:
            (np.savez_compressed if compressed else np.savez)(f, **arrays)

    atomic_write(path, write)


def load_npz(path: Path) -> dict[str, np.ndarray]:
    """Load an .npz written by this project (no pickles admitted)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError,
            OverflowError, MemoryError, struct.error, zlib.error) as e:  # (what zipfile and numpy raise on damage)
        raise UserError(f"{path} is not a readable .npz file ({type(e).__name__}: {one_line(str(e))}); delete it "
                        "and rerun") from e


def one_line(text: str, limit: int = 200) -> str:
    """`text` on one line (runs of whitespace, newlines among them, made one space), cut to `limit` characters: for
    an error message that quotes what a damaged file holds."""
    return " ".join(text.split())[:limit]


def read_text(path: Path) -> str:
    """The UTF-8 text of `path`; a missing, unreadable or non-UTF-8 file is a UserError naming it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise UserError(f"{path}: no such file") from e
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from e
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not UTF-8 text (byte {e.start}); expected tokens as text") from e


def read_sequences(path: Path) -> list[list[str]]:
    """Whitespace-separated tokens, one sequence per non-blank line (for BLEU: any tokens, any lengths)."""
    sequences = [line.split() for line in read_text(path).splitlines() if line.strip()]
    if not sequences:
        raise UserError(f"{path}: no sequences (the file is empty); expected one sequence per line")
    return sequences


def read_tokens(path: Path, vocab_size: int, seq_len: int | None = None) -> np.ndarray:
    """Read whitespace-separated token ids, one sequence per line, into an int32 [n, seq_len] array.

    Every line must hold `seq_len` integers in [0, vocab_size); the error names the file and line.
    """
    path = Path(path)
    text = read_text(path)
    rows: list[list[int]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        ids = []
        for field in fields:
            try:
                ids.append(int(field))
            except ValueError:  # (also a digit int() does not take, such as "²", and a number of 4,300+ digits)
                raise UserError(f"{path}:{lineno}: {field[:40]!r} is not an integer token id") from None
        expected = seq_len if seq_len is not None else (len(rows[0]) if rows else len(ids))
        if len(ids) != expected:
            raise UserError(f"{path}:{lineno}: {len(ids)} tokens, expected {expected} "
                            "(one sequence per line, all of the same length)")
        lo, hi = min(ids), max(ids)
        if lo < 0 or hi >= vocab_size:
            raise UserError(f"{path}:{lineno}: token id {lo if lo < 0 else hi} outside the vocabulary "
                            f"[0, {vocab_size})")
        rows.append(ids)
    if not rows:
        raise UserError(f"{path}: no sequences (the file is empty); expected one sequence per line")
    return np.asarray(rows, dtype=np.int32)
