"""Oracle parameters: the seeded random N(0, 1) oracle of the paper (Section 4, Synthetic Data Experiments)
and the authors' fixed oracle file (target_params_py3.pkl / target_params.pkl), loaded safely.

Unpickling can run code, so pickles go through `SafeUnpickler`, which admits only what a numpy array needs
(numpy's array reconstructor, ndarray and dtype) and refuses every other global before anything runs.
The project's own parameter files are .npz (no pickles). Layout and shapes: `PARAM_NAMES`, PAPER.md.
"""

from __future__ import annotations

import io
import pickle
import zlib
from pathlib import Path

import numpy as np

from oracle.shape import LSTMShape

# The authors' parameter layout (target_params.pkl): embedding, then (W, U, b) per gate, then output.
PARAM_NAMES = ("emb", "Wi", "Ui", "bi", "Wf", "Uf", "bf", "Wog", "Uog", "bog", "Wc", "Uc", "bc", "Wo", "bo")
GATES = ("i", "f", "og", "c")  # fused order of the gate blocks


def param_shapes(shape: LSTMShape) -> dict[str, tuple[int, ...]]:
    v, e, h = shape.vocab_size, shape.emb_dim, shape.hidden_dim
    shapes: dict[str, tuple[int, ...]] = {"emb": (v, e)}
    for g in GATES:
        shapes[f"W{g}"], shapes[f"U{g}"], shapes[f"b{g}"] = (e, h), (h, h), (h,)
    shapes["Wo"], shapes["bo"] = (h, v), (v,)
    return shapes


def random_params(shape: LSTMShape, stddev: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Every weight and bias drawn from N(0, stddev^2), in the authors' layout order."""
    return [rng.normal(0.0, stddev, s).astype(np.float32) for s in param_shapes(shape).values()]


class OracleFileError(ValueError):
    """A parameter file that is unreadable, refused, or of the wrong layout; the message says which and why."""


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
            where = f"{module}.{name}"[:80]  # (as the pickle spells it: repr keeps a damaged one on one line)
            raise RefusedGlobal(f"refused global {where!r}: only numpy arrays are admitted") from None


def safe_load_pickle(data: bytes) -> object:
    return SafeUnpickler(io.BytesIO(data), encoding="latin1").load()


def random_oracle_params(shape: LSTMShape, seed: int) -> list[np.ndarray]:
    """The paper's oracle: every parameter drawn from N(0, 1), reproducibly from `seed` (the generator
    keyed by (seed, "oracle") as `reproduction.seeding.numpy_rng` keys it; a test checks they agree)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(b"oracle")]))
    return random_params(shape, 1.0, rng)


def load_params_file(path: Path, shape: LSTMShape) -> list[np.ndarray]:
    """The 15 oracle arrays from a .pkl (authors' format, either protocol) or .npz (keys = PARAM_NAMES)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise OracleFileError(f"cannot read oracle parameter file {path}: {e.strerror}") from e
    if path.suffix == ".npz":
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = [z[name] for name in PARAM_NAMES]
        except Exception as e:  # a damaged zip, or no zip at all (an .npy), raises many kinds of errors
            cause = " ".join(f"{type(e).__name__}: {e}".split())[:200]
            raise OracleFileError(f"{path}: not an oracle .npz with arrays {', '.join(PARAM_NAMES)} ({cause})") from e
    else:
        try:
            loaded = safe_load_pickle(data)
        except RefusedGlobal as e:
            raise OracleFileError(f"{path}: refused to load ({e}); expected the authors' list of 15 numpy "
                                  "arrays") from e
        except Exception as e:  # truncated or garbled pickles raise many kinds of errors
            reason = " ".join(str(e).split())  # (some unpickling errors span lines)
            raise OracleFileError(f"{path}: not a readable parameter pickle ({type(e).__name__}: {reason}); the file "
                                  "may be truncated, download it again") from e
        if not isinstance(loaded, list) or not all(isinstance(a, np.ndarray) for a in loaded):
            raise OracleFileError(f"{path}: expected a list of 15 numpy arrays, got {type(loaded).__name__}")
        arrays = loaded
    return validate_params(arrays, shape, str(path))


def validate_params(arrays: list[np.ndarray], shape: LSTMShape, source: str) -> list[np.ndarray]:
    expected = param_shapes(shape)
    if len(arrays) != len(expected):
        raise OracleFileError(f"{source}: {len(arrays)} arrays, expected {len(expected)} ({', '.join(PARAM_NAMES)})")
    out = []
    for (name, want), a in zip(expected.items(), arrays, strict=True):
        if a.dtype.kind != "f":
            raise OracleFileError(f"{source}: array {name} has dtype {a.dtype}, expected floating point")
        if tuple(a.shape) != want:
            raise OracleFileError(f"{source}: array {name} has shape {tuple(a.shape)}, expected {want}")
        if not np.all(np.isfinite(a)):
            raise OracleFileError(f"{source}: array {name} holds NaN or Inf")
        out.append(np.ascontiguousarray(a, dtype=np.float32))
    return out
