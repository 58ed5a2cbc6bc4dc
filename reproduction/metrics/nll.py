"""Negative log-likelihood metrics (paper Section 4, Eq. 9).

NLL-oracle = - E_{Y ~ G_theta} [ (1/T) sum_t log G_oracle(y_t | Y_1:t-1) ]: the mean per-token NLL that the
oracle assigns to fresh generator samples. The same function, with the generator as the model and held-out
oracle samples as data, gives NLL-test.
"""

from __future__ import annotations

import numpy as np

from oracle.network import LSTMNetwork, sequence_nll
from reproduction.errors import NumericalFault


def mean_nll(model: LSTMNetwork, seqs: np.ndarray, where: str = "evaluation") -> float:
    """Mean per-token NLL of `seqs` (all of the same length) under `model`."""
    value = float(sequence_nll(model, seqs).mean())
    if not np.isfinite(value):
        raise NumericalFault(f"NLL is {value} at {where}")
    return value
