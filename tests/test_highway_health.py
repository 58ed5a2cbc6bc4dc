"""`highway-health`: the shares of the discriminator's highway units that are dead, open, closed or silent."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import TINY_DISC, TINY_SHAPE

from reproduction.cli import main
from reproduction.diagnostics.highway_health import highway_health, unit_health
from reproduction.models.discriminator import Discriminator

TOKENS = np.random.default_rng(0).integers(0, TINY_SHAPE.vocab_size, size=(50, TINY_SHAPE.seq_len))


def _discriminator(gate_bias: float) -> Discriminator:
    """A tiny discriminator whose transform is off on every input (its inputs, max-pooled ReLUs, are never
    negative) and whose gate is pinned by `gate_bias`."""
    d = Discriminator(TINY_DISC, TINY_SHAPE.vocab_size, TINY_SHAPE.seq_len, seed=0)
    d.highway_transform.kernel.assign(-np.ones(d.highway_transform.kernel.shape, np.float32))
    d.highway_gate.kernel.assign(np.zeros(d.highway_gate.kernel.shape, np.float32))
    d.highway_gate.bias.assign(np.full(d.highway_gate.bias.shape, gate_bias, np.float32))
    return d


def test_an_open_gate_on_a_dead_transform_silences_every_unit():
    h = unit_health(_discriminator(gate_bias=20.0), TOKENS)
    assert (h.units, h.dead, h.open, h.closed, h.silent) == (sum(TINY_DISC.num_filters), 1.0, 1.0, 0.0, 1.0)


def test_reading_in_chunks_gives_the_shares_of_reading_at_once():
    d = Discriminator(TINY_DISC, TINY_SHAPE.vocab_size, TINY_SHAPE.seq_len, seed=0)
    pre = d.pool(d.embedding(TOKENS)).numpy() @ d.highway_transform.kernel.numpy()  # before the bias
    bias = -np.quantile(pre, 0.95, axis=0)  # each unit on for the top 5% of the sequences only...
    bias[::2] = -pre.max(axis=0)[::2] - 1.0  # ...and every other unit off on all of them
    d.highway_transform.bias.assign(bias.astype(np.float32))
    whole = unit_health(d, TOKENS)
    assert whole.dead == 0.5
    assert unit_health(d, TOKENS, chunk=7) == whole  # (a unit on in one chunk only is not dead)


def test_a_closed_gate_passes_the_pooled_features_through():
    d = _discriminator(gate_bias=-20.0)
    h = unit_health(d, TOKENS)
    pooled = d.pool(d.embedding(TOKENS)).numpy()
    assert (h.dead, h.open, h.closed) == (1.0, 0.0, 1.0)
    assert h.silent == pytest.approx(np.mean((pooled < 1e-3).all(0))) and h.silent < 1.0


def test_a_run_is_read_as_initialised_after_pretraining_and_at_its_checkpoint(shared_run, monkeypatch):
    """Each stage is read from its own discriminator, on the run's first training sequences: as the run's seed
    initialised it, the sweep's shared snapshot of its pretraining (RUNS/shared/), the run's latest checkpoint."""
    from reproduction.diagnostics import highway_health as module
    from reproduction.training import checkpoint, shared_pretraining
    from reproduction.training.components import load_data

    read, measure = [], module.unit_health  # the discriminator and sequences each stage was measured on
    monkeypatch.setattr(module, "unit_health", lambda d, tokens, stage="", chunk=1000: read.append(
        ([v.numpy() for v in d.variables], tokens)) or measure(d, tokens, stage, chunk))
    run, cfg = shared_run
    stages = highway_health(run, sequences=40)
    assert [s.stage for s in stages] == ["initialised", "after pretraining",
                                         "latest checkpoint (the end)"]
    tokens = load_data(cfg, None)[0][:40]
    files = (None, shared_pretraining.path(run.parent / "shared", cfg, "d_pretrain"), run / "checkpoint.npz")
    for stage, path, (weights, measured_on) in zip(stages, files, read, strict=True):
        d = Discriminator(cfg.discriminator, cfg.shape.vocab_size, cfg.shape.seq_len, cfg.seed)
        if path is not None:
            checkpoint.load_model(path, "discriminator", d)
        assert all(np.array_equal(a, v.numpy()) for a, v in zip(weights, d.variables, strict=True)), stage.stage
        np.testing.assert_array_equal(measured_on, tokens)
        assert stage == measure(d, tokens, stage.stage)
    flat = [np.concatenate([w.ravel() for w in weights]) for weights, _ in read]
    assert not np.array_equal(flat[0], flat[1]) and not np.array_equal(flat[1], flat[2])  # (three different ones)


def test_the_command_refuses_a_run_without_a_discriminator(tmp_path, capsys, method_runs):
    out = tmp_path / "h.md"
    assert main(["highway-health", "--run", str(method_runs["seqgan"][0]), "--sequences", "20", "--out",
                 str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| initialised |" in printed and out.read_text().strip() == printed.strip()
    assert main(["highway-health", "--run", str(method_runs["seqgan"][0]), "--sequences", "20", "--json"]) == 0
    assert [s["stage"].split(" (")[0] for s in json.loads(capsys.readouterr().out)] == ["initialised",
                                                                                      "latest checkpoint"]
    assert main(["highway-health", "--run", str(method_runs["mle"][0])]) == 2
    assert "is a run of method mle: only seqgan runs have a discriminator" in capsys.readouterr().err
    assert main(["highway-health", "--run", str(method_runs["seqgan"][0]), "--sequences", "0"]) == 2
    assert "--sequences must be between 4 and 128 (the run's training data)" in capsys.readouterr().err
