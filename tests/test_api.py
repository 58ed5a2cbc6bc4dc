"""The library API (reproduction/api.py) gives the command line's numbers; finished runs export their models as
Keras files that load without our training code and sample the checkpoint's tokens; the example runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from oracle.network import LSTMNetwork, sample_many
from oracle.params import random_params
from oracle.shape import LSTMShape
from reproduction import api
from reproduction.cli import main
from reproduction.errors import UserError
from reproduction.training.export import save_keras
from tests.conftest import ROOT, SKIP_GRAPH_REWRITES, TINY_SCHEDULE, TINY_SHAPE, tiny_config


def write_tokens(path, rows) -> str:
    path.write_text("".join(" ".join(map(str, r)) + "\n" for r in rows))
    return str(path)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """`python -c code` in the project root (so `oracle` and `reproduction` import from the source tree), without
    graph rewrites, as this process runs (its numbers are compared with this process's)."""
    return subprocess.run([sys.executable, "-c", SKIP_GRAPH_REWRITES + code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env})


@pytest.fixture(scope="module")
def seqgan_run(tmp_path_factory):
    """A finished tiny SeqGAN run (random oracle, seed 1), its oracle data cached in the test's folder."""
    from reproduction.training import driver

    base = tmp_path_factory.mktemp("api")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEQGAN_DATA_DIR", str(base / "data"))
        driver.train(tiny_config(seed=1), base / "run", show_progress=False)
    return base / "run"


def checkpointed_generator(run):
    from reproduction.models.generator import LSTMPolicy
    from reproduction.training.checkpoint import load_model

    generator = LSTMPolicy(TINY_SHAPE)
    load_model(run / "checkpoint.npz", "generator", generator)
    return generator


def test_nll_oracle_equals_the_evaluate_command(tmp_path, capsys):
    oracle = api.load_oracle("random")
    seqs = oracle.sample(30, np.array([5, 6], np.int32))
    path = write_tokens(tmp_path / "s.txt", seqs)
    assert main(["evaluate", "--oracle", "random", "--samples", path, "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["nll_oracle"]
    assert api.nll_oracle(oracle, path) == cli
    assert api.nll_oracle(oracle, seqs) == cli
    assert api.nll_oracle(oracle, seqs.astype(np.int64).tolist()) == cli


@pytest.mark.parametrize("rule", ["legacy", "method1"])
def test_bleu_and_self_bleu_equal_the_bleu_command(tmp_path, capsys, rule):
    rng = np.random.default_rng(3)
    refs = [rng.integers(0, 12, rng.integers(6, 14)).tolist() for _ in range(40)]
    hyps = [rng.integers(0, 12, rng.integers(2, 14)).tolist() for _ in range(25)]  # some with no 4-gram match
    ref_file, hyp_file = write_tokens(tmp_path / "r.txt", refs), write_tokens(tmp_path / "h.txt", hyps)

    def cli(*args: str) -> float:
        assert main(["bleu", "--hypotheses", hyp_file, "--n", "4", "--rule", rule, "--json", *args]) == 0
        return next(v for k, v in json.loads(capsys.readouterr().out).items() if "bleu" in k)

    assert api.bleu(ref_file, hyp_file, 4, rule=rule) == cli("--references", ref_file)
    assert api.bleu(refs, hyps, 4, rule=rule) == cli("--references", ref_file)
    assert api.self_bleu(hyp_file, 4, rule=rule) == api.self_bleu(hyps, 4, rule=rule) == cli("--self")
    assert api.bleu(refs, hyps, 4, rule="legacy") > api.bleu(refs, hyps, 4, rule="method1")  # the rule reaches it


def test_generator_samples_equal_the_sample_command(seqgan_run, tmp_path):
    assert main(["sample", "--run", str(seqgan_run), "--n", "9", "--seed", "4", "--temperature", "0.8",
                 "--out", str(tmp_path / "s.txt")]) == 0
    cli = np.loadtxt(tmp_path / "s.txt", dtype=np.int32)
    generator = api.load_generator(seqgan_run)
    assert np.array_equal(generator.sample(9, temperature=0.8, seed=4), cli)
    assert np.array_equal(api.load_generator(seqgan_run / "generator.keras").sample(9, 0.8, 4), cli)
    from_checkpoint = tmp_path / "old-run"  # a run from before the export: read from its checkpoint
    shutil.copytree(seqgan_run, from_checkpoint, ignore=shutil.ignore_patterns("*.keras"))
    assert np.array_equal(api.load_generator(from_checkpoint).sample(9, 0.8, 4), cli)


@pytest.mark.parametrize("temperature", [1.0, 0.8])
def test_nll_test_equals_evaluate_run(seqgan_run, capsys, temperature):
    assert main(["evaluate", "--run", str(seqgan_run), "--temperature", str(temperature), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["nll_test"]
    oracle = api.load_oracle("random", shape=TINY_SHAPE)
    heldout = api.heldout_data(oracle, n=TINY_SCHEDULE.num_train, seed=1)
    assert api.nll_test(api.load_generator(seqgan_run), heldout, temperature=temperature) == pytest.approx(
        cli, abs=1e-12)
    if temperature == 1.0:  # and the run's own last evaluation
        last = json.loads((seqgan_run / "run.json").read_text())["summary"]["nll_test_final"]
        assert api.nll_test(api.load_generator(seqgan_run), heldout) == pytest.approx(last, abs=1e-6)


# ---- Keras files ------------------------------------------------------------------------------------------------
def test_keras_files_load_without_our_training_code_and_match_the_checkpoint(seqgan_run):
    tokens = np.random.default_rng(0).integers(0, TINY_SHAPE.vocab_size, (6, TINY_SHAPE.seq_len))
    code = f"""
import json, sys
import keras, numpy as np
import oracle.network
g = keras.saving.load_model({str(seqgan_run / "generator.keras")!r})
seed = np.array([7, 11], np.int32)
out = {{"class": f"{{type(g).__module__}}.{{type(g).__name__}}",
       "many": oracle.network.sample_many(g, 40, seed).tolist(),
       "compiled": g.sample_compiled(np.int32(5), seed).numpy().tolist(),
       "hot": oracle.network.sample_many(g, 40, seed, temperature=0.7).tolist(),
       "reproduction": sorted(m for m in sys.modules if m.split(".")[0] == "reproduction")}}
import reproduction.models.discriminator  # registers seqgan>Discriminator
d = keras.saving.load_model({str(seqgan_run / "discriminator.keras")!r})
out["d"] = d.prob_real(np.array({tokens.tolist()}, np.int32)).numpy().tolist()
out["training"] = sorted(m for m in sys.modules if m.startswith("reproduction.training"))
print(json.dumps(out))
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["class"] == "oracle.network.LSTMNetwork"
    assert out["reproduction"] == [] and out["training"] == []
    generator, seed = checkpointed_generator(seqgan_run), np.array([7, 11], np.int32)
    assert np.array_equal(out["many"], sample_many(generator, 40, seed))
    assert np.array_equal(out["compiled"], generator.sample_compiled(np.int32(5), seed).numpy())
    assert np.array_equal(out["hot"], sample_many(generator, 40, seed, temperature=0.7))

    from reproduction.models.discriminator import Discriminator
    from reproduction.training.checkpoint import load_model

    cfg = tiny_config(seed=1)
    discriminator = Discriminator(cfg.discriminator, TINY_SHAPE.vocab_size, TINY_SHAPE.seq_len, cfg.seed)
    load_model(seqgan_run / "checkpoint.npz", "discriminator", discriminator)
    assert np.allclose(out["d"], discriminator.prob_real(tokens.astype(np.int32)).numpy(), atol=1e-6)


def test_export_run_writes_the_keras_files_of_an_older_run(seqgan_run, tmp_path):
    import keras

    old = tmp_path / "old-run"
    shutil.copytree(seqgan_run, old, ignore=shutil.ignore_patterns("*.keras"))
    assert sorted(p.name for p in api.export_run(old)) == ["discriminator.keras", "generator.keras"]
    for name in ("generator.keras", "discriminator.keras"):
        fresh, finished = keras.saving.load_model(old / name), keras.saving.load_model(seqgan_run / name)
        assert type(fresh) is type(finished)
        assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), finished.get_weights(), strict=True))
    assert not list(old.glob(".*.keras"))  # no temporary files left


# ---- bad inputs -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("samples,message", [
    ([[1] * 7], "7 tokens, expected 8"),
    ([[1] * 8, [1] * 7 + [40]], "token id 40 (sequence 1, position 7) outside the vocabulary [0, 40)"),
    ([[-1] * 8], "token id -1 (sequence 0, position 0) outside the vocabulary"),
    (np.ones((2, 8)), "token ids must be integers, got dtype float64"),
    ([1] * 8, "expected a 2-D array"),
    ([[1] * 8, [1] * 7], "not a rectangular array"),
    (np.zeros((0, 8), np.int32), "no sequences"),
])
def test_bad_samples_are_clear_user_errors(samples, message):
    oracle = api.load_oracle("random", shape=TINY_SHAPE)
    with pytest.raises(UserError) as e:
        api.nll_oracle(oracle, samples)
    assert message in str(e.value)


def test_other_bad_inputs_are_clear_user_errors(tmp_path, seqgan_run):
    oracle = api.load_oracle("random", shape=TINY_SHAPE)
    bad_file = write_tokens(tmp_path / "bad.txt", [[1] * 8, [1] * 9])
    cases = [
        (lambda: api.nll_oracle(oracle, bad_file), ":2: 9 tokens, expected 8"),
        (lambda: api.nll_oracle("random", [[1] * 8]), "expected an oracle from api.load_oracle"),
        (lambda: api.load_oracle("no-such-oracle"), "not 'random', 'original', or an existing parameter file"),
        (lambda: api.load_generator(tmp_path), "not a trained run"),
        (lambda: api.load_generator(tmp_path / "g.keras"), "no such run directory or .keras file"),
        (lambda: api.load_generator(seqgan_run / "discriminator.keras"), "not a generator"),
        (lambda: api.load_generator(seqgan_run).sample(0), "n must be a positive integer"),
        (lambda: api.load_generator(seqgan_run).sample(3, temperature=0), "temperature must be"),
        (lambda: api.nll_test(oracle, [[1] * 8]), "expected a generator"),
        (lambda: api.bleu([[1, 2]], [[1, 2]], 0), "n must be a positive integer"),
        (lambda: api.self_bleu([[1, 2], [2, 1]], 2, rule="nltk"), "unknown BLEU rule 'nltk'"),
        (lambda: api.export_run(tmp_path), "no checkpoint.npz"),
    ]
    for call, message in cases:
        with pytest.raises(UserError) as e:
            call()
        assert message in str(e.value)


# ---- the example ------------------------------------------------------------------------------------------------
def run_example(*args: str, cwd) -> list[str]:
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "score_my_model.py"), *args], cwd=cwd,
                            capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


@pytest.mark.slow
def test_the_example_prints_table1_and_scores_samples_and_a_generator_file(tmp_path):
    """On the random oracle (no download), beside our committed table1_random.csv: NLL-oracle of the samples and
    NLL-test of a paper-shaped generator saved as .keras, on the 10,000 held-out sequences of seed 0 (one run of
    the script: each run imports TensorFlow)."""
    shape = LSTMShape()
    oracle = api.load_oracle("random")
    samples = write_tokens(tmp_path / "mine.txt", oracle.sample(20, np.array([1, 2], np.int32)))
    network = LSTMNetwork(shape)
    network.set_params(random_params(shape, 0.1, np.random.default_rng(0)))
    save_keras(network, tmp_path / "g.keras")
    lines = run_example(samples, "--oracle", "random", "--model", str(tmp_path / "g.keras"), cwd=tmp_path)
    assert lines[0].split()[-4:] == ["paper", "best", "final", "NLL-test"]
    assert any(line.startswith("MLE ") for line in lines) and any(line.startswith("SeqGAN ") for line in lines)
    heldout = api.heldout_data(oracle)  # cached by the example's run: the same data
    assert lines[-1].split() == ["yours:", "mine.txt", f"{api.nll_oracle(oracle, samples):.3f}",
                                 f"{api.nll_test(network, heldout):.3f}"]
