"""The run's log: one CSV row per evaluation (rewritten atomically) and the same scalars for TensorBoard."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

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
                    "bleu4_legacy", "self_bleu_legacy")
Row = dict[str, str | int | float | None]


def csv_text(rows: list[dict], fields: list[str] | tuple[str, ...]) -> str:
    """`rows` as CSV text with a header (keys beyond `fields` are left out; absent ones are empty)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def mle_epochs(run_dir: Path) -> int:
    """The MLE pretraining length of a finished run (where the dashed line of Figures 2 and 3 goes)."""
    return int(json.loads((run_dir / "run.json").read_text())["config"]["schedule"]["mle_epochs"])


def run_meta(run: Path) -> dict[str, Any]:
    """`run`/run.json (configuration, status, commit, machine, summary); missing or unreadable: a UserError."""
    run = Path(run)
    try:
        meta = json.loads((run / "run.json").read_text())
        meta["config"] = RunConfig.from_dict(meta["config"])
        return meta
    except FileNotFoundError:
        raise UserError(f"{run}: no run.json; pass a directory written by `python -m reproduction train`") from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UserError(f"{run / 'run.json'}: unreadable ({e})") from e


def run_config(run: Path) -> RunConfig:
    """The configuration recorded in `run`/run.json; a missing or unreadable one is a UserError."""
    return run_meta(run)["config"]


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


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
