"""`status`: where each run of a sweep stands, read from the run directories alone."""

from __future__ import annotations

import json

import pytest

from reproduction.cli import main
from reproduction.training import driver
from tests.conftest import tiny_config


def test_status_names_finished_runs_and_where_an_interrupted_one_stands(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs" / "smoke"
    driver.train(tiny_config(seed=0), runs / "seqgan-done", show_progress=False)
    original = driver.Trainer.adversarial_step

    def dies_at_2(self, i):
        if i == 2:
            raise KeyboardInterrupt
        return original(self, i)

    monkeypatch.setattr(driver.Trainer, "adversarial_step", dies_at_2)
    with pytest.raises(KeyboardInterrupt):
        driver.train(tiny_config(seed=1), runs / "seqgan-killed", show_progress=False)
    capsys.readouterr()
    assert main(["status", "--runs", str(tmp_path / "runs"), "--json"]) == 0
    done, killed = json.loads(capsys.readouterr().out)
    assert (done["run"], done["status"]) == ("seqgan-done", "complete")
    schedule = tiny_config().schedule
    assert (killed["status"], killed["phase"], killed["step"], killed["steps"]) == (
        "in progress", "adversarial", 2, schedule.adv_batches)  # evaluated after batches 0 and 1
    assert killed["phase_hours_left"] >= 0


def test_status_of_a_missing_runs_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["status", "--runs", str(tmp_path / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err
