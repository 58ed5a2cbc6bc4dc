"""Provenance of a result: code commit, machine, library versions, time."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def commit() -> str:
    """The git commit of the code, with '+dirty' when tracked files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# The CPU features that decide how fast our matrix products can run (bfloat16 and AMX among them).
SPEED_FLAGS = ("fma", "avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")


def machine() -> dict[str, Any]:
    cpu, flags = platform.processor(), []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu == platform.processor():
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                present = set(line.split(":", 1)[1].split())
                flags = [f for f in SPEED_FLAGS if f in present]
    except OSError:
        pass
    import numpy as np
    import tensorflow as tf

    return {"host": platform.node(), "platform": platform.platform(), "cpu": cpu, "cpu_flags": flags,
            "cores": os.cpu_count(),
            "python": platform.python_version(), "tensorflow": tf.__version__, "numpy": np.__version__}


def describe_cpu(m: dict[str, Any]) -> str:
    """'AMD EPYC (2 cores; fma, avx2, ...)': the CPU a measurement ran on, as a report names it."""
    return f"{m['cpu']} ({m['cores']} cores; flags: {', '.join(m.get('cpu_flags', [])) or 'not recorded'})"


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
