"""A full disk (issue 44): a write that fails with ENOSPC or EIO (a checkpoint, a metrics row, a record, a published
table) stops with a clear error and exit 2, leaves every earlier file intact, and the next start resumes. The disk
is made to fail by patching `os.replace` (the rename that publishes every file) or the write itself."""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from reproduction.cli import main
from reproduction.errors import UserError
from reproduction.training import checkpoint, driver
from tests.conftest import tiny_config


def rows(run_dir: Path) -> list[dict[str, str]]:
    with open(run_dir / "metrics.csv", newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in csv.DictReader(f)]


def fail_renames_onto(monkeypatch, name: str, code: int = errno.ENOSPC, after: int = 0) -> list[str]:
    """Make every rename onto a file called `name`, after the first `after`, fail with `code`; the file's content
    just before each failure is recorded."""
    real, calls, seen = os.replace, [], []

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == name:
            calls.append(dst)
            if len(calls) > after:
                seen.append(Path(dst).read_bytes() if Path(dst).exists() else None)
                raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return seen


def _no_temporaries(directory: Path) -> bool:
    return not [p for p in directory.rglob(".*") if p.name.endswith((".tmp", ".keras")) and p.is_file()]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO], ids=["ENOSPC", "EIO"])
def test_a_failed_checkpoint_rename_stops_the_run_keeps_the_last_checkpoint_and_the_next_start_resumes(
        method_runs, tmp_path, monkeypatch, code):
    out = tmp_path / "run"
    before = fail_renames_onto(monkeypatch, "checkpoint.npz", code, after=5)  # in the adversarial phase
    with pytest.raises(UserError, match=rf"cannot write {out / 'checkpoint.npz'}: the disk .*checkpoint.npz is as "
                                        r"it was, and so is every file written before it; .*rerun the same command"):
        driver.train(tiny_config(seed=0), out, show_progress=False)
    monkeypatch.undo()
    assert (out / "checkpoint.npz").read_bytes() == before[0]  # the last good checkpoint, untouched
    assert checkpoint.read(out / "checkpoint.npz") and _no_temporaries(out)
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    driver.train(tiny_config(seed=0), out, show_progress=False)
    assert rows(out) == rows(method_runs["seqgan"][0])


def test_a_checkpoint_write_that_runs_out_of_space_midway_leaves_no_half_file(method_runs, tmp_path, monkeypatch):
    out, calls = tmp_path / "run", []
    real = np.savez

    def savez_until_full(file, *args, **kwargs):
        calls.append(1)
        if len(calls) == 4 and hasattr(file, "write"):
            file.write(b"PK\x03\x04" + b"\0" * 1000)  # part of it reached the disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(np, "savez", savez_until_full)
    with pytest.raises(UserError, match="the disk is full"):
        driver.train(tiny_config(seed=0), out, show_progress=False)
    monkeypatch.undo()
    assert checkpoint.read(out / "checkpoint.npz") and _no_temporaries(out)
    driver.train(tiny_config(seed=0), out, show_progress=False)
    assert rows(out) == rows(method_runs["seqgan"][0])


def test_a_failed_metrics_row_stops_the_run_with_the_log_as_it_was_and_the_next_start_resumes(
        method_runs, tmp_path, monkeypatch):
    out = tmp_path / "run"
    before = fail_renames_onto(monkeypatch, "metrics.csv", after=4)
    with pytest.raises(UserError, match=r"metrics.csv: the disk is full .* metrics.csv is as it was"):
        driver.train(tiny_config(seed=0), out, show_progress=False)
    monkeypatch.undo()
    assert (out / "metrics.csv").read_bytes() == before[0] and _no_temporaries(out)
    driver.train(tiny_config(seed=0), out, show_progress=False)
    assert rows(out) == rows(method_runs["seqgan"][0])


def test_a_failed_record_write_leaves_the_earlier_record_intact(method_runs, tmp_path, monkeypatch):
    from reproduction.sweeps import records

    record = tmp_path / "results" / "runs" / "seqgan_random_s0"
    record.parent.mkdir(parents=True)
    record.with_suffix(".json").write_text('{"an": "earlier record"}\n')
    fail_renames_onto(monkeypatch, record.with_suffix(".json").name)
    with pytest.raises(UserError, match=r"seqgan_random_s0.json: the disk is full .* is as it was"):
        records.write(method_runs["seqgan"][0], record)
    assert record.with_suffix(".json").read_text() == '{"an": "earlier record"}\n'
    assert _no_temporaries(tmp_path / "results")


def test_a_failed_published_table_leaves_the_published_one_intact(method_runs, tmp_path, monkeypatch):
    from reproduction.publications import table1

    rows_ = table1.build("smoke", "random", [0], ["mle", "seqgan"], lambda v, s: method_runs[v][0])
    (tmp_path / "table1_random.md").write_text("the table published before\n")
    fail_renames_onto(monkeypatch, "table1_random.md", errno.EIO)
    with pytest.raises(UserError, match=r"table1_random.md: the disk reported an input/output error"):
        table1.write(tmp_path, "random", rows_)
    assert (tmp_path / "table1_random.md").read_text() == "the table published before\n"
    assert _no_temporaries(tmp_path)


def test_a_full_disk_is_exit_2_with_one_line_from_the_command_line(method_runs, tmp_path, monkeypatch, capsys):
    run, out = tmp_path / "run", tmp_path / "samples.txt"
    shutil.copytree(method_runs["mle"][0], run)
    out.write_text("earlier samples\n")
    fail_renames_onto(monkeypatch, out.name)
    assert main(["sample", "--run", str(run), "--n", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: cannot write {out}: the disk is full")
    assert out.read_text() == "earlier samples\n"
