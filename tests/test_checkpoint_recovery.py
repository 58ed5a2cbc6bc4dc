"""The last good checkpoint (training/checkpoint.py, issue 44): a checksum, the previous checkpoint kept until the
next is written and verified, a damaged one set aside (never deleted) for the previous one, and the temporary
files of a killed write removed at the next start of the same run."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reproduction.cli import main
from reproduction.errors import UserError
from reproduction.io_utils import load_npz
from reproduction.training import checkpoint, driver, shared_pretraining
from tests.conftest import kill_when_flagged, tiny_config


def rows(run_dir: Path) -> list[dict[str, str]]:
    """The logged rows without wall-clock time (the only column that may differ between equal runs)."""
    with open(run_dir / "metrics.csv", newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def killed_run(tmp_path_factory) -> Path:
    """The tiny SeqGAN run (seed 0) stopped in adversarial batch 2: its newest checkpoint is the one written after
    batch 1's evaluation, the previous one after batch 0's."""
    out = tmp_path_factory.mktemp("killed") / "run"
    original = driver.Trainer.adversarial_step

    def dies_at_third_batch(self, batch):
        if batch == 2:
            raise KeyboardInterrupt
        return original(self, batch)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(driver.Trainer, "adversarial_step", dies_at_third_batch)
        with pytest.raises(KeyboardInterrupt):
            driver.train(tiny_config(seed=0), out, show_progress=False)
    assert checkpoint.saved_state(out / "checkpoint.npz")["step"] == 2
    assert checkpoint.saved_state(out / "checkpoint.previous.npz")["step"] == 1
    return out


def _copy(run: Path, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(run, out)
    return out


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":  # a full disk, or a copy between machines cut short
        path.write_bytes(data[: len(data) // 2])
    elif how == "flipped bytes":  # bits rotted on the disk
        flipped = bytearray(data)
        middle = len(flipped) // 2
        flipped[middle:middle + 16] = bytes(b ^ 0xFF for b in flipped[middle:middle + 16])
        path.write_bytes(bytes(flipped))
    elif how == "edited":  # a valid .npz whose contents changed after it was written: only the checksum sees it
        arrays = load_npz(path)
        arrays["generator/embedding"] = arrays["generator/embedding"] + 1
        np.savez(path, **arrays)
    elif how == "deleted":
        path.unlink()


def test_a_checkpoint_carries_the_checksum_of_its_contents_and_keeps_the_one_before(killed_run):
    newest, previous = (load_npz(killed_run / name) for name in ("checkpoint.npz", "checkpoint.previous.npz"))
    for arrays in (newest, previous):
        assert arrays["__sha256__"].tobytes().decode() == checkpoint.checksum(arrays)
    assert checkpoint.checksum(newest) != checkpoint.checksum(previous)


@pytest.mark.parametrize("damage", ["truncated", "flipped bytes", "edited", "deleted"])
def test_a_damaged_newest_checkpoint_resumes_from_the_previous_one_to_the_numbers_of_an_undamaged_run(
        killed_run, method_runs, tmp_path, capsys, damage):
    out = _copy(killed_run, tmp_path)
    newest = out / "checkpoint.npz"
    _damage(newest, damage)
    damaged = newest.read_bytes() if newest.exists() else None
    capsys.readouterr()
    summary = driver.train(tiny_config(seed=0), out, show_progress=False)
    assert rows(out) == rows(method_runs["seqgan"][0])  # the undamaged run's numbers, every evaluation
    assert summary["nll_oracle_final"] == method_runs["seqgan"][1]["nll_oracle_final"]
    said = [line for line in capsys.readouterr().err.splitlines() if "checkpoint" in line]
    assert len(said) == 1, said
    assert (f"{newest} " in said[0] and "resuming from checkpoint.previous.npz (adversarial, 1 steps done): "
            "1 evaluation interval (up to adversarial step 1, " in said[0] and "done again" in said[0])
    if damaged is None:
        assert "is missing" in said[0] and not list(out.glob("*.damaged*"))
    else:  # set aside, byte for byte, never deleted
        assert "set aside as checkpoint.damaged.npz" in said[0]
        assert (out / "checkpoint.damaged.npz").read_bytes() == damaged
        assert ("fails its checksum" if damage == "edited" else "is unreadable") in said[0]


def test_a_second_damaged_checkpoint_is_set_aside_beside_the_first(killed_run, tmp_path, capsys):
    out = _copy(killed_run, tmp_path)
    (out / "checkpoint.damaged.npz").write_bytes(b"an earlier one")
    _damage(out / "checkpoint.npz", "truncated")
    damaged = (out / "checkpoint.npz").read_bytes()
    objects = driver.Trainer(tiny_config(seed=0), out, show_progress=False).objects
    assert checkpoint.restore(out / "checkpoint.npz", objects)["step"] == 1
    assert (out / "checkpoint.damaged.npz").read_bytes() == b"an earlier one"
    assert (out / "checkpoint.damaged-2.npz").read_bytes() == damaged and not (out / "checkpoint.npz").exists()


@pytest.mark.parametrize("previous", ["truncated", "deleted"])
def test_a_damaged_checkpoint_with_no_good_previous_one_is_a_clear_error_and_deletes_nothing(
        killed_run, tmp_path, previous):
    out = _copy(killed_run, tmp_path)
    _damage(out / "checkpoint.npz", "flipped bytes")
    _damage(out / "checkpoint.previous.npz", previous)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    reason = "no previous checkpoint" if previous == "deleted" else "the previous checkpoint .* is unreadable"
    with pytest.raises(UserError, match=rf"checkpoint.npz is unreadable .*{reason}.* nothing was deleted"):
        driver.train(tiny_config(seed=0), out, show_progress=False)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != "run.json"}
    assert after == {k: v for k, v in before.items() if k != "run.json"}  # (run.json records the session)


def test_a_checkpoint_of_another_configuration_is_refused_not_replaced_by_the_previous_one(killed_run, tmp_path):
    out = _copy(killed_run, tmp_path)
    objects = driver.Trainer(tiny_config(seed=0, method="mle"), out, show_progress=False).objects
    with pytest.raises(UserError, match="do not match this configuration"):
        checkpoint.restore(out / "checkpoint.npz", objects)
    assert not list(out.glob("*.damaged*"))


def test_the_previous_checkpoint_is_kept_until_the_new_one_reads_back_intact(killed_run, tmp_path, monkeypatch):
    out = _copy(killed_run, tmp_path)
    before = {name: (out / name).read_bytes() for name in ("checkpoint.npz", "checkpoint.previous.npz")}
    objects = driver.Trainer(tiny_config(seed=0), out, show_progress=False).objects
    real_read = checkpoint.read

    def reads_back_damaged(path):
        if path.name.endswith(".tmp"):
            raise checkpoint.Damaged(path, "fails its checksum (its contents changed after it was written)")
        return real_read(path)

    monkeypatch.setattr(checkpoint, "read", reads_back_damaged)
    with pytest.raises(UserError, match=r"does not read back intact .* checkpoint.npz and checkpoint.previous.npz are "
                                        "as they were"):
        checkpoint.save(out / "checkpoint.npz", objects, {"phase": "adversarial", "step": 3})
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not list(out.glob(".*.tmp"))


def test_temporary_files_of_a_killed_write_are_removed_at_the_next_start_of_the_same_run_only(
        killed_run, tmp_path, capsys):
    out = _copy(killed_run, tmp_path)
    other, share = tmp_path / "other-run", tmp_path / "shared"
    for directory in (other, share):
        directory.mkdir()
    stale = [out / ".checkpoint.npz.k1ll3d.tmp", out / ".metrics.csv.x.tmp", out / ".generator.y.keras",
             out / ".checkpoint.previous.npz.link.tmp"]
    kept = [out / "notes.tmp", other / ".checkpoint.npz.busy.tmp", share / ".pretrained-0123.npz.busy.tmp"]
    for path in stale + kept:
        path.write_bytes(b"x" * 1000)
    capsys.readouterr()
    driver.train(tiny_config(seed=0), out, show_progress=False)
    assert not any(p.exists() for p in stale) and all(p.exists() for p in kept)
    said = [line for line in capsys.readouterr().err.splitlines() if "removed" in line]
    assert len(said) == 1 and ".checkpoint.npz.k1ll3d.tmp" in said[0]


def test_a_damaged_shared_pretraining_snapshot_is_set_aside_and_its_phase_computed_again(method_runs, tmp_path,
                                                                                          capsys):
    share = tmp_path / "shared"
    cfg = tiny_config(seed=0)
    driver.train(tiny_config(seed=0, method="mle"), tmp_path / "donor", show_progress=False, share_dir=share)
    snapshot = shared_pretraining.path(share, cfg)
    _damage(snapshot, "truncated")
    damaged = snapshot.read_bytes()
    capsys.readouterr()
    driver.train(cfg, tmp_path / "seqgan", show_progress=False, share_dir=share)
    assert rows(tmp_path / "seqgan") == rows(method_runs["seqgan"][0])
    assert snapshot.with_name(f"{snapshot.stem}.damaged.npz").read_bytes() == damaged
    assert checkpoint.read(snapshot)  # left again by the run that computed the phase
    assert "its phase is computed again" in capsys.readouterr().err


def test_a_command_that_reads_a_damaged_checkpoint_exits_2_with_one_line(method_runs, tmp_path, capsys):
    run = _copy(method_runs["seqgan"][0], tmp_path)
    _damage(run / "checkpoint.npz", "edited")
    assert main(["sample", "--run", str(run), "--n", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fails its checksum" in err and "checkpoint.previous.npz" in err


def test_the_status_reads_the_progress_of_the_last_readable_checkpoint(killed_run, tmp_path):
    out = _copy(killed_run, tmp_path)
    assert checkpoint.saved_state(out / "checkpoint.npz")["step"] == 2
    _damage(out / "checkpoint.npz", "truncated")
    assert checkpoint.saved_state(out / "checkpoint.npz")["step"] == 1
    _damage(out / "checkpoint.previous.npz", "deleted")
    assert checkpoint.saved_state(out / "checkpoint.npz") == {}
    assert json.loads((out / "run.json").read_text())["status"] == "running"


def test_a_run_killed_while_writing_its_checkpoint_resumes_and_its_temporary_file_is_removed(method_runs, tmp_path):
    """Issue 44's scenario: SIGKILL in the middle of a checkpoint write (the child parks halfway through writing the
    temporary file). The previous checkpoint is intact; the next start removes the half-written file and resumes
    to the uninterrupted run's numbers."""


    out, flag = tmp_path / "killed", tmp_path / "parked"
    script = f"""
import pathlib, time
import numpy as np
from reproduction.training import driver
from tests.conftest import tiny_config
real, calls = np.savez, []
def savez(file, *args, **kwargs):
    calls.append(1)
    if len(calls) == 6 and hasattr(file, "write"):  # a checkpoint of the adversarial phase
        file.write(b"PK" + b"half a checkpoint" * 1000)
        file.flush()
        pathlib.Path({str(flag)!r}).touch()
        time.sleep(600)
    return real(file, *args, **kwargs)
np.savez = savez
driver.train(tiny_config(seed=0), pathlib.Path({str(out)!r}), show_progress=False)
"""
    kill_when_flagged(script, flag)  # SIGKILL once the script has created `flag`
    half, = out.glob(".checkpoint.npz.*.tmp")
    assert half.stat().st_size > 0 and checkpoint.read(out / "checkpoint.npz")  # the last good one, intact
    driver.train(tiny_config(seed=0), out, show_progress=False)
    assert not half.exists() and rows(out) == rows(method_runs["seqgan"][0])


@settings(max_examples=200, deadline=5000, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.one_of(st.none(), st.integers(0, 80_000)),
       flips=st.lists(st.tuples(st.integers(0, 80_000), st.integers(1, 255)), min_size=0, max_size=3))
def test_a_checkpoint_damaged_anywhere_is_refused_as_damaged_or_reads_exactly_as_written(killed_run, tmp_path,
                                                                                         cut, flips):
    """Bytes flipped anywhere, or the file cut anywhere: reading it either raises Damaged (one line) or gives every
    entry exactly as written (a flip in bytes no reader looks at); never different numbers."""
    original = (killed_run / "checkpoint.npz").read_bytes()
    data = bytearray(original)
    for offset, mask in flips:
        data[offset % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    path = tmp_path / "checkpoint.npz"
    path.write_bytes(bytes(data))
    try:
        arrays = checkpoint.read(path)
    except checkpoint.Damaged as e:
        assert "\n" not in str(e)
        return
    expected = load_npz(killed_run / "checkpoint.npz")
    assert arrays.keys() == expected.keys()
    assert all(arrays[k].dtype == expected[k].dtype and arrays[k].tobytes() == expected[k].tobytes() for k in arrays)
