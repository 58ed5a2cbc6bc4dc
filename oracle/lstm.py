"""The oracle G_oracle: the generator's LSTM with fixed weights (paper Section 4), never trained.

`load_oracle("random")` draws every parameter from N(0, 1) with a seed (the paper's oracle, no download);
`load_oracle("original")` uses the authors' parameter file (downloaded or mirrored, sha256-checked);
any other value is a path to a parameter file (.pkl in the authors' layout, or .npz).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from oracle.params import load_params_file, random_oracle_params, validate_params
from reproduction.config import LSTMShape
from reproduction.datasets.download import fetch, sha256_of
from reproduction.errors import UserError
from reproduction.metrics.nll import mean_nll, sequence_nll
from reproduction.models.generator import LSTMPolicy, sample_many


class Oracle:
    def __init__(self, params: list[np.ndarray], shape: LSTMShape, name: str):
        self.shape = shape
        self.name = name  # identifies the oracle in cache keys and logs
        self.model = LSTMPolicy(shape, name="oracle")
        self.model.set_params(validate_params(params, shape, name))
        self.model.trainable = False

    def sample(self, n: int, seed: np.ndarray) -> np.ndarray:
        return sample_many(self.model, n, seed)

    def sequence_nll(self, seqs: np.ndarray) -> np.ndarray:
        return sequence_nll(self.model, seqs)

    def nll(self, seqs: np.ndarray, where: str = "evaluation") -> float:
        return mean_nll(self.model, seqs, where)


def load_oracle(spec: str, shape: LSTMShape | None = None, oracle_seed: int = 0,
                mirror: str | Path | None = None) -> Oracle:
    """The oracle named by `spec`: random | original | PATH."""
    shape = shape or LSTMShape()
    if spec == "random":
        size = "" if shape == LSTMShape() else (f"-v{shape.vocab_size}e{shape.emb_dim}"
                                                f"h{shape.hidden_dim}t{shape.seq_len}")
        return Oracle(random_oracle_params(shape, oracle_seed), shape, f"random-s{oracle_seed}{size}")
    if spec == "original":
        if shape != LSTMShape():
            raise UserError("the authors' oracle has the paper's shapes (vocabulary 5,000, 32, 32, length 20)")
        return Oracle(load_params_file(fetch("target_params_py3", mirror), shape), shape, "original")
    path = Path(spec)
    if not path.is_file():
        raise UserError(f"--oracle {spec!r}: not 'random', 'original', or an existing parameter file")
    return Oracle(load_params_file(path, shape), shape, f"file-{sha256_of(path)[:12]}")
