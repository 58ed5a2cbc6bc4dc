"""Checkpoints: every variable of the models and optimizers plus the run's progress, in one .npz.

Written atomically (temporary file, then rename), so a kill leaves the previous checkpoint intact. The
format cannot carry code (`np.load(..., allow_pickle=False)`). Restoring checks every variable's shape and
refuses a checkpoint that belongs to another configuration.

Keys. Each variable is stored under OBJECT/PATH. OBJECT is the name the driver gives the model or optimizer
(generator, mle_adam, pg_adam, rollout, discriminator, d_adam: training/components.py). PATH is the variable's
path in that object: Keras's `variable.path` without the object's own name in front (`generator/embedding`,
`discriminator/highway_gate/kernel`, `d_adam/iteration`), and for the slots of the project's Adam
(training/optimizers.py: `NamedAdam`) a name derived from the variable they belong to
(`d_adam/momentum/discriminator/highway_gate/kernel`). Every layer whose variables are checkpointed is named in
the code, so paths do not depend on what else a process has built (tests/test_checkpoint_keys.py checks it). A
variable is restored only from the entry of its own path: a refactor that reorders variables (D's highway gate
and transform kernels are both 1720 x 1720) still restores each into its own, and one that renames them is
refused with a message naming the entries that do not match, never loaded by position. Three more entries:
`__state__` (the run's progress, JSON as bytes), `__format__` (2) and `__sha256__` (the checksum, below).

Old checkpoints. Checkpoints written before this format (every run and shared-pretraining snapshot trained
before it; no `__format__` entry) key variables by position: OBJECT/0000, OBJECT/0001, ..., in the order of
`OBJECT.variables`. They are read by this mapping: position i of object OBJECT is the i-th variable of OBJECT in
the current code's order (the order the old code wrote them in; tests/test_checkpoint_keys.py pins it against a
checkpoint the old code wrote), each checked by shape. The mapping is used only when the checkpoint has no path
keys at all (no `__format__` entry, every key OBJECT/NNNN); anything else is refused. Shapes cannot tell two
same-shaped variables apart, so a change of the variables' order must come with a new way to read old
checkpoints (or refuse them); the pinning test fails first. A run resumed from an old checkpoint writes its next
checkpoint in this format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.errors import UserError
from reproduction.io_utils import load_npz, save_npz

STATE_KEY = "__state__"
FORMAT_KEY = "__format__"
CHECKSUM_KEY = "__sha256__"
RESERVED = (STATE_KEY, FORMAT_KEY, CHECKSUM_KEY)
FORMAT = 2  # 2: keys by path, with a checksum; 1 (no __format__ entry): keys by position
_POSITIONAL = re.compile(r"^(?P<object>[^/]+)/(?P<index>\d{4})$")


def variable_keys(name: str, obj: Any) -> list[tuple[str, Any]]:
    """(key, variable) for every variable of `obj` (checkpointed as `name`), in the order of `obj.variables`."""
    slots = obj.slot_names() if hasattr(obj, "slot_names") else {}
    own = f"{obj.name}/"
    keyed = []
    for variable in obj.variables:
        path = slots.get(id(variable)) or variable.path
        keyed.append((f"{name}/{path.removeprefix(own)}", variable))
    return keyed


def keyed_variables(objects: dict[str, Any]) -> dict[str, Any]:
    """Every variable of `objects` by its key; two variables with one key are a bug (ValueError), found when the
    run is built, before it trains."""
    keyed: dict[str, Any] = {}
    for name, obj in objects.items():
        for key, variable in variable_keys(name, obj):
            if key in keyed or key in RESERVED:
                raise ValueError(f"two checkpointed variables share the key {key!r}; name their layers")
            keyed[key] = variable
    return keyed


def save(path: Path, objects: dict[str, Any], state: dict[str, Any]) -> None:
    arrays = {key: np.asarray(v) for key, v in keyed_variables(objects).items()}
    arrays[STATE_KEY] = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8)
    arrays[FORMAT_KEY] = np.asarray(FORMAT, dtype=np.int64)
    save_npz(path, arrays)


def _hint(path: Path) -> str:
    return f"delete {path.parent} (or choose another --out) to start afresh"


def _state(path: Path, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    try:
        state = json.loads(arrays[STATE_KEY].tobytes().decode())
    except (KeyError, ValueError, AttributeError) as e:
        raise UserError(f"{path}: not a checkpoint of this project (no readable progress entry); "
                        f"{_hint(path)}") from e
    if not isinstance(state, dict):
        raise UserError(f"{path}: not a checkpoint of this project (its progress entry is not an object); "
                        f"{_hint(path)}")
    return state


def entries(path: Path, arrays: dict[str, np.ndarray], objects: dict[str, Any],
            hint: str | None = None) -> dict[str, np.ndarray]:
    """The array for every variable of `objects` (by key), from a checkpoint's loaded `arrays`: by path, or, in an
    old checkpoint, by the documented positional mapping (module docstring). Shapes checked; UserError (ending
    with `hint`, by default how to start afresh) if the checkpoint does not hold exactly these variables."""
    hint = hint or _hint(path)
    variables = keyed_variables(objects)
    stored = {k: a for k, a in arrays.items() if k not in RESERVED}
    if FORMAT_KEY not in arrays:
        stored = _by_position(path, stored, objects, hint)
    elif int(np.asarray(arrays[FORMAT_KEY])) != FORMAT:
        raise UserError(f"{path}: checkpoint format {arrays[FORMAT_KEY]}, this code reads {FORMAT} and the old "
                        f"positional one; use the code that wrote it, or {hint}")
    missing = [k for k in variables if k not in stored]
    unexpected = [k for k in stored if k not in variables]
    if missing or unexpected:
        def some(keys: list[str]) -> str:
            return ", ".join(keys[:4]) + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")

        parts = ([f"this configuration's {some(missing)} not in it"] if missing else []) + \
                ([f"its {some(unexpected)} not in this configuration"] if unexpected else [])
        raise UserError(f"{path}: its variables do not match this configuration ({'; '.join(parts)}); {hint}")
    for key, var in variables.items():
        if tuple(stored[key].shape) != tuple(var.shape):
            raise UserError(f"{path}: variable {key} has shape {stored[key].shape}, expected {tuple(var.shape)}; "
                            f"{hint}")
    return {key: stored[key] for key in variables}


def _by_position(path: Path, stored: dict[str, np.ndarray], objects: dict[str, Any],
                 hint: str) -> dict[str, np.ndarray]:
    """An old checkpoint's entries under today's keys: position i of OBJECT -> the i-th variable of OBJECT."""
    if not all(_POSITIONAL.match(k) for k in stored):
        raise UserError(f"{path}: neither a positional checkpoint nor one of format {FORMAT} (it mixes both kinds "
                        f"of key); {hint}")
    mapped: dict[str, np.ndarray] = {}
    for name, obj in objects.items():
        keys = variable_keys(name, obj)
        held = sorted(int(m["index"]) for k in stored if (m := _POSITIONAL.match(k)) and m["object"] == name)
        if held != list(range(len(keys))):
            raise UserError(f"{path}: an old (positional) checkpoint with {len(held)} variables of {name}, this "
                            f"configuration has {len(keys)}; {hint}")
        for i, (key, _) in enumerate(keys):
            mapped[key] = stored[f"{name}/{i:04d}"]
    others = {k: a for k, a in stored.items() if k.split("/")[0] not in objects}  # (then refused as not expected)
    return {**mapped, **others}


def restore(path: Path, objects: dict[str, Any]) -> dict[str, Any] | None:
    """Load `path` into `objects` and return the saved state; None if there is no checkpoint."""
    if not path.exists():
        return None
    arrays = load_npz(path)
    state = _state(path, arrays)
    found = entries(path, arrays, objects)
    for key, var in keyed_variables(objects).items():
        var.assign(found[key])
    return state


def load_model(path: Path, name: str, model: Any) -> None:
    """Load only the variables of `name` (e.g. the generator) from a checkpoint into `model`."""
    if not path.exists():
        raise UserError(f"{path}: no checkpoint; train the run first (python -m reproduction train ...)")
    arrays = load_npz(path)
    held = {k: a for k, a in arrays.items() if k in RESERVED or k.split("/")[0] == name}
    found = entries(path, held, {name: model}, f"it has no {name} of this configuration; pass a run of it")
    for key, var in keyed_variables({name: model}).items():
        var.assign(found[key])


def progress(arrays: dict[str, np.ndarray]) -> str:
    """Where the run was when a checkpoint (its loaded `arrays`) was written: "adversarial, 111 steps done", or
    "the end" for a finished run's (phase driver.DONE)."""
    state = json.loads(arrays[STATE_KEY].tobytes().decode())
    return "the end" if state["phase"] == "done" else f"{state['phase']}, {state['step']} steps done"
