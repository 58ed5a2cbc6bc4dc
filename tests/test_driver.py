"""The training driver end to end (tiny shapes): phases, logs, provenance, resume, determinism."""

from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from reproduction.errors import UserError
from reproduction.training import checkpoint, driver, lock
from reproduction.training import shared_pretraining as shared_pretraining_module
from tests.conftest import TINY_SCHEDULE, kill_when_flagged, tiny_config


def rows(run_dir):
    """The logged rows without wall-clock time (the only column that may differ between equal runs)."""
    with open(run_dir / "metrics.csv", newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def finished_run(method_runs):
    """The default (SeqGAN) tiny run with seed 0, finished: (directory, summary)."""
    return method_runs["seqgan"]


@pytest.fixture(scope="module")
def delayed_run(tmp_path_factory):
    """SeqGAN with the authors' delayed rollout copy (rate 0.8), seed 0, finished: its directory."""
    out = tmp_path_factory.mktemp("delayed") / "run"
    driver.train(tiny_config(seed=0, rollout_update_rate=0.8), out, show_progress=False)
    return out


@pytest.fixture(scope="module")
def shared_pretraining(tmp_path_factory):
    """A shared-pretraining folder holding the snapshot an uninterrupted tiny run (seed 0) left there."""
    share = tmp_path_factory.mktemp("shared")
    driver.train(tiny_config(seed=0, method="mle"), share.parent / "donor", show_progress=False, share_dir=share)
    assert len(list(share.glob("pretrained-*.npz"))) == 1
    return share


def test_a_run_goes_through_every_phase_and_logs_each_evaluation(finished_run):
    out, summary = finished_run
    logged = rows(out)
    s = TINY_SCHEDULE
    mle = [r for r in logged if r["phase"] == "mle"]
    assert [int(r["epoch"]) for r in mle] == [0, 2]  # every mle_eval_every epochs, and the last
    assert len([r for r in logged if r["phase"] == "d_pretrain"]) == s.d_pretrain_rounds
    adv = [r for r in logged if r["phase"] == "adversarial"]
    assert [int(r["x"]) for r in adv] == [s.mle_epochs + b for b in range(s.adv_batches)]
    for r in adv:  # (the values of the NLLs: test_methods recomputes them from the final checkpoint)
        assert r["nll_oracle"] and r["nll_test"] and 0 <= float(r["mean_reward"]) <= 1 and r["d_accuracy"]
    assert summary["nll_oracle_end_of_mle"] == pytest.approx(float(mle[-1]["nll_oracle"]), abs=1e-6)
    assert summary["nll_oracle_final"] == pytest.approx(float(adv[-1]["nll_oracle"]), abs=1e-6)
    assert set(summary["phase_seconds"]) == {"mle", "d_pretrain", "adversarial"}
    assert list((out / "tensorboard").iterdir())


def test_run_json_carries_config_and_provenance(finished_run):
    out, _ = finished_run
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "complete"
    assert meta["config"]["schedule"]["rollout_num"] == TINY_SCHEDULE.rollout_num
    assert meta["seed"] == 0 and meta["profile"] == "smoke" and meta["commit"]
    assert meta["machine"]["cores"] == os.cpu_count() and meta["machine"]["tensorflow"] == tf.__version__
    summary = meta["summary"]
    assert summary["wall_seconds"] == pytest.approx(sum(summary["phase_seconds"].values()))
    with open(out / "metrics.csv", newline="") as f:
        last_row_wall = float(list(csv.DictReader(f))[-1]["wall_seconds"])
    assert summary["wall_seconds"] == pytest.approx(last_row_wall, abs=1e-6)  # the clock stops at the last evaluation


def test_same_seed_gives_the_same_numbers(finished_run, tmp_path):
    out, _ = finished_run
    driver.train(tiny_config(seed=0), tmp_path / "again", show_progress=False)
    assert rows(tmp_path / "again") == rows(out)


def test_the_seed_keys_the_data_and_every_initialisation():
    """(Without training: two seeds already differ in what the run starts from, and one seed never does.)"""
    from reproduction.training.components import build

    a, b, again = (build(tiny_config(seed=s)) for s in (0, 1, 0))
    assert not np.array_equal(a.real, b.real) and not np.array_equal(a.held_out, b.held_out)
    for x, z in zip(a.generator.variables + a.discriminator.variables,
                    again.generator.variables + again.discriminator.variables, strict=True):
        np.testing.assert_array_equal(x.numpy(), z.numpy())
    assert any(not np.array_equal(x.numpy(), y.numpy()) for x, y in zip(a.generator.variables, b.generator.variables,
                                                                          strict=True))
    assert any(not np.array_equal(x.numpy(), y.numpy())
               for x, y in zip(a.discriminator.variables, b.discriminator.variables, strict=True))


def test_a_finished_run_is_not_trained_again_and_says_so(finished_run, capsys):
    out, summary = finished_run
    before = (out / "metrics.csv").read_text()
    assert driver.train(tiny_config(seed=0), out, show_progress=True) == summary
    assert (out / "metrics.csv").read_text() == before
    assert f"{out}: complete, nothing to train" in capsys.readouterr().err


def test_resuming_with_another_configuration_is_refused(finished_run):
    out, _ = finished_run
    with pytest.raises(UserError, match=r"another configuration \(seed: 0, not 5\)"):
        driver.train(tiny_config(seed=5), out, show_progress=False)


def test_the_delayed_rollout_copy_starts_as_the_pretrained_generator_and_then_lags_behind_it(finished_run,
                                                                                          delayed_run):
    """Algorithm 1, line 3 (beta <- theta after pretraining): in the first adversarial batch the delayed copy is
    the generator itself (one g-step at the tests' schedule), so that batch logs exactly the plain run's numbers;
    after it the copy is 0.8 of its old self and 0.2 of the updated generator, and the runs part."""
    out, _ = finished_run
    delayed, plain = rows(delayed_run), rows(out)
    assert TINY_SCHEDULE.g_steps == 1
    first = next(i for i, r in enumerate(plain) if r["phase"] == "adversarial")
    assert delayed[:first + 1] == plain[:first + 1]  # pretraining, and the first adversarial batch
    assert delayed[first + 1:] != plain[first + 1:]


def test_a_nan_loss_stops_the_run_naming_phase_and_step_and_keeps_the_checkpoint(tmp_path, monkeypatch):
    from reproduction.errors import NumericalFault
    from reproduction.training.mle import MLETrainer

    original = MLETrainer.epoch
    calls = []

    def nan_on_third(self, *args):
        calls.append(1)
        return float("nan") if len(calls) == 3 else original(self, *args)

    monkeypatch.setattr(MLETrainer, "epoch", nan_on_third)
    with pytest.raises(NumericalFault, match="g_loss is nan in phase mle, step 2"):
        driver.train(tiny_config(seed=0), tmp_path / "nan", show_progress=False)
    kept = tmp_path / "nan" / "checkpoint.npz"  # the last good one, intact: written after epoch 0's evaluation
    assert checkpoint.read(kept) and checkpoint.progress(checkpoint.read(kept)) == "mle, 1 steps done"
    assert len(rows(tmp_path / "nan")) == 1  # the evaluation after epoch 0 survives


# An interrupted run, by method and option: (config overrides, shared pretraining, phase and step to stop in, the
# uninterrupted run it must equal). Shared pretraining: "donor" = the run starts from a snapshot another run left
# (it must not train MLE itself), "empty" = the interrupted run is the one to leave the snapshot. Plain SeqGAN in
# each of its three phases is the SIGKILL test's (below), with real kills.
INTERRUPTIONS = {
    "ss": ({"method": "ss"}, None, "ss_step", 3, "ss"),
    "pgbleu": ({"method": "pgbleu"}, None, "adversarial_step", 1, "pgbleu"),
    "mle": ({"method": "mle"}, None, "mle_continued_step", 1, "mle"),
    "seqgan-delayed-rollout": ({"rollout_update_rate": 0.8}, None, "adversarial_step", 2, "delayed"),
    "from-shared-pretraining": ({}, "donor", "d_pretrain_step", 0, "seqgan"),
    "leaving-shared-pretraining": ({}, "empty", "mle_step", 1, "seqgan"),
}


@pytest.mark.parametrize("case", INTERRUPTIONS)
def test_an_interrupted_run_of_each_method_and_option_resumes_to_the_same_numbers(request, method_runs, tmp_path,
                                                                                 monkeypatch, capsys, case):
    """The run stops inside the phase's step (a KeyboardInterrupt raised there, in this process), then the same
    call resumes; its metrics.csv equals the uninterrupted run's in every column but wall-clock time.

    Why in this process and not with a SIGKILL per case: the driver catches nothing, and every file it resumes
    from (checkpoint, metrics.csv, run.json, shared snapshots) is written whole, a temporary file renamed over
    it (io_utils.atomic_write), after an evaluation, never during a step; so the interruption leaves on disk
    what a kill at that point would. It differs only where the method and option play no part: the lock's
    `finally` runs (a kill leaves the lock file naming the dead process), open writers such as TensorBoard's
    may flush (a kill loses their buffers), and the resume runs in the same process (a killed run's resume
    starts with nothing in memory). Real kills check those, one in each phase, each resumed by a new process:
    test_a_seqgan_run_killed_with_sigkill_in_each_phase_resumes_to_the_same_numbers."""
    overrides, shared, phase, step, baseline = INTERRUPTIONS[case]
    expected = rows(request.getfixturevalue("delayed_run") if baseline == "delayed" else method_runs[baseline][0])
    share = {None: None, "donor": request.getfixturevalue("shared_pretraining"), "empty": tmp_path / "shared"}[shared]
    out, cfg = tmp_path / "resumed", tiny_config(seed=0, **overrides)
    if shared == "donor":  # in both sessions
        def no_pretraining(self, *args, **kwargs):
            raise AssertionError("the MLE pretraining should have come from the shared snapshot")

        monkeypatch.setattr(driver.Trainer, "mle_step", no_pretraining)
    original = getattr(driver.Trainer, phase)

    def dies_at(self, i):
        if i == step:
            raise KeyboardInterrupt
        return original(self, i)

    monkeypatch.setattr(driver.Trainer, phase, dies_at)
    with pytest.raises(KeyboardInterrupt):
        driver.train(cfg, out, show_progress=False, share_dir=share)
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    assert len(rows(out)) < len(expected)
    monkeypatch.setattr(driver.Trainer, phase, original)
    capsys.readouterr()
    driver.train(cfg, out, show_progress=True, share_dir=share)
    assert rows(out) == expected
    assert f"resumed: resuming at {phase.removesuffix('_step')} step" in capsys.readouterr().err
    if shared == "empty":  # the snapshot the resumed run left holds the uninterrupted run's end-of-MLE weights
        left, donor = (np.load(d / shared_pretraining_module.path(d, cfg).name)
                       for d in (share, request.getfixturevalue("shared_pretraining")))
        arrays = [k for k in donor.files if not k.startswith("__")]  # (the state and checksum hold wall times)
        assert sorted(arrays) == sorted(k for k in left.files if not k.startswith("__")) and arrays
        for key in arrays:
            np.testing.assert_array_equal(left[key], donor[key], err_msg=key)


# The SIGKILL test's kill points: one in each phase of a SeqGAN run, in the order the run reaches them.
SIGKILLS = (("mle_step", 1), ("d_pretrain_step", 1), ("adversarial_step", 1))


@pytest.mark.slow
def test_a_seqgan_run_killed_with_sigkill_in_each_phase_resumes_to_the_same_numbers(finished_run, tmp_path):
    """Real SIGKILLs, one in each phase (the child parks inside the phase's step): each time a new process
    resumes the same call from what the killed one left (no `finally` ran, no buffer was flushed, the lock file
    still names the dead process), and the last resume finishes with the uninterrupted run's metrics.csv in
    every column but wall-clock time; run.json counts one session per process."""
    def logged():  # with wall-clock times: a resumed run keeps the rows before it as they were
        with open(out / "metrics.csv", newline="") as f:
            return list(csv.DictReader(f))

    expected = rows(finished_run[0])
    out = tmp_path / "killed"
    before: list[dict] = []
    for kills, (phase, step) in enumerate(SIGKILLS, start=1):
        flag = tmp_path / f"parked-{kills}"
        script = f"""
import os, pathlib, time
from reproduction.training import driver
from tests.conftest import tiny_config
original = driver.Trainer.{phase}
def park(self, i):
    if i == {step}:
        flag = pathlib.Path({str(flag)!r})
        flag.with_suffix(".tmp").write_text(str(os.getpid()))
        os.replace(flag.with_suffix(".tmp"), flag)
        time.sleep(600)
    return original(self, i)
driver.Trainer.{phase} = park
driver.train(tiny_config(seed=0), pathlib.Path({str(out)!r}), show_progress=False)
"""
        kill_when_flagged(script, flag)  # SIGKILL once the script has created `flag`
        meta = json.loads((out / "run.json").read_text())
        assert meta["status"] == "running" and len(meta["sessions"]) == kills
        # the lock file still names the dead process (its flock died with it): it must not block the next one
        assert (lock.holder(out) or {}).get("pid") == int(flag.read_text())
        now = rows(out)  # up to the last evaluation before the kill point, further each time, resumed not redone
        assert now == expected[:len(now)] and len(before) < len(now) < len(expected)
        assert (now[-1]["phase"], int(now[-1]["epoch"])) == (phase.removesuffix("_step"), step - 1)
        assert logged()[:len(before)] == before
        before = logged()
    driver.train(tiny_config(seed=0), out, show_progress=False)  # the last resume, in this process
    assert rows(out) == expected and logged()[:len(before)] == before
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "complete" and len(meta["sessions"]) == len(SIGKILLS) + 1
    assert lock.holder(out) is None  # released by the process that finished it


def test_a_corrupt_checkpoint_without_a_good_previous_one_is_a_clear_error(finished_run, tmp_path):
    import shutil

    out = tmp_path / "corrupt"
    shutil.copytree(finished_run[0], out)
    meta = json.loads((out / "run.json").read_text())
    meta["status"] = "running"
    (out / "run.json").write_text(json.dumps(meta))
    (out / "checkpoint.npz").write_bytes(b"PK\x03\x04 not really a zip")
    (out / "checkpoint.previous.npz").unlink()
    with pytest.raises(UserError, match=r"checkpoint.npz is unreadable .* no previous checkpoint .* nothing was "):
        driver.train(tiny_config(seed=0), out, show_progress=False)


def test_a_checkpoint_of_other_shapes_is_refused(finished_run, tmp_path):
    import dataclasses
    import shutil

    from tests.conftest import TINY_SHAPE

    out = tmp_path / "mismatch"
    shutil.copytree(finished_run[0], out)
    cfg = tiny_config(seed=0, shape=dataclasses.replace(TINY_SHAPE, hidden_dim=6))
    (out / "run.json").write_text(json.dumps({"config": json.loads(json.dumps(cfg.to_dict())), "status": "running"}))
    with pytest.raises(UserError, match=r"(do not match|has shape).*start afresh"):
        driver.train(cfg, out, show_progress=False)


def test_an_unwritable_output_directory_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(UserError, match="cannot write to"):
        driver.train(tiny_config(seed=0), blocker / "run", show_progress=False)
