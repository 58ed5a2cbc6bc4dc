"""The shape of the authors' LSTM, shared by the oracle and the generator (paper Section 4; code: vocabulary
5,000, embedding 32, hidden 32, length 20, start token 0). Pure data, so `--help` loads nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LSTMShape:
    vocab_size: int = 5000
    emb_dim: int = 32
    hidden_dim: int = 32
    seq_len: int = 20
    start_token: int = 0
