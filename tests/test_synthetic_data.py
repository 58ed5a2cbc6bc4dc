"""Synthetic data: oracle samples cached by oracle, split, seed and count; the held-out split is distinct."""

from __future__ import annotations

import numpy as np

from oracle.lstm import load_oracle
from reproduction.datasets.download import data_dir
from reproduction.datasets.synthetic import oracle_data
from tests.conftest import TINY_SHAPE


def test_train_and_test_splits_differ_and_are_cached():
    oracle = load_oracle("random", TINY_SHAPE)
    train = oracle_data(oracle, 100, seed=0)
    test = oracle_data(oracle, 100, seed=0, split="test")
    assert train.shape == test.shape == (100, TINY_SHAPE.seq_len)
    assert not np.array_equal(train, test)
    cached = data_dir() / "synthetic" / oracle.name / "train_seed0_n100.npz"
    assert cached.exists()
    np.testing.assert_array_equal(oracle_data(oracle, 100, seed=0), train)
    assert not np.array_equal(oracle_data(oracle, 100, seed=1), train)
