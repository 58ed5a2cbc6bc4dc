"""One writer per run directory: `train` holds an OS lock on `RUN/train.lock` while it trains.

The lock is `fcntl.flock`, taken without waiting: a second process on the same directory (another `train`,
`reproduce`, or a Ray task) is refused at once with a UserError naming the holder (its pid and host, written
into the lock file when the lock is taken). The OS releases a flock when its process ends, however it ends,
so a lock left by a killed process never blocks the next run: the same command resumes it.

flock is advisory and per open file: it excludes processes that use this module. On a network filesystem it
is only as good as the filesystem's lock support (NFSv4, and Lustre or BeeGFS mounted with flock support,
honour it across nodes).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import platform
from collections.abc import Iterator
from pathlib import Path

from reproduction.errors import UserError

LOCK_NAME = "train.lock"


def holder(run_dir: Path) -> dict | None:
    """Who holds (or last held, if it was killed) the lock of `run_dir`: {"pid", "host", ...}, or None."""
    try:
        text = (Path(run_dir) / LOCK_NAME).read_text()
    except OSError:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def _describe(info: dict | None) -> str:
    if not info:
        return "another process (it has not written its pid yet)"
    return f"pid {info.get('pid')} on host {info.get('host')}"


@contextlib.contextmanager
def hold(run_dir: Path) -> Iterator[None]:
    """Hold the lock of `run_dir` for the `with` block; raise UserError at once if another process holds it."""
    run_dir = Path(run_dir)
    path = run_dir / LOCK_NAME
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise UserError(f"cannot write to {run_dir}: {e.strerror}; choose a writable directory") from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise UserError(f"cannot lock {path}: {e.strerror}") from e
            raise UserError(f"{run_dir} is being trained by {_describe(holder(run_dir))} (lock {path}); wait for "
                            "it to finish, or stop it and rerun the same command to resume") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": platform.node()}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # released: no holder to name (a killed holder leaves its pid; the OS frees the lock)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
