"""`adam-epsilon`: the next update of a checkpointed Adam under another epsilon, read from the run's moments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import TINY_SHAPE

from reproduction.cli import main
from reproduction.diagnostics.adam_epsilon import epsilon_effects
from reproduction.models.generator import LSTMPolicy
from reproduction.training import checkpoint
from reproduction.training.optimizers import NamedAdam


def _run_with_moments(tmp_path: Path, method_runs, moments: list[tuple[np.ndarray, np.ndarray]] | None = None
                      ) -> tuple[Path, keras.optimizers.Adam]:
    """A copy of the tiny SeqGAN run whose checkpoint holds the project's Keras Adam of the generator after two steps
    on random gradients, or, given `moments`, with those (m, v) per variable set in it."""
    run = tmp_path / "run"
    shutil.copytree(method_runs["seqgan"][0], run)
    model = LSTMPolicy(TINY_SHAPE)
    optimizer = NamedAdam(0.01, name="pg_adam")
    optimizer.build(model.trainable_variables)
    rng = np.random.default_rng(0)
    for _ in range(2):
        grads = [rng.normal(size=v.shape).astype(np.float32) * 1e-4 for v in model.trainable_variables]
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    for i, (m, v) in enumerate(moments or []):
        optimizer._momentums[i].assign(m)
        optimizer._velocities[i].assign(v)
    checkpoint.save(run / "checkpoint.npz", {"generator": model, "pg_adam": optimizer},
                    {"phase": "adversarial", "step": 2})
    return run, optimizer


def test_it_reads_each_variables_second_moment_where_keras_keeps_it(tmp_path, method_runs):
    run, optimizer = _run_with_moments(tmp_path, method_runs)
    effect, = epsilon_effects(run, 1e-8, ["pg_adam"])
    assert effect.step == 2 and effect.progress == "adversarial, 2 steps done"
    assert [v.name for v in effect.variables] == [v.path for v in LSTMPolicy(TINY_SHAPE).trainable_variables]
    for row, velocity in zip(effect.variables, optimizer._velocities, strict=True):
        expected = np.percentile(np.sqrt(np.asarray(velocity, np.float64)), [10, 50, 90])
        np.testing.assert_allclose(row.sqrt_v, expected, rtol=1e-6)


def test_the_ratio_is_the_norm_of_the_update_under_each_epsilon(tmp_path, method_runs):
    shapes = [tuple(v.shape) for v in LSTMPolicy(TINY_SHAPE).trainable_variables]
    # The embedding's sqrt(v) = 2e-8 everywhere; every other variable's sqrt(v) = 1.
    moments = [(np.ones(s, np.float32), np.full(s, 4e-16 if i == 0 else 1.0, np.float32))
               for i, s in enumerate(shapes)]
    run, _ = _run_with_moments(tmp_path, method_runs, moments)
    effect, = epsilon_effects(run, 1e-8, ["pg_adam"])
    assert effect.current == 1e-7
    embedding, *others = effect.variables
    assert embedding.norm_ratio == pytest.approx((2e-8 + 1e-7) / (2e-8 + 1e-8), rel=1e-5)  # 4
    assert (embedding.below_current, embedding.below_other) == (1.0, 0.0)
    for row in others:
        assert row.norm_ratio == pytest.approx(1.0, abs=1e-6) and row.below_current == 0.0
    sizes = np.array([np.prod(s) for s in shapes], np.float64)
    new = sizes[0] / 3e-8 ** 2 + sizes[1:].sum() / (1 + 1e-8) ** 2
    old = sizes[0] / 1.2e-7 ** 2 + sizes[1:].sum() / (1 + 1e-7) ** 2
    assert effect.norm_ratio == pytest.approx(np.sqrt(new / old), rel=1e-5)


def test_the_runs_own_epsilon_changes_nothing_and_a_larger_one_shrinks_the_update(method_runs):
    run = method_runs["seqgan"][0]
    same = epsilon_effects(run, 1e-7)
    assert [e.optimizer for e in same] == ["mle_adam", "pg_adam", "d_adam"]
    assert all(v.norm_ratio == 1.0 for e in same for v in e.variables)
    assert all(e.norm_ratio < 1.0 for e in epsilon_effects(run, 1e-2))


def test_the_command_writes_the_tables_and_names_what_a_checkpoint_lacks(tmp_path, capsys, method_runs):
    out = tmp_path / "eps.md"
    assert main(["adam-epsilon", "--run", str(method_runs["seqgan"][0]), "--optimizer", "pg_adam",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "pg_adam" in printed and "| generator/embedding |" in printed and out.read_text().strip() == printed.strip()
    run = method_runs["seqgan"][0]
    assert f"--run <runs>/{run.parent.name}/{run.name} --epsilon" in printed and str(run) not in printed
    assert main(["adam-epsilon", "--run", str(method_runs["seqgan"][0]), "--json"]) == 0
    assert [e["optimizer"] for e in json.loads(capsys.readouterr().out)] == ["mle_adam", "pg_adam", "d_adam"]
    assert main(["adam-epsilon", "--run", str(method_runs["mle"][0]), "--optimizer", "d_adam"]) == 2
    assert "holds no d_adam; this mle run has mle_adam" in capsys.readouterr().err
    assert main(["adam-epsilon", "--run", str(method_runs["seqgan"][0]), "--epsilon", "-1"]) == 2
    assert "--epsilon must be positive" in capsys.readouterr().err
    assert main(["adam-epsilon", "--run", str(tmp_path / "none")]) == 2
    assert "no run.json" in capsys.readouterr().err
