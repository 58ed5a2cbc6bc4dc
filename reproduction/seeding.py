"""Seeds: every random draw is a pure function of (run seed, purpose, step).

Stateless random ops take a seed derived here, so a resumed run draws exactly the numbers an uninterrupted
run would, without saving any random-generator state.
"""

from __future__ import annotations

import zlib

import numpy as np


def derive(seed: int, *keys: str | int) -> np.ndarray:
    """A [2] int32 seed for TensorFlow's stateless ops, from the run seed and any keys (purpose, step)."""
    words = [seed] + [zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in keys]
    state = np.random.SeedSequence(words).generate_state(2, dtype=np.uint32)
    return (state & 0x7FFFFFFF).astype(np.int32)


def numpy_rng(seed: int, *keys: str | int) -> np.random.Generator:
    """A numpy generator keyed like `derive` (for shuffling and initialisation)."""
    words = [seed] + [zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))


def make_deterministic() -> None:
    """Ask TensorFlow for deterministic kernels (same seed, same numbers)."""
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
