"""Damaged run files (issue 44): a malformed, truncated or hand-edited run.json, record JSON, metrics CSV or samples
.npz, in a run folder or in results/, is a clear error naming the file and what to do: never a traceback, and never
a silently wrong table."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from reproduction.cli import main
from reproduction.errors import UserError
from reproduction.run_log import read_rows, read_run_json, read_samples
from reproduction.training import driver
from tests.conftest import tiny_config


def _edit_json(change: Callable[[dict], None]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        meta = json.loads(text)
        change(meta)
        return json.dumps(meta, indent=2)
    return edit


RUN_JSON = {  # how a run.json (or a record's JSON) is damaged: its text -> the damaged text
    "truncated": lambda text: text[: len(text) // 2],
    "not UTF-8": lambda text: "\udcff" + text,  # (written with surrogateescape: a byte 0xff first)
    "a list": lambda text: "[1, 2, 3]",
    "config edited": _edit_json(lambda m: m["config"]["schedule"].update(batch_size="sixteen")),
    "config removed": _edit_json(lambda m: m.pop("config")),
    "summary edited": _edit_json(lambda m: m["summary"].update(wall_seconds="a while")),
    "machine edited": _edit_json(lambda m: m.update(machine="a fast one")),
    "final_nll edited": _edit_json(lambda m: m.update(final_nll={"n": 10, "mean": "low", "variance": 1.0})),
}


def _finished_copy(method_runs, tmp_path: Path, method: str = "mle") -> Path:
    run = tmp_path / "runs" / "smoke" / f"{method}-s0"
    shutil.copytree(method_runs[method][0], run)
    return run


def _one_line_naming(err: str, path: Path) -> bool:
    return err.count("\n") == 1 and err.startswith("error: ") and str(path) in err and "Traceback" not in err


@pytest.mark.parametrize("damage", RUN_JSON)
def test_a_damaged_run_json_is_one_line_naming_it_from_every_command_that_reads_it(method_runs, tmp_path, capsys,
                                                                                  damage):
    run = _finished_copy(method_runs, tmp_path)
    meta = run / "run.json"
    meta.write_bytes(RUN_JSON[damage](meta.read_text()).encode("utf-8", "surrogateescape"))
    commands = [["sample", "--run", str(run), "--n", "2"], ["adam-epsilon", "--run", str(run)]]
    if damage != "config removed":  # (the status of a finished run needs no configuration)
        commands.append(["status", "--runs", str(tmp_path / "runs")])
    for command in commands:
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert _one_line_naming(err, meta) and "restore it from a backup" in err, (command, err)
    with pytest.raises(UserError, match=str(meta)):  # and `train`, resuming it
        driver.train(tiny_config(seed=0, method="mle"), run, show_progress=False)


@pytest.mark.parametrize("damage", ["cut mid-row", "cut at a line boundary", "a number edited", "nan", "not UTF-8",
                                    "empty", "a row without its phase"])
def test_a_damaged_metrics_csv_is_refused_by_the_table_never_published_wrong(method_runs, tmp_path, damage):
    from reproduction.publications import table1
    from reproduction.sweeps import records

    runs = {m: _finished_copy(method_runs, tmp_path, m) for m in ("mle", "seqgan")}
    log = runs["seqgan"] / "metrics.csv"
    text = log.read_text()
    lines = text.splitlines(keepends=True)
    last = lines[-1].split(",")
    log.write_bytes({
        "cut mid-row": text[:-12].encode(),
        "cut at a line boundary": "".join(lines[:-1]).encode(),  # every row whole: only the summary tells
        "a number edited": "".join([*lines[:-1], ",".join([*last[:3], "8.5x", *last[4:]])]).encode(),
        "nan": "".join([*lines[:-1], ",".join([*last[:3], "nan", *last[4:]])]).encode(),
        "not UTF-8": b"\xff" + text.encode(),
        "empty": b"",
        "a row without its phase": "".join([*lines[:-1], ",".join(["", *last[1:]])]).encode(),
    }[damage])
    with pytest.raises(UserError, match=rf"{log}: .*restore it from a backup") as refused:
        table1.build("smoke", "random", [0], ["mle", "seqgan"], lambda v, s: runs[v])
    assert "\n" not in str(refused.value)
    if damage == "cut at a line boundary":
        assert "but run.json records" in str(refused.value)
    with pytest.raises(UserError, match=str(log)):  # nor copied into a record
        records.write(runs["seqgan"], tmp_path / "results" / "runs" / "seqgan_random_s0")
    assert not (tmp_path / "results" / "runs" / "seqgan_random_s0.json").exists()


SAMPLES = {
    "truncated": lambda arrays, path: path.write_bytes(path.read_bytes()[:100]),
    "no tokens": lambda arrays, path: np.savez(path, nll_oracle=arrays["nll_oracle"]),
    "float tokens": lambda arrays, path: np.savez(path, tokens=arrays["tokens"] + 0.5,
                                                  nll_oracle=arrays["nll_oracle"]),
    "negative ids": lambda arrays, path: np.savez(path, tokens=-arrays["tokens"] - 1, nll_oracle=arrays["nll_oracle"]),
    "nll of other length": lambda arrays, path: np.savez(path, tokens=arrays["tokens"],
                                                         nll_oracle=arrays["nll_oracle"][:-1]),
    "nll NaN": lambda arrays, path: np.savez(path, tokens=arrays["tokens"],
                                             nll_oracle=np.full_like(arrays["nll_oracle"], np.nan)),
}


@pytest.mark.parametrize("damage", SAMPLES)
def test_damaged_final_samples_are_refused_naming_the_file(method_runs, tmp_path, damage):
    from reproduction.publications import table1
    from reproduction.sweeps import records

    runs = {m: _finished_copy(method_runs, tmp_path, m) for m in ("mle", "seqgan")}
    samples = runs["seqgan"] / "final_samples.npz"
    SAMPLES[damage](dict(np.load(samples)), samples)
    with pytest.raises(UserError, match=rf"{samples}: .*restore it from a backup") as refused:
        read_samples(samples)
    assert "\n" not in str(refused.value)
    with pytest.raises(UserError, match=str(samples)):  # Table 1's test of final samples reads them
        table1.build("smoke", "random", [0], ["mle", "seqgan"], lambda v, s: runs[v])
    with pytest.raises(UserError, match=str(samples)):
        records.write(runs["seqgan"], tmp_path / "results" / "runs" / "seqgan_random_s0", extras=("samples",))


@pytest.mark.parametrize("damage", ["json truncated", "json edited", "csv cut at a line boundary",
                                    "samples truncated"])
def test_a_damaged_record_is_never_published_from_and_says_why(method_runs, tmp_path, damage):
    """A record in results/ (written when its run finished): damaged, `reproduce` does not restore the run from it
    (it names the record and why, then trains the run again)."""
    from reproduction.sweeps import records

    cfg = tiny_config(seed=0)
    record = tmp_path / "results" / "synthetic" / "smoke" / "runs" / "seqgan_random_s0"
    record.parent.mkdir(parents=True)
    records.write(method_runs["seqgan"][0], record, extras=("samples",))
    assert records.unusable(record, cfg, ("samples",)) is None
    part = {"json truncated": record.with_suffix(".json"), "json edited": record.with_suffix(".json"),
            "csv cut at a line boundary": record.with_suffix(".csv"),
            "samples truncated": record.with_name(record.name + "_samples.npz")}[damage]
    data = part.read_bytes()
    if damage == "json edited":
        part.write_text(RUN_JSON["summary edited"](data.decode()))
    elif damage == "csv cut at a line boundary":
        part.write_bytes(b"".join(data.splitlines(keepends=True)[:-1]))
    else:
        part.write_bytes(data[: len(data) // 2])
    reason = records.unusable(record, cfg, ("samples",))
    assert reason is not None and str(part) in reason and "\n" not in reason
    assert not records.restore(record, tmp_path / "runs" / "seqgan-s0", cfg, ("samples",))
    assert not (tmp_path / "runs" / "seqgan-s0").exists()


def test_the_readers_accept_every_file_a_finished_run_leaves(method_runs):
    """The checked readers pass every file of every method's finished run, and return it as written."""
    import csv

    for method, (run, _) in method_runs.items():
        assert read_run_json(run / "run.json") == json.loads((run / "run.json").read_text()), method
        with open(run / "metrics.csv", newline="") as f:
            assert read_rows(run / "metrics.csv") == list(csv.DictReader(f)), method
        with np.load(run / "final_samples.npz") as written:
            read = read_samples(run / "final_samples.npz")
            assert read.keys() == set(written.files) and all(np.array_equal(read[k], written[k]) for k in read)
