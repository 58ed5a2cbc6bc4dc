"""A progress bar with ETA for each training phase (stderr; one line every 30 s when not a terminal)."""

from __future__ import annotations

import sys
import time


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    def __init__(self, phase: str, total: int, done: int = 0, enabled: bool = True, every: float = 30.0):
        self.phase, self.total, self.done = phase, total, done
        self.start_done, self.start = done, time.monotonic()
        self.enabled = enabled and total > 0
        self.tty = sys.stderr.isatty()
        self.every, self.last_print = every, 0.0
        self.info = ""

    def update(self, done: int, info: str = "") -> None:
        self.done, self.info = done, info or self.info
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty or now - self.last_print >= self.every or done == self.total:
            self.last_print = now
            self._print(end="\r" if self.tty and done < self.total else "\n")

    def _print(self, end: str) -> None:
        elapsed = time.monotonic() - self.start
        rate = (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        width = 24
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "." * (width - filled)
        eta_text = _clock(eta) if eta == eta else "?"
        line = f"{self.phase:<14} [{bar}] {self.done}/{self.total} elapsed {_clock(elapsed)} eta {eta_text} {self.info}"
        sys.stderr.write(("\r" + line.ljust(110) if self.tty else line) + end)
        sys.stderr.flush()
