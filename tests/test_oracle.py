"""The oracle: loading the authors' parameters safely and exactly, the seeded random oracle, NLL."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from oracle.lstm import load_oracle
from oracle.params import PARAM_NAMES, OracleFileError, load_params_file, random_oracle_params
from oracle.shape import LSTMShape
from reproduction.datasets.synthetic import resolve_oracle
from reproduction.errors import UserError
from reproduction.seeding import numpy_rng
from tests.conftest import TINY_SHAPE


def numpy_sequence_log_likelihood(params: list[np.ndarray], seqs: np.ndarray, start: int = 0) -> np.ndarray:
    """The authors' equations (PAPER.md), written independently in float64: sum_t log p(y_t) per sequence."""
    p = {k: v.astype(np.float64) for k, v in zip(PARAM_NAMES, params, strict=True)}

    def sig(x):
        return 1.0 / (1.0 + np.exp(-x))

    n, length = seqs.shape
    h = np.zeros((n, p["Ui"].shape[0]))
    c = np.zeros_like(h)
    inputs = np.full(n, start)
    total = np.zeros(n)
    for t in range(length):
        x = p["emb"][inputs]
        i = sig(x @ p["Wi"] + h @ p["Ui"] + p["bi"])
        f = sig(x @ p["Wf"] + h @ p["Uf"] + p["bf"])
        o = sig(x @ p["Wog"] + h @ p["Uog"] + p["bog"])
        c = f * c + i * np.tanh(x @ p["Wc"] + h @ p["Uc"] + p["bc"])
        h = o * np.tanh(c)
        logits = h @ p["Wo"] + p["bo"]
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        total += log_probs[np.arange(n), seqs[:, t]]
        inputs = seqs[:, t]
    return total


def test_loaded_oracle_matches_independent_numpy_equations(mirror):
    oracle = resolve_oracle("original", mirror=mirror)
    params = load_params_file(mirror / "seqgan_original/target_params_py3.pkl", LSTMShape())
    seqs = np.random.default_rng(0).integers(0, 5000, (64, 20)).astype(np.int32)
    seqs[:32] = oracle.sample(32, np.array([1, 2], np.int32))
    expected = -numpy_sequence_log_likelihood(params, seqs) / 20
    np.testing.assert_allclose(oracle.sequence_nll(seqs), expected, rtol=1e-5, atol=1e-5)


def test_both_pickle_formats_load_identical_arrays(mirror):
    py3 = load_params_file(mirror / "seqgan_original/target_params_py3.pkl", LSTMShape())
    py2 = load_params_file(mirror / "seqgan_original/target_params.pkl", LSTMShape())
    assert len(py3) == len(py2) == 15
    for a, b in zip(py3, py2, strict=True):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)


def test_uniform_tokens_score_about_11_43_under_the_original_oracle(mirror):
    oracle = resolve_oracle("original", mirror=mirror)
    seqs = np.random.default_rng(1).integers(0, 5000, (2000, 20)).astype(np.int32)
    assert oracle.sequence_nll(seqs).mean() == pytest.approx(11.43, abs=0.03)


def test_random_oracle_is_standard_normal_and_reproducible():
    a = random_oracle_params(LSTMShape(), seed=3)
    b = random_oracle_params(LSTMShape(), seed=3)
    c = random_oracle_params(LSTMShape(), seed=4)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    flat = np.concatenate([x.ravel() for x in a])
    assert abs(flat.mean()) < 0.01 and abs(flat.std() - 1.0) < 0.01


def test_oracle_samples_are_seeded_and_in_vocabulary():
    oracle = load_oracle("random", TINY_SHAPE)
    a = oracle.sample(50, np.array([5, 6], np.int32))
    b = oracle.sample(50, np.array([5, 6], np.int32))
    c = oracle.sample(50, np.array([5, 7], np.int32))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.shape == (50, TINY_SHAPE.seq_len) and a.min() >= 0 and a.max() < TINY_SHAPE.vocab_size


def test_oracle_samples_score_lower_than_uniform_tokens():
    oracle = load_oracle("random", TINY_SHAPE)
    own = oracle.sequence_nll(oracle.sample(500, np.array([0, 1], np.int32))).mean()
    uniform = oracle.sequence_nll(np.random.default_rng(0).integers(0, 40, (500, 8)).astype(np.int32)).mean()
    assert own < uniform


def test_scoring_in_chunks_of_any_size_gives_each_sequence_the_same_nll_bit_for_bit(mirror):
    """The scoring chunk (network.score_chunk) is a speed setting only: at the paper's shapes, each sequence's NLL
    is the same float whether it is scored with 1, 6, 61, 332 or 999 others (1,000: the chunk scoring once used).
    (Alone, a sequence may differ in the last bit: a product of one row takes another kernel.)"""
    from oracle.network import score_chunk, sequence_nll

    oracle = resolve_oracle("original", LSTMShape(), 0, mirror)
    seqs = oracle.sample(1000, np.array([3, 4], np.int32))
    reference = sequence_nll(oracle.model, seqs, chunk=1000)
    assert score_chunk(LSTMShape()) == 62
    for chunk in (None, 2, 7, 333):  # (None: score_chunk's)
        np.testing.assert_array_equal(sequence_nll(oracle.model, seqs, chunk=chunk), reference)


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_pickle_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps([_Payload(str(marker))]))
    with pytest.raises(OracleFileError, match="refused"):
        load_params_file(evil, LSTMShape())
    assert not marker.exists()


def test_truncated_parameter_file_is_a_clear_error(mirror, tmp_path):
    cut = tmp_path / "cut.pkl"
    cut.write_bytes((mirror / "seqgan_original/target_params_py3.pkl").read_bytes()[:5000])
    with pytest.raises(OracleFileError, match=r"not a readable parameter pickle .*truncated"):
        load_params_file(cut, LSTMShape())


def test_parameter_file_with_wrong_shapes_is_a_clear_error(tmp_path):
    params = random_oracle_params(TINY_SHAPE, 0)
    path = tmp_path / "small.npz"
    np.savez(path, **dict(zip(PARAM_NAMES, params, strict=True)))
    with pytest.raises(OracleFileError, match=r"array emb has shape \(40, 8\), expected \(5000, 32\)"):
        load_params_file(path, LSTMShape())
    assert len(load_params_file(path, TINY_SHAPE)) == 15


def test_unknown_oracle_name_is_a_clear_error():
    with pytest.raises(UserError, match="not 'random', 'original', or an existing parameter file"):
        resolve_oracle("no-such-oracle")


def test_the_random_oracle_is_keyed_as_the_project_keys_every_other_draw():
    """oracle/ draws its parameters without importing reproduction.seeding; the numbers must be the same."""
    ours = random_oracle_params(TINY_SHAPE, seed=5)
    theirs = [numpy_rng(5, "oracle").normal(0.0, 1.0, p.shape) for p in [ours[0]]]
    np.testing.assert_array_equal(ours[0], theirs[0].astype(np.float32))


def test_the_oracle_package_imports_nothing_from_reproduction():
    import ast
    from pathlib import Path

    for path in (Path(__file__).resolve().parents[1] / "oracle").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "reproduction" for n in names), f"{path.name} imports {names}"
