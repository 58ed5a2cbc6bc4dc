"""Checkpoints: every variable of the models and optimizers plus the run's progress, in one .npz.

Written atomically (temporary file, then rename), so a kill leaves the previous checkpoint intact. The
format cannot carry code (`np.load(..., allow_pickle=False)`). Restoring checks every variable's shape and
refuses a checkpoint that belongs to another configuration.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.errors import UserError
from reproduction.io_utils import load_npz, save_npz

STATE_KEY = "__state__"


def _variables(objects: dict[str, Any]) -> dict[str, Any]:
    return {f"{name}/{i:04d}": v for name, obj in objects.items() for i, v in enumerate(obj.variables)}


def save(path: Path, objects: dict[str, Any], state: dict[str, Any]) -> None:
    arrays = {key: np.asarray(v) for key, v in _variables(objects).items()}
    arrays[STATE_KEY] = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8)
    save_npz(path, arrays)


def restore(path: Path, objects: dict[str, Any]) -> dict[str, Any] | None:
    """Load `path` into `objects` and return the saved state; None if there is no checkpoint."""
    if not path.exists():
        return None
    arrays = load_npz(path)
    hint = f"delete {path.parent} (or choose another --out) to start afresh"
    if STATE_KEY not in arrays:
        raise UserError(f"{path}: not a checkpoint of this project; {hint}")
    variables = _variables(objects)
    if set(variables) != set(arrays) - {STATE_KEY}:
        raise UserError(f"{path}: its variables do not match this configuration; {hint}")
    for key, var in variables.items():
        if tuple(arrays[key].shape) != tuple(var.shape):
            raise UserError(f"{path}: variable {key} has shape {arrays[key].shape}, expected {tuple(var.shape)}; "
                            f"{hint}")
    for key, var in variables.items():
        var.assign(arrays[key])
    return json.loads(arrays[STATE_KEY].tobytes().decode())


def load_model(path: Path, name: str, model: Any) -> None:
    """Load only the variables of `name` (e.g. the generator) from a checkpoint into `model`."""
    if not path.exists():
        raise UserError(f"{path}: no checkpoint; train the run first (python -m reproduction train ...)")
    arrays = load_npz(path)
    variables = _variables({name: model})
    if any(key not in arrays or arrays[key].shape != tuple(v.shape) for key, v in variables.items()):
        raise UserError(f"{path}: has no {name} matching this configuration")
    for key, var in variables.items():
        var.assign(arrays[key])


def progress(arrays: dict[str, np.ndarray]) -> str:
    """Where the run was when a checkpoint (its loaded `arrays`) was written: "adversarial, 111 steps done", or
    "the end" for a finished run's (phase driver.DONE)."""
    state = json.loads(arrays[STATE_KEY].tobytes().decode())
    return "the end" if state["phase"] == "done" else f"{state['phase']}, {state['step']} steps done"
