"""The oracle G_oracle: the authors' LSTM network with fixed weights (paper Section 4), never trained.

`load_oracle("random")` draws every parameter from N(0, 1) with a seed (the paper's oracle, no download);
`load_oracle("original", authors_file=PATH)` uses the authors' parameter file; any other value is a path
to a parameter file (.pkl in the authors' layout, or .npz). Fetching the authors' file (URL, sha256, a
local mirror) is the caller's job: `reproduction.datasets.synthetic.resolve_oracle` does it.

This package is the bottom layer of the project: it imports nothing from `reproduction`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from oracle.network import LSTMNetwork, sample_many, sequence_nll
from oracle.params import OracleFileError, load_params_file, random_oracle_params, validate_params
from oracle.shape import LSTMShape


class Oracle:
    def __init__(self, params: list[np.ndarray], shape: LSTMShape, name: str):
        self.shape = shape
        self.name = name  # identifies the oracle in cache keys and logs
        self.model = LSTMNetwork(shape, name="oracle")
        self.model.set_params(validate_params(params, shape, name))
        self.model.trainable = False

    def sample(self, n: int, seed: np.ndarray) -> np.ndarray:
        """n sequences [n, T] int32; `seed` is a [2] int32 stateless seed."""
        return sample_many(self.model, n, seed)

    def sequence_nll(self, seqs: np.ndarray) -> np.ndarray:
        """Per-sequence mean per-token NLL under the oracle: float64 [n]."""
        return sequence_nll(self.model, seqs)


def load_oracle(spec: str, shape: LSTMShape | None = None, oracle_seed: int = 0,
                authors_file: str | Path | None = None) -> Oracle:
    """The oracle named by `spec`: random | original (needs `authors_file`) | PATH. Raises OracleFileError."""
    shape = shape or LSTMShape()
    if spec == "random":
        size = "" if shape == LSTMShape() else (f"-v{shape.vocab_size}e{shape.emb_dim}"
                                                f"h{shape.hidden_dim}t{shape.seq_len}")
        return Oracle(random_oracle_params(shape, oracle_seed), shape, f"random-s{oracle_seed}{size}")
    if spec == "original":
        if shape != LSTMShape():
            raise OracleFileError("the authors' oracle has the paper's shapes (vocabulary 5,000, 32, 32, length 20)")
        if authors_file is None:
            raise OracleFileError("the authors' oracle needs the path of its parameter file (target_params_py3.pkl)")
        return Oracle(load_params_file(Path(authors_file), shape), shape, "original")
    path = Path(spec)
    if not path.is_file():
        raise OracleFileError(f"--oracle {spec!r}: not 'random', 'original', or an existing parameter file")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Oracle(load_params_file(path, shape), shape, f"file-{digest[:12]}")
