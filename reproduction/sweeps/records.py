"""Finished runs kept in git: a run finished in one session is published, and never trained again, in a
later one, even on another machine where runs/ is gone (issue "runs that outlive a session").

A run's record is what publishing needs of it, small enough to commit, beside the published results: in
results/synthetic/PROFILE/runs/ (Table 1's runs as METHOD_ORACLE_sSEED, Figure 3's as
figure3_STRATEGY_ORACLE_sSEED) and results/CORPUS/PROFILE/runs/ (real data, METHOD_sSEED):
  NAME.csv               its metrics.csv (every evaluation: the curves and Table 1's best and final points);
  NAME.json              its run.json (configuration, commit, machine, wall time), plus `final_nll` on synthetic
                         data: the number, mean and variance of the per-sequence NLL-oracle of its final samples
                         (all that the pooled Welch test of Table 1 needs of them), and `final_distinct`: how
                         many of its final samples are distinct sequences (Figure 3 flags a collapsed run by it);
and the extras its experiment publishes from (`EXTRAS`):
  NAME_temperatures.csv  "temperatures": its temperature curve (training/temperature_curve.py), for the rows the
                         frontier draws as curves (publications/frontier.CURVES), and on real text for
                         every run (its benchmark scores at each temperature; publications/coco.py);
  NAME_samples.npz       "samples": the tokens of its final samples, compressed (real data: the tables,
                         samples.md and `rescore` score them again from the tokens).
A record written when its run finished also holds, in NAME.json's `extras_sha256`, the SHA-256 of each extra (of
the curve file's bytes; of the samples' tokens, since a rewritten .npz differs in its zip timestamps alone): a
record whose extra is not the one its run wrote (say, copied without its side files, beside an older run's) is
refused, never published from. Records written before this carry none and are taken as they are.
Checkpoints and TensorBoard logs stay in runs/. `reproduce` writes a run's record the moment the run
finishes, and before training puts every planned run that has a matching record (same configuration, and the
files above) back into runs/ as a finished run, so it is published from the record instead of retrained.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.config import RunConfig, differences
from reproduction.errors import UserError
from reproduction.io_utils import copy_file, load_npz, save_npz, write_text
from reproduction.run_log import parse_config, read_rows, read_run_json, read_samples
from reproduction.training.temperature_curve import TEMPERATURES_FILE, keep_curve

SAMPLES_FILE = "final_samples.npz"  # a run's final samples, in its run directory (training/driver.py)
EXTRAS = {"temperatures": (TEMPERATURES_FILE, "_temperatures.csv"), "samples": (SAMPLES_FILE, "_samples.npz")}


def stem(results: Path, profile: str, method: str, oracle: str, seed: int) -> Path:
    """Where the record of one Table 1 run goes (NAME = METHOD_ORACLE_sSEED, as published)."""
    return Path(results) / "synthetic" / profile / "runs" / f"{method}_{oracle}_s{seed}"


def finished(run: Path) -> bool:
    """Whether `run` holds a finished run (its run.json says complete)."""
    try:
        return read_run_json(Path(run) / "run.json")["status"] == "complete"
    except UserError:  # none, or damaged: `train` says what is wrong with it
        return False


def final_nll_moments(run: Path) -> dict[str, float] | None:
    """n, mean and variance (ddof 1) of the per-sequence NLL-oracle of the run's final samples (`_final`)."""
    return _final(run, "final_nll")


def final_distinct(run: Path) -> dict[str, int] | None:
    """n, and how many of them are distinct sequences, of the run's final samples (`_final`; None also for
    records written before the count was kept)."""
    return _final(run, "final_distinct")


def _moments(nll: np.ndarray) -> dict[str, float]:
    nll = np.asarray(nll, dtype=float)
    return {"n": int(nll.size), "mean": float(nll.mean()), "variance": float(nll.var(ddof=1))}


def _distinct(tokens: np.ndarray) -> dict[str, int]:
    return {"n": len(tokens), "distinct": len(np.unique(tokens, axis=0))}


# What a record keeps of a run's final samples: its key -> the array of final_samples.npz it summarises, and how.
_SUMMARIES = {"final_nll": ("nll_oracle", _moments), "final_distinct": ("tokens", _distinct)}


def _final(run: Path, key: str) -> dict | None:
    """The summary `key` (_SUMMARIES) of the run's final samples: from final_samples.npz, or, for a run restored
    from its record, from run.json; None if neither has it."""
    array, summarise = _SUMMARIES[key]
    path = Path(run) / SAMPLES_FILE
    if path.exists() and array in (arrays := read_samples(path)):
        return summarise(arrays[array])
    return read_run_json(Path(run) / "run.json").get(key)


def write(run: Path, record: Path, extras: tuple[str, ...] = (), mirror: str | Path | None = None) -> None:
    """Write the record of the finished run `run` at `record` (a stem: NAME without suffix), with `extras`."""
    run, record = Path(run), Path(record)
    meta = read_run_json(run / "run.json")
    read_rows(run / "metrics.csv")  # a damaged log is refused here, not copied into the record
    restored = meta.pop("restored_from", None) is not None  # (then its extras are the record's, sealed or not)
    for key in _SUMMARIES:
        if (summary := _final(run, key)) is not None:
            meta[key] = summary
    if "temperatures" in extras:
        keep_curve(run, mirror)  # computed once, cached in the run directory (loads the models only then)
        copy_file(run / TEMPERATURES_FILE, _extra(record, "temperatures"))
    if "samples" in extras:
        tokens = read_samples(run / SAMPLES_FILE)["tokens"]
        if not _holds(_extra(record, "samples"), tokens):
            save_npz(_extra(record, "samples"), {"tokens": tokens}, compressed=True)
    if extras and not restored:  # (a run's own run.json holds no seal: only its record does)
        meta["extras_sha256"] = {e: _digest(record, e) for e in extras}
    copy_file(run / "metrics.csv", record.with_suffix(".csv"))
    write_text(record.with_suffix(".json"), json.dumps(meta, indent=2) + "\n")


def restore(record: Path, run: Path, cfg: RunConfig, extras: tuple[str, ...] = ()) -> bool:
    """Put the record at `record` back into the run directory `run` as a finished run of `cfg`, unless `run`
    already holds a run or the record is missing, unfinished, of another configuration, or lacks one of
    `extras`. True if restored."""
    run, record = Path(run), Path(record)
    if (run / "run.json").exists() or unusable(record, cfg, extras) is not None:
        return False
    meta: dict[str, Any] = read_run_json(record.with_suffix(".json"))
    meta["restored_from"] = str(record.with_suffix(".json"))
    copy_file(record.with_suffix(".csv"), run / "metrics.csv")
    for extra in extras:
        copy_file(_extra(record, extra), run / EXTRAS[extra][0])
    write_text(run / "run.json", json.dumps(meta, indent=2) + "\n")  # last: run.json marks it finished
    return True


def restored(run: Path) -> bool:
    """Whether `run` holds a finished run put back from its record (`restore`), not one trained there."""
    try:
        meta = read_run_json(Path(run) / "run.json")
    except UserError:  # none, or damaged
        return False
    return meta.get("status") == "complete" and "restored_from" in meta


def unrestore(run: Path) -> bool:
    """Take out of `run` what `restore` put there (run.json first: the run is then not started), so that the run
    is trained (`reproduce --retrain`); its record, in results/, is untouched. True if `run` was a restored run."""
    run = Path(run)
    if not restored(run):
        return False
    for name in ("run.json", "metrics.csv", *(file for file, _ in EXTRAS.values())):
        (run / name).unlink(missing_ok=True)
    return True


def unusable(record: Path, cfg: RunConfig, extras: tuple[str, ...] = ()) -> str | None:
    """Why the record at `record` cannot stand for a finished run of `cfg` with `extras` (None: it can)."""
    if not record.with_suffix(".json").exists():
        return "there is none"
    try:
        meta = read_run_json(record.with_suffix(".json"))
        stored = parse_config(record.with_suffix(".json"), meta)
    except UserError as e:
        return f"it is unreadable ({e})"
    if meta.get("status") != "complete":
        return f"its run did not finish (status {meta.get('status')!r})"
    if stored != cfg:
        return f"it is of another configuration ({', '.join(differences(stored, cfg))})"
    missing = [record.with_suffix(".csv").name] if not record.with_suffix(".csv").exists() else []
    missing += [_extra(record, extra).name for extra in extras if not _extra(record, extra).exists()]
    if missing:
        return f"it lacks {', '.join(missing)}"
    try:  # a damaged file of the record is never published from: the run is trained again
        read_rows(record.with_suffix(".csv"))
        if "temperatures" in extras:
            read_rows(_extra(record, "temperatures"))
        if "samples" in extras:
            read_samples(_extra(record, "samples"))
    except UserError as e:
        return f"it is damaged ({e})"
    sealed = meta.get("extras_sha256", {})
    changed = [_extra(record, e).name for e in extras if e in sealed and sealed[e] != _digest(record, e)]
    if changed:
        return (f"{', '.join(changed)} is not what its run wrote (its SHA-256 differs from the one in "
                f"{record.with_suffix('.json').name}): put the run's own file back, or delete the record")
    return None


def _extra(record: Path, extra: str) -> Path:
    return record.with_name(record.name + EXTRAS[extra][1])


def _digest(record: Path, extra: str) -> str:
    """SHA-256 of a record's extra: the curve file's bytes, or the samples' tokens (dtype, shape and values)."""
    if extra == "samples":
        tokens = np.ascontiguousarray(read_samples(_extra(record, extra))["tokens"])
        data = f"{tokens.dtype.str}{tokens.shape}".encode() + tokens.tobytes()
    else:
        data = _extra(record, extra).read_bytes()
    return hashlib.sha256(data).hexdigest()


def _holds(path: Path, tokens: np.ndarray) -> bool:
    """Whether the record already holds these samples (a restored run, published again): then it is left as it
    is, since a rewritten .npz differs in its zip timestamps alone."""
    try:
        return path.exists() and np.array_equal(load_npz(path).get("tokens"), tokens)
    except UserError:  # damaged: written again
        return False
