"""The run's log: one CSV row per evaluation (rewritten atomically) and the same scalars for TensorBoard; and the
readers of what a run leaves (metrics.csv, run.json) and of their copies in a record (results/.../runs/NAME.csv,
NAME.json), which refuse a damaged or hand-edited file with a UserError naming it and saying what to do, never a
traceback and never a silently wrong table: every row must have the header's fields, every number must be a
finite number, every row must name its phase, and the log of a finished run must end with the final numbers
its run.json records (a log cut short at a line boundary, or whose last row was edited, does not)."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import math
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.config import RunConfig
from reproduction.errors import UserError
from reproduction.io_utils import write_text

FIELDS = ("phase", "epoch", "x", "nll_oracle", "nll_test", "d_loss", "d_accuracy", "mean_reward", "g_loss",
          "ss_rate", "wall_seconds")
# real data: no oracle; BLEU against the references (smoothing method1; _legacy: nltk 3.2.x unsmoothed, see
# metrics/real_data.py), Self-BLEU and (music) MSE instead. Logs written before the _legacy columns existed
# still read: a missing column is empty.
REAL_DATA_FIELDS = ("phase", "epoch", "x", "bleu2", "bleu3", "bleu4", "self_bleu", "mse", "nll_test", "d_loss",
                    "d_accuracy", "mean_reward", "g_loss", "wall_seconds", "bleu2_legacy", "bleu3_legacy",
                    "bleu4_legacy", "self_bleu_legacy", "bleu5", "bleu5_legacy")  # BLEU-5: COCO (Texygen's orders)
Row = dict[str, str | int | float | None]


def csv_text(rows: list[dict], fields: list[str] | tuple[str, ...]) -> str:
    """`rows` as CSV text with a header (keys beyond `fields` are left out; absent ones are empty)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


# Columns that hold numbers (empty where a row has none): the logs', and the temperature curve's (frontier.py).
NUMERIC = frozenset(FIELDS + REAL_DATA_FIELDS + ("temperature",)) - {"phase"}
INTEGER = frozenset({"epoch"})


RUN_FILES = ("metrics.csv", "run.json", "final_samples.npz", "temperatures.csv")  # what a run directory holds


def advice(path: Path) -> str:
    """What to do about a damaged file a run (RUN_FILES) or a record (results/.../runs/NAME.*) left."""
    path = Path(path)
    if path.name in RUN_FILES:
        return (f"restore it from a backup, or from the run's record (results/.../runs/), or delete {path.parent} "
                "(or choose another --out) to train the run again")
    stem = path.name.split(".")[0].removesuffix("_samples").removesuffix("_temperatures")
    return (f"restore it from git (git checkout -- {path}) or a backup, or delete the record's files ({stem}.*, "
            f"{stem}_*) so that the run is trained again")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from `path`; missing, unreadable or not an object: a UserError naming it."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from e
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise UserError(f"{path}: not valid JSON ({str(e)[:120]}); {advice(path)}") from e
    if not isinstance(data, dict):
        raise UserError(f"{path}: not a JSON object (a {type(data).__name__}); {advice(path)}")
    return data


def read_run_json(path: Path) -> dict[str, Any]:
    """A run.json (or a record's NAME.json), checked: a JSON object whose fields, where present, are of their kind:
    each field of the configuration (as RunConfig annotates it), the summary's finite numbers, the status and
    provenance as text, the summaries of the final samples (final_nll, final_distinct). The dict as stored
    (config as a dict; `run_meta` parses it whole). Code that formats its fields into a report does so inside
    `fields_of`."""
    path = Path(path)
    meta = read_json(path)
    problem = _run_json_problem(meta)
    if problem:
        raise UserError(f"{path}: {problem}; {advice(path)}")
    return meta


def _run_json_problem(meta: dict[str, Any]) -> str | None:
    """What is wrong with a run.json's fields (each checked if present): None if nothing."""
    if "config" in meta and (kind := _kind_problem(meta["config"], RunConfig, "config")):
        return f"its {kind}"
    for key in ("status", "commit", "started", "finished", "profile", "method"):
        if key in meta and not isinstance(meta[key], str):
            return f"its `{key}` is not text"
    if "machine" in meta and not (isinstance(meta["machine"], dict) and isinstance(meta["machine"].get("cpu"), str)
                                  and _number(meta["machine"].get("cores"))):
        return "its `machine` is not an object with `cpu` and `cores`"
    if "sessions" in meta and not isinstance(meta["sessions"], list):
        return "its `sessions` is not a list"
    summary = meta.get("summary", {})
    if not isinstance(summary, dict):
        return "its `summary` is not an object"
    for key, value in summary.items():
        if isinstance(value, dict):
            if not all(_number(v) for v in value.values()):
                return f"its summary's {key} holds a value that is not a finite number"
        elif value is not None and not _number(value):
            return f"its summary's {key} is {str(value)[:40]!r}, not a finite number"
    final_nll, distinct = meta.get("final_nll"), meta.get("final_distinct")
    if final_nll is not None and not (isinstance(final_nll, dict) and set(final_nll) >= {"n", "mean", "variance"}
                                      and all(_number(final_nll[k]) for k in ("n", "mean", "variance"))
                                      and final_nll["n"] >= 1 and final_nll["variance"] >= 0):
        return "its final_nll is not {n, mean, variance} of finite numbers"
    if distinct is not None and not (isinstance(distinct, dict) and _number(distinct.get("n"))
                                     and _number(distinct.get("distinct"))
                                     and 0 < distinct["distinct"] <= distinct["n"]):
        return "its final_distinct is not {n, distinct} with 0 < distinct <= n"
    return None


def read_samples(path: Path) -> dict[str, np.ndarray]:
    """A run's final samples (final_samples.npz, or a record's NAME_samples.npz), checked: `tokens`, whole numbers
    >= 0 in an [n, T] array with n >= 1, and, if present, `nll_oracle`: n finite numbers. A damaged file is a
    UserError naming it and saying what to do."""
    from reproduction.io_utils import load_npz

    path = Path(path)
    try:
        arrays = load_npz(path)
    except UserError as e:
        raise UserError(f"{path}: not a readable .npz file ({e.__cause__ or e}); {advice(path)}") from e
    tokens, nll = arrays.get("tokens"), arrays.get("nll_oracle")
    if tokens is None:
        problem = "holds no `tokens`"
    elif tokens.dtype.kind not in "iu" or tokens.ndim != 2 or not tokens.size:
        problem = f"its `tokens` are {tokens.dtype} of shape {tokens.shape}, not whole numbers [n, T]"
    elif tokens.min() < 0:
        problem = f"its `tokens` hold the negative id {tokens.min()}"
    elif nll is not None and (nll.shape != (len(tokens),) or nll.dtype.kind != "f" or not np.isfinite(nll).all()):
        problem = f"its `nll_oracle` is not {len(tokens)} finite numbers (it is {nll.dtype} of shape {nll.shape})"
    else:
        return arrays
    raise UserError(f"{path}: {problem}; {advice(path)}")


_LARGEST = 2**31 - 1  # every whole number of a configuration is a count, a size or a seed


def _kind_problem(value: Any, hint: Any, where: str) -> str | None:
    """Whether `value` (read from JSON) is of the kind the annotation `hint` of a configuration field asks for; a
    dataclass (RunConfig and its parts) is an object whose fields present are each of their kind."""
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            return f"{where} is not an object"
        hints = typing.get_type_hints(hint)
        for f in dataclasses.fields(hint):
            if f.name in value and (problem := _kind_problem(value[f.name], hints[f.name], f"{where}.{f.name}")):
                return problem
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        ok = any(_kind_problem(value, h, where) is None for h in args)
    elif origin is tuple:
        ok = isinstance(value, (list, tuple)) and all(_kind_problem(v, args[0], where) is None for v in value)
    elif hint is type(None):
        ok = value is None
    elif hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _LARGEST
    elif hint is float:
        ok = _number(value)
    elif hint is str:
        ok = isinstance(value, str)
    else:
        ok = True
    return None if ok else f"{where} is {str(value)[:40]!r}, not {_describe(hint)}"


def _describe(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(h) for h in args)
    if origin is tuple:
        return "a list of whole numbers" if args[0] is int else f"a list of {args[0]}"
    return {type(None): "null", bool: "true or false", int: f"a whole number (at most {_LARGEST})",
            float: "a finite number", str: "text"}.get(hint, str(hint))


@contextlib.contextmanager
def fields_of(path: Path) -> Iterator[None]:
    """Inside the block, a field of the JSON at `path` that is missing or of the wrong kind (KeyError, TypeError,
    ValueError, AttributeError, IndexError) is a UserError naming the file: for code that formats a run.json's
    fields into a report."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise UserError(f"{path}: a field is missing or malformed ({type(e).__name__}: {str(e)[:120]}); "
                        f"{advice(path)}") from e


def mle_epochs(run_dir: Path) -> int:
    """The MLE pretraining length of a finished run (where the dashed line of Figures 2 and 3 goes)."""
    with fields_of(Path(run_dir) / "run.json"):
        return int(read_json(Path(run_dir) / "run.json")["config"]["schedule"]["mle_epochs"])


def run_meta(run: Path) -> dict[str, Any]:
    """`run`/run.json (configuration, status, commit, machine, summary), checked (read_run_json), with its
    configuration as a RunConfig; missing or damaged: a UserError."""
    run = Path(run)
    if not (run / "run.json").exists():
        raise UserError(f"{run}: no run.json; pass a directory written by `python -m reproduction train`")
    meta = read_run_json(run / "run.json")
    meta["config"] = parse_config(run / "run.json", meta)
    return meta


def parse_config(path: Path, meta: dict[str, Any]) -> RunConfig:
    """The RunConfig of a run.json's (or record's) `meta` read from `path`; missing or invalid: a UserError."""
    if "config" not in meta:
        raise UserError(f"{path}: no configuration (its `config` is missing); {advice(path)}")
    try:
        return RunConfig.from_dict(meta["config"])
    except UserError as e:
        raise UserError(f"{path}: its configuration is invalid ({e}); {advice(path)}") from e
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise UserError(f"{path}: its configuration is unreadable ({type(e).__name__}: {str(e)[:120]}); "
                        f"{advice(path)}") from e


def run_config(run: Path) -> RunConfig:
    """The configuration recorded in `run`/run.json; a missing or unreadable one is a UserError."""
    return run_meta(run)["config"]


def run_label(run: Path) -> str:
    """A run directory as a published file names it, `<runs>/<profile>/<run>`: the same on every machine (an absolute
    path would name this machine's folders, and a file republished elsewhere would differ by it)."""
    run = Path(run)
    return f"<runs>/{run.parent.name}/{run.name}"


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV log (metrics.csv, a record's NAME.csv, a temperature curve), checked (module docstring);
    [] if there is none. A damaged one is a UserError naming the file and line."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from e
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not UTF-8 text (byte {e.start}); {advice(path)}") from e
    try:
        table = [fields for fields in csv.reader(io.StringIO(text, newline="")) if fields]
    except csv.Error as e:
        raise UserError(f"{path}: not a readable CSV file ({e}); {advice(path)}") from e
    if not table:
        raise UserError(f"{path}: empty (no header); {advice(path)}")
    header = table[0]
    if len(set(header)) != len(header) or not all(header):
        raise UserError(f"{path}: its header has an empty or repeated column name; {advice(path)}")
    rows = []
    for lineno, fields in enumerate(table[1:], start=2):
        if len(fields) != len(header):
            raise UserError(f"{path}: row {lineno} has {len(fields)} fields, the header {len(header)} (the file is "
                            f"cut short or was edited); {advice(path)}")
        row = dict(zip(header, fields, strict=True))
        for column, value in row.items():
            if problem := _field_problem(column, value):
                raise UserError(f"{path}: row {lineno}, {column} {problem}; {advice(path)}")
        rows.append(row)
    _check_final(path, header, rows)
    return rows


def _field_problem(column: str, value: str) -> str | None:
    if column == "phase":
        return None if value.strip() else "is empty"
    if column not in NUMERIC or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return f"is {value[:40]!r}, not a number"
    if not math.isfinite(number):
        return f"is {value[:40]!r}, not a finite number"
    if column in INTEGER and not number.is_integer():
        return f"is {value[:40]!r}, not a whole number"
    return None


def _check_final(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """The log of a finished run (its run.json, or the record's NAME.json, beside it says complete) must end with
    the final numbers that JSON's summary records."""
    meta_path = path.with_name("run.json") if path.name == "metrics.csv" else path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        summary = meta["summary"] if meta.get("status") == "complete" else None
        final = summary.get("final") or {}
        expected = {"nll_oracle": summary.get("nll_oracle_final"), "nll_test": summary.get("nll_test_final"), **final}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # no such JSON, or its reader will complain
        return
    for column, value in expected.items():
        if column not in header or not _number(value):
            continue
        logged = [r[column] for r in rows if r[column] != ""]
        if not logged or abs(float(logged[-1]) - value) > 1e-6 + 1e-9 * abs(value):
            found = f"ends with {column} {logged[-1]}" if logged else f"has no {column}"
            raise UserError(f"{path}: {found}, but {meta_path.name} records {value:.6f} as the run's final one (the "
                            f"log is cut short or was edited); {advice(path)}")


def nll_curve(run_dir: Path, column: str = "nll_oracle") -> list[tuple[float, float]]:
    """The (x, NLL-oracle) points of a run, from its metrics.csv (or those of another logged `column`)."""
    return [(float(r["x"]), float(r[column])) for r in read_rows(run_dir / "metrics.csv") if r[column]]


def curve_band(run_dirs: list[Path], column: str = "nll_oracle") -> list[tuple[float, float, float, float]]:
    """(x, mean, min, max) of a logged `column` across runs (e.g. the seeds of one method), at the evaluations
    every run has; one run gives a band of zero width."""
    logs = [{float(r["x"]): float(r[column]) for r in read_rows(d / "metrics.csv") if r.get(column)} for d in run_dirs]
    xs = sorted(set.intersection(*(set(log) for log in logs)))
    return [(x, sum(v) / len(v), min(v), max(v)) for x in xs for v in [[log[x] for log in logs]]]


class RunLog:
    """Appends rows to `metrics.csv`; on resume, keeps the first `keep` rows (those in the checkpoint)."""

    def __init__(self, out: Path, keep: int = 0, fields: tuple[str, ...] = FIELDS):
        self.path, self.fields = out / "metrics.csv", fields
        self.rows: list[Row] = list(read_rows(self.path)[:keep])
        self.tb_dir = out / "tensorboard"
        self._writer = None
        self._flush()

    def append(self, row: Row) -> None:
        self.rows.append({k: row.get(k) for k in self.fields})
        self._flush()
        self._summarise(row)

    def _flush(self) -> None:
        write_text(self.path, csv_text([{k: _fmt(row.get(k)) for k in self.fields} for row in self.rows], self.fields))

    def _summarise(self, row: Row) -> None:
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.tb_dir))
        with self._writer.as_default():
            for key in self.fields[3:]:
                value = row.get(key)
                if isinstance(value, (int, float)) and key != "wall_seconds":
                    tf.summary.scalar(f"{row['phase']}/{key}", value, step=int(row["x"]))
        self._writer.flush()


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)
