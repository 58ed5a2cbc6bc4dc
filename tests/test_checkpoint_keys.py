"""Checkpoint keys (training/checkpoint.py): every variable is stored under its path in its model, restored only from
the entry of its own path, and old positional checkpoints load by the documented mapping."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest

from reproduction.cli import main
from reproduction.errors import UserError
from reproduction.io_utils import load_npz
from reproduction.training import checkpoint, driver
from reproduction.training.components import build
from tests.conftest import tiny_config

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY = FIXTURES / "legacy_checkpoint_tiny_seqgan.npz"  # written by the old code (fixtures/make_legacy_checkpoint.py)
LEGACY_CONFIG = {"seed": 0, "rollout_update_rate": 0.8}


def rows(run_dir: Path) -> list[dict[str, str]]:
    with open(run_dir / "metrics.csv", newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in csv.DictReader(f)]


class Highway(keras.Model):
    """Two same-shaped variables, as D's highway gate and transform kernels (both 1720 x 1720 at the paper's
    shapes), created in either order and under either pair of layer names."""

    def __init__(self, gate_first: bool = True, names: tuple[str, str] = ("highway_gate", "highway_transform")):
        super().__init__(name="discriminator")
        for which in (("gate", "transform") if gate_first else ("transform", "gate")):
            # (Keras orders a model's variables by the assignment of its layers)
            setattr(self, which, keras.layers.Dense(3, name=names[0] if which == "gate" else names[1]))
        self(np.zeros((1, 3), np.float32))  # built inside the model, as the Discriminator is

    def call(self, x):
        return self.gate(x) + self.transform(x)


def _set(model: Highway, gate: float, transform: float) -> None:
    model.gate.kernel.assign(np.full((3, 3), gate, np.float32))
    model.transform.kernel.assign(np.full((3, 3), transform, np.float32))


def test_every_variable_is_stored_under_its_path_in_its_model(tmp_path):
    parts = build(tiny_config(**LEGACY_CONFIG))
    checkpoint.save(tmp_path / "c.npz", parts.checkpoint_objects(), {"phase": "mle", "step": 0})
    keys = set(load_npz(tmp_path / "c.npz"))
    assert {"generator/embedding", "generator/out_bias", "rollout/embedding", "mle_adam/iteration",
            "pg_adam/momentum/generator/embedding", "pg_adam/velocity/generator/out_bias",
            "discriminator/embedding/embeddings", "discriminator/highway_gate/kernel",
            "discriminator/highway_transform/kernel", "d_adam/momentum/discriminator/highway_gate/kernel",
            "d_adam/velocity/discriminator/highway_transform/kernel", "__state__", "__format__"} <= keys
    assert not any(k.split("/")[-1].isdigit() for k in keys)  # no position in any key


def test_keys_do_not_depend_on_what_else_the_process_built():
    """Keras numbers unnamed layers per process (embedding, embedding_1, ...): every checkpointed layer is named, so
    the second build of each method's objects has the first's keys."""
    for overrides in (LEGACY_CONFIG, {"method": "pgbleu"}, {"method": "mle"}):
        first, second = (list(checkpoint.keyed_variables(build(tiny_config(**overrides)).checkpoint_objects()))
                         for _ in range(2))
        assert first == second, overrides


def test_variables_swapped_in_order_between_save_and_restore_each_get_their_own_values(tmp_path):
    """The refactor of issue 40: the gate and the transform kernel swap places in the model. By position the gate
    would receive the transform's values; by path each receives its own."""
    saved = Highway(gate_first=True)
    _set(saved, gate=1.0, transform=2.0)
    checkpoint.save(tmp_path / "c.npz", {"discriminator": saved}, {"phase": "x", "step": 0})
    swapped = Highway(gate_first=False)
    assert swapped.variables[0].path == "discriminator/highway_transform/kernel"  # the order did change
    checkpoint.restore(tmp_path / "c.npz", {"discriminator": swapped})
    assert np.all(swapped.gate.kernel.numpy() == 1.0) and np.all(swapped.transform.kernel.numpy() == 2.0)


def test_same_shaped_variables_under_other_paths_are_refused_naming_them(tmp_path):
    saved = Highway()
    checkpoint.save(tmp_path / "c.npz", {"discriminator": saved}, {"phase": "x", "step": 0})
    renamed = Highway(names=("gate", "transform"))
    before = [v.numpy().copy() for v in renamed.variables]
    with pytest.raises(UserError, match=r"do not match this configuration \(this configuration's "
                                        r"discriminator/gate/kernel.* not in it; its discriminator/highway_gate"):
        checkpoint.restore(tmp_path / "c.npz", {"discriminator": renamed})
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(before, renamed.variables, strict=True))  # untouched


def test_a_checkpoint_with_two_same_shaped_entries_swapped_is_refused_with_exit_2(method_runs, tmp_path, capsys):
    """Swapped inside the file (D's highway gate and transform kernels): the checksum no longer matches, so the
    command line refuses it with one line and status 2 instead of loading it."""
    run = tmp_path / "run"
    shutil.copytree(method_runs["seqgan"][0], run)
    arrays = load_npz(run / "checkpoint.npz")
    gate, transform = "discriminator/highway_gate/kernel", "discriminator/highway_transform/kernel"
    assert arrays[gate].shape == arrays[transform].shape and not np.array_equal(arrays[gate], arrays[transform])
    arrays[gate], arrays[transform] = arrays[transform], arrays[gate]
    np.savez(run / "checkpoint.npz", **arrays)
    assert main(["highway-health", "--run", str(run), "--sequences", "8"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checkpoint.npz" in err and "checksum" in err


def test_an_old_positional_checkpoint_loads_each_position_into_the_variable_of_that_rank():
    """The documented mapping, on a checkpoint the old code wrote: position i of OBJECT -> the i-th variable of
    OBJECT in today's order; every variable gets exactly the old array, and the state is the old state."""
    objects = build(tiny_config(**LEGACY_CONFIG)).checkpoint_objects()
    old = load_npz(LEGACY)
    assert "__format__" not in old and all(k == "__state__" or k[-4:].isdigit() for k in old)
    state = checkpoint.restore(LEGACY, objects)
    assert state == json.loads(old["__state__"].tobytes()) and state["phase"] == "adversarial"
    loaded = 0
    for name, obj in objects.items():
        for i, variable in enumerate(obj.variables):
            assert variable.numpy().tobytes() == old[f"{name}/{i:04d}"].tobytes(), (name, i, variable.path)
            loaded += 1
    assert loaded == len(old) - 1


def test_the_order_the_positional_mapping_relies_on_is_the_old_codes():
    """The old code wrote OBJECT/i for the i-th of OBJECT.variables; fixtures/...paths.json lists the paths of those
    variables as the old code built them. If this fails, variables were reordered: old checkpoints would load by
    position into the wrong same-shaped variables, so give checkpoint.py another way to read them first."""
    old = json.loads(LEGACY.with_suffix(".paths.json").read_text())
    objects = build(tiny_config(**LEGACY_CONFIG)).checkpoint_objects()
    assert {name: [v.path for v in obj.variables] for name, obj in objects.items()} == old


def test_an_old_positional_checkpoint_of_other_shapes_is_refused(tmp_path):
    parts = build(tiny_config(**LEGACY_CONFIG, shape=tiny_config().shape.__class__(40, 8, 6, 8)))
    with pytest.raises(UserError, match=r"variable generator/kernel has shape \(8, 32\), expected \(8, 24\)"):
        checkpoint.restore(LEGACY, parts.checkpoint_objects())
    mle = build(tiny_config(method="mle")).checkpoint_objects()  # no discriminator, no rollout, no pg_adam
    with pytest.raises(UserError, match=r"do not match this configuration .*its .*not in this configuration"):
        checkpoint.restore(LEGACY, mle)


def test_a_checkpoint_mixing_positional_and_path_keys_is_refused(tmp_path):
    arrays = load_npz(LEGACY)
    arrays["generator/embedding"] = arrays.pop("generator/0000")
    np.savez(tmp_path / "mixed.npz", **arrays)
    with pytest.raises(UserError, match="mixes both kinds of key"):
        checkpoint.restore(tmp_path / "mixed.npz", build(tiny_config(**LEGACY_CONFIG)).checkpoint_objects())


def _old_save(path: Path, objects: dict, state: dict) -> None:
    """checkpoint.save as the old code (1a6f2a9) wrote it: keys NAME/NNNN by position in obj.variables."""
    from reproduction.io_utils import save_npz

    arrays = {f"{name}/{i:04d}": np.asarray(v) for name, obj in objects.items() for i, v in enumerate(obj.variables)}
    arrays["__state__"] = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8)
    save_npz(path, arrays)


def test_a_run_checkpointed_by_the_old_code_resumes_to_the_numbers_of_an_uninterrupted_run(method_runs, tmp_path,
                                                                                         monkeypatch):
    """A run started with the old code and resumed with this one (as the runs trained today will be)."""
    out = tmp_path / "run"
    original = driver.Trainer.adversarial_step

    def dies_at_second_batch(self, batch):
        if batch == 1:
            raise KeyboardInterrupt
        return original(self, batch)

    with monkeypatch.context() as patch:
        patch.setattr(driver.Trainer, "adversarial_step", dies_at_second_batch)
        patch.setattr(checkpoint, "save", _old_save)
        with pytest.raises(KeyboardInterrupt):
            driver.train(tiny_config(seed=0), out, show_progress=False)
    assert "__format__" not in load_npz(out / "checkpoint.npz")  # the old format
    driver.train(tiny_config(seed=0), out, show_progress=False)
    assert rows(out) == rows(method_runs["seqgan"][0])
    assert int(load_npz(out / "checkpoint.npz")["__format__"]) == checkpoint.FORMAT  # written anew
