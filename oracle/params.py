"""Oracle parameters: the seeded random N(0, 1) oracle of the paper (Section 4, Synthetic Data Experiments)
and the authors' fixed oracle file (target_params_py3.pkl / target_params.pkl), loaded safely.

Unpickling can run code, so pickles go through `SafeUnpickler`, which admits only what a numpy array needs
(numpy's array reconstructor, ndarray and dtype) and refuses every other global before anything runs.
The project's own parameter files are .npz (no pickles). Layout and shapes: `PARAM_NAMES`, PAPER.md.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np

from reproduction.config import LSTMShape
from reproduction.errors import UserError
from reproduction.models.generator import PARAM_NAMES, param_shapes, random_params
from reproduction.seeding import numpy_rng

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.zeros(0))[0],
    ("numpy._core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.zeros(0))[0],
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class RefusedGlobal(pickle.UnpicklingError):
    """The pickle asked for something other than a numpy array."""


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that builds numpy arrays and lists, and nothing else."""

    def find_class(self, module: str, name: str):  # type: ignore[override]
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise RefusedGlobal(f"refused global {module}.{name}: only numpy arrays are admitted") from None


def safe_load_pickle(data: bytes) -> object:
    return SafeUnpickler(io.BytesIO(data), encoding="latin1").load()


def random_oracle_params(shape: LSTMShape, seed: int) -> list[np.ndarray]:
    """The paper's oracle: every parameter drawn from N(0, 1), reproducibly from `seed`."""
    return random_params(shape, 1.0, numpy_rng(seed, "oracle"))


def load_params_file(path: Path, shape: LSTMShape) -> list[np.ndarray]:
    """The 15 oracle arrays from a .pkl (authors' format, either protocol) or .npz (keys = PARAM_NAMES)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"cannot read oracle parameter file {path}: {e.strerror}") from e
    if path.suffix == ".npz":
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = [z[name] for name in PARAM_NAMES]
        except (KeyError, ValueError, OSError, EOFError) as e:
            raise UserError(f"{path}: not an oracle .npz with arrays {', '.join(PARAM_NAMES)} ({e})") from e
    else:
        try:
            loaded = safe_load_pickle(data)
        except RefusedGlobal as e:
            raise UserError(f"{path}: refused to load ({e}); expected the authors' list of 15 numpy arrays") from e
        except Exception as e:  # truncated or garbled pickles raise many kinds of errors
            raise UserError(f"{path}: not a readable parameter pickle ({type(e).__name__}: {e}); the file may "
                            "be truncated, download it again") from e
        if not isinstance(loaded, list) or not all(isinstance(a, np.ndarray) for a in loaded):
            raise UserError(f"{path}: expected a list of 15 numpy arrays, got {type(loaded).__name__}")
        arrays = loaded
    return validate_params(arrays, shape, str(path))


def validate_params(arrays: list[np.ndarray], shape: LSTMShape, source: str) -> list[np.ndarray]:
    expected = param_shapes(shape)
    if len(arrays) != len(expected):
        raise UserError(f"{source}: {len(arrays)} arrays, expected {len(expected)} ({', '.join(PARAM_NAMES)})")
    out = []
    for (name, want), a in zip(expected.items(), arrays, strict=True):
        if a.dtype.kind != "f":
            raise UserError(f"{source}: array {name} has dtype {a.dtype}, expected floating point")
        if tuple(a.shape) != want:
            raise UserError(f"{source}: array {name} has shape {tuple(a.shape)}, expected {want}")
        if not np.all(np.isfinite(a)):
            raise UserError(f"{source}: array {name} holds NaN or Inf")
        out.append(np.ascontiguousarray(a, dtype=np.float32))
    return out
