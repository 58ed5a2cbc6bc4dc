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


def short_commit(full: str) -> str:
    """A recorded commit (`commit()`) as a report shows it: 12 hex digits, keeping '+dirty'."""
    head, dirty, _ = full.partition("+dirty")
    return head[:12] + dirty


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
            "cores": os.cpu_count(), "threads": threads(),
            "python": platform.python_version(), "tensorflow": tf.__version__, "numpy": np.__version__}


# Settings that change how TensorFlow uses the CPU: its thread pools, and oneDNN (on by default on x86; its ISA
# cap decides whether AMX or AVX-512 kernels run). Recorded so that two machines' timings can be told apart.
THREAD_ENV = ("TF_ENABLE_ONEDNN_OPTS", "ONEDNN_MAX_CPU_ISA", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
              "OMP_NUM_THREADS")


def threads() -> dict[str, Any]:
    """TensorFlow's intra- and inter-op thread counts (0 = its default, one per core) and the environment
    variables of THREAD_ENV that are set."""
    import tensorflow as tf

    return {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
            **{name: os.environ[name] for name in THREAD_ENV if name in os.environ}}


def describe_cpu(m: dict[str, Any]) -> str:
    """'AMD EPYC (2 cores; flags: fma, avx2, ...; threads: intra default, inter default)': the CPU a measurement ran on
    and how TensorFlow used it, as a report names it."""
    t = m.get("threads")
    settings = "" if t is None else "; threads: " + ", ".join(
        f"{'intra' if k == 'intra_op' else 'inter' if k == 'inter_op' else k} {v or 'default'}" for k, v in t.items())
    return f"{m['cpu']} ({m['cores']} cores; flags: {', '.join(m.get('cpu_flags', [])) or 'not recorded'}{settings})"


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
