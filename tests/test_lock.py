"""One writer per run directory: the lock `train` holds, refused to a second process naming the first, and
released by the OS when its holder is killed (real processes and SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from reproduction.errors import UserError
from reproduction.training import lock
from tests.conftest import ROOT

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def wait_for(path, proc, seconds=300):
    deadline = time.monotonic() + seconds
    while not path.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.exists(), proc.stderr.read().decode()[-2000:] if proc.poll() is not None else "timed out"


def test_a_second_holder_is_refused_naming_the_first_and_the_lock_is_free_after(tmp_path):
    run = tmp_path / "run"
    with lock.hold(run):
        assert lock.holder(run)["pid"] == os.getpid()
        with pytest.raises(UserError, match=rf"{run} is being trained by pid {os.getpid()} on host "), lock.hold(run):
            pass
    assert lock.holder(run) is None  # released: nobody to name
    with lock.hold(run):
        pass


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path):
    run, flag = tmp_path / "run", tmp_path / "held"
    script = f"""
import pathlib, time
from reproduction.training import lock
with lock.hold({str(run)!r}):
    pathlib.Path({str(flag)!r}).touch()
    time.sleep(600)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=ENV, stderr=subprocess.PIPE)
    try:
        wait_for(flag, proc, 60)
        with pytest.raises(UserError, match=f"pid {proc.pid} on host"), lock.hold(run):
            pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert lock.holder(run)["pid"] == proc.pid  # the killed holder's note stays, its lock does not
    with lock.hold(run):
        assert lock.holder(run)["pid"] == os.getpid()


def test_an_unwritable_run_directory_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(UserError, match="cannot write to"), lock.hold(tmp_path / "file" / "run"):
        pass


# `python -m reproduction` with every run at the tests' tiny shapes (tests/conftest.py): the command line's own path
TINY_MAIN = """
import sys
from reproduction import config
from reproduction.cli import main
from tests.conftest import tiny_config
config.make_config = lambda method, profile="paper", **kw: tiny_config(method=method, **kw)
"""


@pytest.mark.slow
def test_a_second_train_process_is_refused_then_resumes_after_the_first_is_killed(tmp_path):
    """`train` in two processes on one directory: the second exits 2 naming the first's pid; once the first is
    SIGKILLed, the same command resumes the run from its checkpoint and finishes it (tiny shapes)."""
    out, flag = tmp_path / "run", tmp_path / "parked"
    first = TINY_MAIN + f"""
import pathlib, time
from reproduction.variants import make_variant
from reproduction.training import driver
original = driver.Trainer.mle_step
def park(self, i, *args):
    if i == 1:
        pathlib.Path({str(flag)!r}).touch()
        time.sleep(600)
    return original(self, i, *args)
driver.Trainer.mle_step = park
driver.train(make_variant("mle", "smoke"), {str(out)!r}, show_progress=False)
"""
    command = [sys.executable, "-c", TINY_MAIN + "sys.exit(main(sys.argv[1:]))", "train", "--method", "mle",
               "--profile", "smoke", "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-c", first], cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        wait_for(flag, proc)
        second = subprocess.run([*command, "--no-progress"], cwd=ROOT, env=ENV, capture_output=True, text=True,
                                timeout=300)
        assert second.returncode == 2, second.stderr[-2000:]
        assert f"is being trained by pid {proc.pid} on host" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    again = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "resuming at mle step 1" in again.stderr
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "complete" and len(meta["sessions"]) == 2  # the refused process never started one
