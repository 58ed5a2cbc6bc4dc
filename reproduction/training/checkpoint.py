"""Checkpoints: every variable of the models and optimizers plus the run's progress, in one .npz.

The format cannot carry code (`np.load(..., allow_pickle=False)`). Restoring checks every variable's shape and
refuses a checkpoint that belongs to another configuration.

The last good checkpoint. A checkpoint carries the sha256 of its contents (`__sha256__`: of every other entry's
name, dtype, shape and bytes, in name order). `save` writes a temporary file beside the checkpoint, flushes it to
disk, reads it back and verifies it; only then does the current checkpoint become the previous one
(`checkpoint.previous.npz`, by a hard link renamed into place, so `checkpoint.npz` never goes missing) and the
new one take its place by a rename. So a kill, a full disk or a write that does not read back intact leaves the
last good checkpoint as it was. `restore` reads and verifies the checkpoint; if it is unreadable, fails its
checksum, or is missing while the previous one is there, the damaged file is set aside (renamed
`checkpoint.damaged.npz`, `checkpoint.damaged-2.npz`, ...; never deleted) and the run continues from the previous
checkpoint, with one line on stderr saying so and how much work is done again (at most one evaluation interval).
If the previous one is damaged too, or there is none, it stops with an error (exit 2) naming both files and
deletes nothing. A checkpoint that reads and verifies but belongs to another configuration is refused, never
replaced by the previous one. Checkpoints written before checksums existed are read without one (their zip CRCs
still catch most flipped bytes).

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

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.errors import UserError
from reproduction.io_utils import atomic_write, load_npz, one_line

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


class Damaged(UserError):
    """A checkpoint that cannot be read, or whose contents fail its checksum."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path} {reason}")
        self.path, self.reason = Path(path), reason


def previous_path(path: Path) -> Path:
    """Where the checkpoint before `path` is kept: checkpoint.npz -> checkpoint.previous.npz."""
    return Path(path).with_name(f"{Path(path).stem}.previous{Path(path).suffix}")


def checksum(arrays: dict[str, np.ndarray]) -> str:
    """sha256 of every entry but the checksum itself: its name, dtype and shape, then its bytes, in name order."""
    digest = hashlib.sha256()
    for key in sorted(k for k in arrays if k != CHECKSUM_KEY):
        array = np.ascontiguousarray(arrays[key])
        digest.update(json.dumps([key, array.dtype.str, list(array.shape)]).encode())
        digest.update(array.reshape(-1).view(np.uint8) if array.size else b"")
    return digest.hexdigest()


def read(path: Path) -> dict[str, np.ndarray]:
    """The entries of the checkpoint at `path`, verified against its checksum (if it has one: checkpoints written
    before checksums existed have none). Raises Damaged if it cannot be read or does not verify."""
    try:
        arrays = load_npz(path)
    except UserError as e:
        raise Damaged(path, f"is unreadable ({one_line(str(e.__cause__ or e))})") from e
    if CHECKSUM_KEY in arrays:
        stored = np.asarray(arrays[CHECKSUM_KEY]).tobytes().decode("ascii", errors="replace")
        try:
            actual = checksum(arrays)
        except (ValueError, TypeError) as e:  # an entry whose bytes cannot be read as such (a damaged header)
            raise Damaged(path, f"is unreadable ({one_line(str(e))})") from e
        if stored != actual:
            raise Damaged(path, "fails its checksum (its contents changed after it was written)")
    elif FORMAT_KEY in arrays:
        raise Damaged(path, f"has no checksum, which every checkpoint of format {FORMAT} has")
    return arrays


def save(path: Path, objects: dict[str, Any], state: dict[str, Any]) -> None:
    """Write the checkpoint of `objects` and `state` at `path`, verified, keeping the one it replaces as
    previous_path(path) (module docstring)."""
    arrays = {key: np.asarray(v) for key, v in keyed_variables(objects).items()}
    arrays[STATE_KEY] = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8)
    arrays[FORMAT_KEY] = np.asarray(FORMAT, dtype=np.int64)
    digest = checksum(arrays)
    arrays[CHECKSUM_KEY] = np.frombuffer(digest.encode(), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        try:
            read(tmp)
        except Damaged as e:
            raise UserError(f"cannot write {path}: the checkpoint written does not read back intact ({e.reason}); "
                            f"{path.name} and {previous_path(path).name} are as they were; check the disk, then "
                            "rerun the same command to resume") from e

    atomic_write(path, write, keep=previous_path(path))


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


def restore(path: Path, objects: dict[str, Any], log: Path | None = None,
            recomputable: bool = False) -> dict[str, Any] | None:
    """Load the last good checkpoint at `path` into `objects` and return its saved state; None if there is none.

    A damaged (or missing) `path` with a good previous checkpoint beside it is set aside and the previous one
    loaded, with one line on stderr saying how much work is repeated (the rows of the run's `log`, metrics.csv,
    past the previous checkpoint's). Both damaged, or no previous one: a UserError naming them, nothing deleted;
    with `recomputable` (a shared-pretraining snapshot, which its phase recomputes bit for bit) a damaged one is
    set aside instead and None returned."""
    path = Path(path)
    previous = previous_path(path)
    if not path.exists() and not previous.exists():
        return None
    if path.exists():
        try:
            return _load(path, read(path), objects)
        except Damaged as e:
            damaged = e
    else:
        damaged = Damaged(path, "is missing")
    if not previous.exists():
        if recomputable:
            aside = set_aside(path)
            print(f"{path} {damaged.reason}; set aside as {aside.name}; its phase is computed again",
                  file=sys.stderr, flush=True)
            return None
        raise UserError(f"{damaged}, and there is no previous checkpoint ({previous.name}) to fall back to; nothing "
                        f"was deleted. Restore it from a backup, or {_hint(path)}") from damaged
    try:
        arrays = read(previous)
    except Damaged as e:
        raise UserError(f"{damaged}, and the previous checkpoint {e} too; nothing was deleted. Restore one of them "
                        f"from a backup, or {_hint(path)}") from e
    state = _load(previous, arrays, objects)
    aside = f"; set aside as {set_aside(path).name}" if path.exists() else ""
    print(f"{path} {damaged.reason}{aside}; resuming from {previous.name} ({progress(arrays)}): "
          f"{_repeated(state, log)}", file=sys.stderr, flush=True)
    return state


def _load(path: Path, arrays: dict[str, np.ndarray], objects: dict[str, Any]) -> dict[str, Any]:
    state = _state(path, arrays)
    found = entries(path, arrays, objects)
    for key, var in keyed_variables(objects).items():
        var.assign(found[key])
    return state


def set_aside(path: Path) -> Path:
    """Rename the damaged file `path` to the first free NAME.damaged.npz, NAME.damaged-2.npz, ...; its new path."""
    n = 1
    while (aside := path.with_name(f"{path.stem}.damaged{'' if n == 1 else f'-{n}'}{path.suffix}")).exists():
        n += 1
    os.replace(path, aside)
    return aside


def _repeated(state: dict[str, Any], log: Path | None) -> str:
    """How much work resuming from `state` repeats: the evaluations logged since it, and their training time."""
    from reproduction.run_log import read_rows

    try:
        later = read_rows(log)[int(state.get("rows", 0)):] if log is not None else []
        seconds = float(later[-1]["wall_seconds"]) - float(state.get("wall", 0.0)) if later else None
    except (UserError, KeyError, TypeError, ValueError):
        later, seconds = [], None
    if not later:
        return "the steps since it (at most one evaluation interval) are done again"
    last = later[-1]
    return (f"{len(later)} evaluation interval{'s' if len(later) > 1 else ''} (up to {last['phase']} step "
            f"{last['epoch']}{'' if seconds is None else f', {seconds:.0f} s of training'}) done again")


def missing(path: Path) -> UserError:
    """The error for a run directory without its checkpoint `path`, with what to do: train the run first, or, for a
    run restored from its record (sweeps/records.py: its log and final samples, not its weights), train it again."""
    try:
        record = json.loads((Path(path).parent / "run.json").read_text()).get("restored_from")
    except (OSError, ValueError, AttributeError):
        record = None
    if record:
        return UserError(f"{path}: no checkpoint: this run was restored from its record {record}, which keeps its log "
                         "and final samples but not its weights; train it again in another directory (python -m "
                         "reproduction train ... --out DIR, or reproduce --retrain with another --runs) and use that")
    return UserError(f"{path}: no checkpoint; train the run first (python -m reproduction train ...)")


def load_model(path: Path, name: str, model: Any) -> None:
    """Load only the variables of `name` (e.g. the generator) from a checkpoint into `model`."""
    if not path.exists():
        raise missing(path)
    try:
        arrays = read(path)
    except Damaged as e:
        raise UserError(f"{e}; nothing was changed. If the run has not finished, `train` with its options sets the "
                        f"damaged file aside and resumes from {previous_path(path).name}") from e
    held = {k: a for k, a in arrays.items() if k in RESERVED or k.split("/")[0] == name}
    found = entries(path, held, {name: model}, f"it has no {name} of this configuration; pass a run of it")
    for key, var in keyed_variables({name: model}).items():
        var.assign(found[key])


def saved_state(path: Path) -> dict[str, Any]:
    """The progress entry of the newest readable of the checkpoint at `path` and its previous one, {} if neither
    reads: cheap (only that entry is read, nothing verified), for a status display polled while the run trains."""
    for candidate in (Path(path), previous_path(path)):
        try:
            with np.load(candidate, allow_pickle=False) as z:
                state = json.loads(z[STATE_KEY].tobytes().decode())
        except Exception:  # missing, damaged or foreign: the next candidate; `train` says what is wrong
            continue
        if isinstance(state, dict):
            return state
    return {}


def progress(arrays: dict[str, np.ndarray]) -> str:
    """Where the run was when a checkpoint (its loaded `arrays`) was written: "adversarial, 111 steps done", or
    "the end" for a finished run's (phase driver.DONE)."""
    state = json.loads(arrays[STATE_KEY].tobytes().decode())
    if not isinstance(state, dict):
        return "an unknown point"
    phase, step = state.get("phase"), state.get("step")
    return "the end" if phase == "done" else f"{phase}, {step} steps done"
