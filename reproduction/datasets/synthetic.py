"""The synthetic data: the oracle a run names (`resolve_oracle`), and the sequences sampled from it (paper
Section 4: 10,000 sequences of length 20; the authors' code makes 156 x 64 = 9,984, here
`Schedule.num_train` = 10,000 by default).

Cached under data/synthetic/<oracle>/ keyed by oracle, split, seed and count, so every method run with the
same seed trains on the same data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from oracle.lstm import Oracle, load_oracle
from oracle.params import OracleFileError
from oracle.shape import LSTMShape
from reproduction.datasets.download import data_dir, fetch
from reproduction.errors import UserError
from reproduction.io_utils import load_npz, save_npz
from reproduction.seeding import derive


def resolve_oracle(spec: str, shape: LSTMShape | None = None, oracle_seed: int = 0,
                   mirror: str | Path | None = None) -> Oracle:
    """The oracle `spec` names (random | original | PATH); the authors' file is fetched (or read from
    `mirror`) and sha256-checked first. A bad file or spec is a UserError."""
    try:
        authors_file = fetch("target_params_py3", mirror) if spec == "original" else None
        return load_oracle(spec, shape, oracle_seed, authors_file)
    except OracleFileError as e:
        raise UserError(str(e)) from e


def oracle_data(oracle: Oracle, n: int, seed: int, split: str = "train") -> np.ndarray:
    """n oracle samples [n, T] int32 for `split`, from the cache or freshly drawn (and then cached)."""
    path = data_dir() / "synthetic" / oracle.name / f"{split}_seed{seed}_n{n}.npz"
    if path.exists():
        tokens = load_npz(path).get("tokens")
        if tokens is not None and tokens.shape == (n, oracle.shape.seq_len):
            return tokens.astype(np.int32)
    tokens = oracle.sample(n, derive(seed, "oracle-data", split))
    save_npz(path, {"tokens": tokens})
    return tokens
