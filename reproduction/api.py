"""The benchmark as a library: score your own generator against the paper's oracle the way Table 1 scores ours.

    from reproduction import api

    oracle = api.load_oracle("original")          # the authors' oracle (fetched once, sha256-checked)
    api.nll_oracle(oracle, samples)               # samples: [n, 20] token ids in [0, 5000), or a token file
    g = api.load_generator("runs/mle-original-quick-s0")  # a run directory or a generator.keras file
    tokens = g.sample(10_000, temperature=1.0, seed=0)    # int32 [10000, 20]
    api.nll_test(g, api.heldout_data(oracle))     # NLL-test on the held-out split of a run with seed 0
    api.bleu(references, hypotheses, 3)           # BLEU-3, nltk smoothing method1 (rule="legacy": nltk 3.2.x)
    api.self_bleu(hypotheses, 3)
    api.benchmark("samples.txt", "coco", protocol="texygen")  # COCO as Texygen scored it (docs/benchmark.md)

Functions (token arguments take an int array [n, T], a list of lists, or the path of a token file: whitespace-
separated ids, one sequence per line):

    load_oracle(spec="original", *, seed=0, mirror=None, shape=None) -> oracle.lstm.Oracle
    heldout_data(oracle, n=10_000, seed=0) -> np.ndarray          # int32 [n, T]
    nll_oracle(oracle, samples) -> float
    nll_test(generator, heldout, *, temperature=1.0) -> float
    load_generator(path) -> Generator  # .sample(n, temperature=1.0, seed=0) -> np.ndarray; .network: LSTMNetwork
    export_run(run_dir) -> list[Path]  # write generator.keras (and discriminator.keras) of an older run
    bleu(references, hypotheses, n, *, rule="method1") -> float
    self_bleu(samples, n, *, rule="method1") -> float
    benchmark(samples, corpus="coco", *, protocol="texygen", generator=None, results="results", mirror=None,
              plot=None) -> dict  # BLEU-2..5, Self-BLEU-2..5 (and NLL-test) of a text file of samples

Each function runs the code the command line runs, so the numbers are the same: `nll_oracle` is `evaluate
--samples` (resolve_oracle, metrics.nll.mean_nll), `nll_test` the evaluation of every run (and `evaluate --run`),
`Generator.sample` is `sample --run` (same seed, same tokens), `bleu`/`self_bleu` are the `bleu` command
(metrics.bleu). `heldout_data(oracle, n, seed)` is the held-out split a run with that seed and `num_train = n`
scores NLL-test on (10,000 in the quick and paper profiles). `benchmark` is the `benchmark` command
(text_benchmark.benchmark; the dict that `--json` prints).

Importing this module does not import TensorFlow; the functions that need it import it. A bad input (ids outside
the vocabulary, sequences of the wrong length, an unknown oracle, a directory that is not a run) raises
`reproduction.errors.UserError` with a message saying what was wrong.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from oracle.shape import LSTMShape
from reproduction import quiet_tensorflow
from reproduction.errors import UserError
from reproduction.io_utils import read_sequences, read_tokens

if TYPE_CHECKING:
    from oracle.lstm import Oracle
    from oracle.network import LSTMNetwork

Tokens = np.ndarray | Sequence[Sequence[int]] | str | os.PathLike

__all__ = ["Generator", "benchmark", "bleu", "export_run", "heldout_data", "load_generator", "load_oracle",
           "nll_oracle", "nll_test", "self_bleu"]


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def token_array(samples: Tokens, shape: LSTMShape, what: str = "samples") -> np.ndarray:
    """`samples` as int32 [n, shape.seq_len] with every id in [0, shape.vocab_size); a UserError says what is wrong.
    A path is read as a token file (the command line's reader, errors name the line)."""
    if _is_path(samples):
        return read_tokens(Path(samples), shape.vocab_size, shape.seq_len)
    try:
        array = np.asarray(samples)
    except ValueError as e:  # ragged lists
        raise UserError(f"{what}: not a rectangular array of token ids ({e}); every sequence needs "
                        f"{shape.seq_len} tokens") from None
    if array.ndim != 2:
        raise UserError(f"{what}: expected a 2-D array [sequences, {shape.seq_len}] of token ids, got shape "
                        f"{array.shape}")
    if array.dtype.kind not in "iu":
        raise UserError(f"{what}: token ids must be integers, got dtype {array.dtype}")
    if len(array) == 0:
        raise UserError(f"{what}: no sequences")
    if array.shape[1] != shape.seq_len:
        raise UserError(f"{what}: sequences of {array.shape[1]} tokens, expected {shape.seq_len}")
    bad = (array < 0) | (array >= shape.vocab_size)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise UserError(f"{what}: token id {array[row, col]} (sequence {row}, position {col}) outside the "
                        f"vocabulary [0, {shape.vocab_size})")
    return np.ascontiguousarray(array, dtype=np.int32)


def _sequences(x: Sequence[Sequence] | str | os.PathLike) -> Sequence[Sequence]:
    return read_sequences(Path(x)) if _is_path(x) else x


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise UserError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_temperature(t: Any) -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float, np.floating)) or not 0.01 <= t <= 100.0:
        raise UserError(f"temperature must be a number between 0.01 and 100, got {t!r}")
    return float(t)


# ---- the oracle and its data ------------------------------------------------------------------------------------
def load_oracle(spec: str = "original", *, seed: int = 0, mirror: str | os.PathLike | None = None,
                shape: LSTMShape | None = None) -> Oracle:
    """The oracle: "original" (the authors' parameter file, fetched and sha256-checked, or read from `mirror`),
    "random" (N(0, 1) parameters drawn from `seed`), or the path of a parameter file (.pkl or .npz)."""
    if not isinstance(spec, (str, os.PathLike)):
        raise UserError(f"oracle spec must be 'original', 'random' or a path, got {spec!r}")
    quiet_tensorflow()
    from reproduction.datasets.synthetic import resolve_oracle

    return resolve_oracle(os.fspath(spec), shape, seed, mirror)


def heldout_data(oracle: Oracle, n: int = 10_000, seed: int = 0) -> np.ndarray:
    """The held-out oracle samples a run with `seed` (and num_train = `n`) scores NLL-test on: int32 [n, T]."""
    _check_oracle(oracle)
    from reproduction.datasets.synthetic import oracle_data

    return oracle_data(oracle, _check_count("n", n), seed, split="test")


def _check_oracle(oracle: Any) -> None:
    if not (hasattr(oracle, "model") and isinstance(getattr(oracle, "shape", None), LSTMShape)):
        raise UserError(f"expected an oracle from api.load_oracle, got {type(oracle).__name__}")


# ---- metrics ----------------------------------------------------------------------------------------------------
def nll_oracle(oracle: Oracle, samples: Tokens) -> float:
    """NLL-oracle (paper Eq. 9): the oracle's mean per-token negative log-likelihood of `samples`."""
    _check_oracle(oracle)
    seqs = token_array(samples, oracle.shape, "samples")
    from reproduction.metrics.nll import mean_nll

    return mean_nll(oracle.model, seqs, f"the {len(seqs)} samples")


def nll_test(generator: Generator | LSTMNetwork, heldout: Tokens, *, temperature: float = 1.0) -> float:
    """NLL-test: the generator's mean per-token negative log-likelihood of held-out oracle data (`heldout_data`),
    under softmax(logits / temperature)."""
    network = _network(generator)
    seqs = token_array(heldout, network.spec, "held-out data")
    t = _check_temperature(temperature)
    from oracle.network import sequence_nll
    from reproduction.metrics.nll import mean_nll

    if t == 1.0:
        return mean_nll(network, seqs, "NLL-test")  # as every run's evaluation computes it
    return float(sequence_nll(network, seqs, temperature=t).mean())  # as experiments.frontier does


def bleu(references: Sequence[Sequence] | str | os.PathLike, hypotheses: Sequence[Sequence] | str | os.PathLike,
         n: int, *, rule: str = "method1") -> float:
    """Mean BLEU-n of each hypothesis against all references (rule "method1": nltk smoothing method1; "legacy":
    nltk 3.2.x unsmoothed, as 2016-2017 code ran it). Tokens may be any hashable values."""
    from reproduction.metrics import bleu as metric

    return metric.bleu(_sequences(references), _sequences(hypotheses), _check_count("n", n), rule=rule)


def self_bleu(samples: Sequence[Sequence] | str | os.PathLike, n: int, *, rule: str = "method1") -> float:
    """Mean Self-BLEU-n: each sample against all the others."""
    from reproduction.metrics import bleu as metric

    return metric.self_bleu(_sequences(samples), _check_count("n", n), rule=rule)


def benchmark(samples: str | os.PathLike, corpus: str = "coco", *, protocol: str = "texygen",
              generator: str | os.PathLike | None = None, results: str | os.PathLike = "results",
              mirror: str | os.PathLike | None = None, plot: str | os.PathLike | None = None) -> dict[str, Any]:
    """A text file of samples (one per line) scored on the real-text benchmark of `corpus` (coco, emnlp_news,
    poems, obama) under `protocol` ("texygen": as Texygen's published numbers; "corrected"): BLEU-2..5,
    Self-BLEU-2..5, NLL-test if `generator` (a run directory or .keras file) is given, beside the published rows
    and the project's; `plot` also writes the BLEU-5 / Self-BLEU-5 plane as a PNG. The dict `benchmark --json`
    prints."""
    from reproduction.publications.text_benchmark import benchmark as run

    return run(samples, corpus, protocol, generator=generator, results=results, mirror=mirror, plot=plot)


# ---- trained generators -----------------------------------------------------------------------------------------
class Generator:
    """A trained generator: `network` is its `oracle.network.LSTMNetwork` (a Keras model)."""

    def __init__(self, network: LSTMNetwork, source: Path):
        self.network, self.source = network, source

    @property
    def shape(self) -> LSTMShape:
        return self.network.spec

    def sample(self, n: int, temperature: float = 1.0, seed: int = 0) -> np.ndarray:
        """n sequences, int32 [n, T], from softmax(logits / temperature); the same tokens as
        `python -m reproduction sample --run RUN --n n --seed seed --temperature temperature`."""
        n, t = _check_count("n", n), _check_temperature(temperature)
        from oracle.network import sample_many
        from reproduction.seeding import derive

        return sample_many(self.network, n, derive(seed, "sample-command"), temperature=t)

    def __repr__(self) -> str:
        return f"Generator({self.source}, {self.shape})"


def _network(generator: Any) -> LSTMNetwork:
    from oracle.network import LSTMNetwork

    network = generator.network if isinstance(generator, Generator) else generator
    if not isinstance(network, LSTMNetwork):
        raise UserError(f"expected a generator from api.load_generator (or an LSTMNetwork), got "
                        f"{type(generator).__name__}")
    return network


def load_generator(path: str | os.PathLike) -> Generator:
    """The generator of a run directory (its generator.keras, or for a run that finished before runs exported
    models, its checkpoint) or of a generator .keras file."""
    quiet_tensorflow()
    from reproduction.training import export

    return Generator(export.load_network(Path(path)), Path(path))


def export_run(run_dir: str | os.PathLike) -> list[Path]:
    """Write generator.keras (and, for SeqGAN, discriminator.keras) of a run that finished before runs exported
    their models, from its checkpoint. Returns the paths written."""
    quiet_tensorflow()
    from reproduction.training import export

    run = Path(run_dir)
    if not (run / "checkpoint.npz").is_file():
        raise UserError(f"{run}: no checkpoint.npz; pass a directory written by `python -m reproduction train`")
    return export.export_run(run)
