"""Synthetic data: oracle samples cached by oracle, split, seed and count; the held-out split is distinct."""

from __future__ import annotations

import numpy as np
import pytest

from oracle.lstm import load_oracle
from reproduction.datasets.download import data_dir
from reproduction.datasets.synthetic import oracle_data
from reproduction.io_utils import load_npz
from tests.conftest import TINY_SHAPE


def test_train_and_test_splits_differ_and_are_cached(monkeypatch):
    oracle = load_oracle("random", TINY_SHAPE)
    train = oracle_data(oracle, 100, seed=0)
    test = oracle_data(oracle, 100, seed=0, split="test")
    assert train.shape == test.shape == (100, TINY_SHAPE.seq_len)
    assert not np.array_equal(train, test)
    for split, tokens in (("train", train), ("test", test)):  # each split's file holds the samples it returned
        cached = data_dir() / "synthetic" / oracle.name / f"{split}_seed0_n100.npz"
        np.testing.assert_array_equal(load_npz(cached)["tokens"], tokens)
    with monkeypatch.context() as patch:  # read back from the cache: the oracle is not sampled again
        patch.setattr(oracle, "sample", lambda *args: pytest.fail("a cached split was sampled again"))
        np.testing.assert_array_equal(oracle_data(oracle, 100, seed=0), train)
        np.testing.assert_array_equal(oracle_data(oracle, 100, seed=0, split="test"), test)
    assert not np.array_equal(oracle_data(oracle, 100, seed=1), train)
