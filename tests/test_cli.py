"""The command line: evaluate, sample, train; clear errors with exit status 2 for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from oracle.lstm import load_oracle
from reproduction.cli import main
from tests.conftest import MIRROR, ROOT, tiny_config


def write(path, text: str | bytes):
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_train_help_lists_its_options():  # (that --help loads no TensorFlow: tests/test_layout.py)
    result = subprocess.run([sys.executable, "-m", "reproduction", "train", "--help"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "--profile" in result.stdout and "--oracle" in result.stdout


def test_evaluate_prints_the_oracle_nll_of_a_token_file(tmp_path, capsys):
    oracle = load_oracle("random")
    seqs = oracle.sample(20, np.array([1, 1], np.int32))
    path = write(tmp_path / "s.txt", "".join(" ".join(map(str, r)) + "\n" for r in seqs))
    assert main(["evaluate", "--samples", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sequences"] == 20 and result["oracle"] == "random-s0"
    assert result["nll_oracle"] == pytest.approx(oracle.sequence_nll(seqs).mean(), abs=1e-9)


def test_evaluate_on_the_original_oracle_reads_the_mirror(tmp_path, capsys, mirror):
    from reproduction.datasets.synthetic import resolve_oracle

    seqs = np.array([[7] * 20, list(range(100, 2100, 100))], np.int32)
    path = write(tmp_path / "s.txt", "".join(" ".join(map(str, r)) + "\n" for r in seqs))
    assert main(["evaluate", "--oracle", "original", "--data-mirror", str(mirror), "--samples", str(path)]) == 0
    expected = resolve_oracle("original", mirror=mirror).sequence_nll(seqs).mean()  # the authors' oracle, not random
    assert float(capsys.readouterr().out) == pytest.approx(expected, abs=1e-6)
    assert expected != pytest.approx(load_oracle("random").sequence_nll(seqs).mean(), abs=0.1)


@pytest.mark.parametrize("content,message", [
    ("", "no sequences"),
    ("1 2 3\n", "3 tokens, expected 20"),
    (" ".join(["1"] * 20) + "\n" + " ".join(["1"] * 19) + "\n", ":2: 19 tokens"),
    (" ".join(["x"] * 20) + "\n", "'x' is not an integer"),
    (" ".join(["5000"] * 20) + "\n", "token id 5000 outside the vocabulary"),
    (" ".join(["-1"] * 20) + "\n", "token id -1 outside the vocabulary"),
    (b"\xff\xfe 1 2\n", "not UTF-8"),
])
def test_evaluate_rejects_bad_sample_files_with_status_2(tmp_path, capsys, content, message):
    path = write(tmp_path / "bad.txt", content)
    assert main(["evaluate", "--samples", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and "Traceback" not in err


def test_evaluate_reports_a_missing_file(tmp_path, capsys):
    assert main(["evaluate", "--samples", str(tmp_path / "none.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_sample_writes_sequences_from_a_trained_run(tmp_path, capsys, method_runs):
    out = method_runs["seqgan"][0]
    assert main(["sample", "--run", str(out), "--n", "7", "--out", str(tmp_path / "s.txt")]) == 0
    lines = (tmp_path / "s.txt").read_text().splitlines()
    assert len(lines) == 7 and all(len(line.split()) == 8 for line in lines)
    assert main(["sample", "--run", str(tmp_path / "nothing"), "--n", "3"]) == 2
    assert "no run.json" in capsys.readouterr().err


def test_train_rejects_a_bad_data_mirror(tmp_path, capsys):
    code = main(["train", "--oracle", "original", "--data-mirror", str(tmp_path / "missing"),
                 "--profile", "smoke", "--out", str(tmp_path / "run"), "--no-progress"])
    assert code == 2 and "is not a directory" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_train_rejects_an_out_of_range_option(tmp_path, capsys):
    code = main(["train", "--profile", "smoke", "--rollout-update-rate", "1.5", "--out", str(tmp_path / "r")])
    assert code == 2 and "rollout-update-rate" in capsys.readouterr().err


def test_bleu_command_matches_the_metric(tmp_path, capsys):
    from reproduction.metrics.bleu import bleu, self_bleu

    refs = [["a", "b", "c", "d"], ["b", "c", "d", "e"]]
    hyps = [["a", "b", "c", "e"], ["c", "d", "e"]]
    r = write(tmp_path / "r.txt", "a b c d\nb c d e\n")
    h = write(tmp_path / "h.txt", "a b c e\n\nc d e\n")  # blank lines are skipped
    assert main(["bleu", "--references", str(r), "--hypotheses", str(h), "--n", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["bleu_2"] == pytest.approx(bleu(refs, hyps, 2), abs=1e-12)
    assert main(["bleu", "--self", "--hypotheses", str(h), "--n", "2"]) == 0
    assert float(capsys.readouterr().out) == pytest.approx(self_bleu(hyps, 2), abs=1e-6)


def test_bleu_command_takes_the_rule_and_reports_it_in_json(tmp_path, capsys):
    from reproduction import cli
    from reproduction.metrics.bleu import BLEU_RULES, bleu, self_bleu

    assert cli.BLEU_RULES == BLEU_RULES
    refs, hyps = [[1, 2, 3, 4, 5]], [[1, 2, 3, 7, 7], [1, 2, 3, 4, 9]]  # no 4-gram match: the rules differ
    r, h = write(tmp_path / "r.txt", "1 2 3 4 5\n"), write(tmp_path / "h.txt", "1 2 3 7 7\n1 2 3 4 9\n")
    results = {}
    for rule in BLEU_RULES:
        assert main(["bleu", "--references", str(r), "--hypotheses", str(h), "--n", "4", "--rule", rule, "--json"]) == 0
        results[rule] = json.loads(capsys.readouterr().out)
        assert results[rule]["rule"] == rule
        assert results[rule]["bleu_4"] == pytest.approx(bleu(refs, hyps, 4, rule=rule), abs=1e-12)
    assert results["legacy"]["bleu_4"] > results["method1"]["bleu_4"]
    assert main(["bleu", "--references", str(r), "--hypotheses", str(h), "--n", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == results["method1"]  # method1 is the default
    assert main(["bleu", "--self", "--hypotheses", str(h), "--n", "4", "--rule", "legacy"]) == 0
    assert float(capsys.readouterr().out) == pytest.approx(self_bleu(hyps, 4, rule="legacy"), abs=1e-6)


@pytest.mark.parametrize("content,message", [("", "no sequences"), (b"\xff\xfe\n", "not UTF-8")])
def test_bleu_rejects_bad_files_with_status_2(tmp_path, capsys, content, message):
    bad = write(tmp_path / "bad.txt", content)
    good = write(tmp_path / "good.txt", "a b\n")
    assert main(["bleu", "--references", str(good), "--hypotheses", str(bad)]) == 2
    assert message in capsys.readouterr().err
    assert main(["bleu", "--hypotheses", str(good)]) == 2
    assert "--references FILE is required" in capsys.readouterr().err


@pytest.mark.parametrize("args,message", [
    (["--repeats", "0"], "--repeats must be at least 1"),
    (["--adv-repeats", "-1"], "--adv-repeats must be at least 1"),
    (["--out", "bench.txt"], "give a path ending in .md"),
])
def test_bench_rejects_bad_options_before_any_work(capsys, args, message):
    assert main(["bench", *args]) == 2
    assert message in capsys.readouterr().err


def test_bench_refuses_an_unwritable_report_path_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["bench", "--out", str(blocker / "bench.md")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_train_refuses_a_method_the_real_data_experiment_does_not_run(tmp_path, capsys):
    code = main(["train", "--dataset", "poems", "--method", "ss", "--out", str(tmp_path / "r")])
    assert code == 2 and "method ss is not run on real data" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("args,message", [
    (["--seeds", "--random-seeds", "--datasets"], "nothing to run"),
    (["--seeds", "--random-seeds", "--strategies", "--datasets", "poems", "--real-seeds"], "nothing to run"),
    (["--seeds", "--random-seeds", "--datasets", "poems"], "Figure 3's strategies run on a synthetic seed"),
])
def test_reproduce_refuses_an_empty_or_inconsistent_selection(tmp_path, capsys, args, message):
    assert main(["reproduce", *args, "--runs", str(tmp_path / "runs"), "--results", str(tmp_path / "res")]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("fault,status,message", [
    ("numerical fault", 3, "error: g_loss is nan in phase mle, step 1"),
    ("ctrl-c", 130, "interrupted; rerun the same command to resume from the last checkpoint"),
    ("user error", 2, "error: cannot write to"),
], ids=["numerical-fault", "ctrl-c", "user-error"])
def test_train_exit_status_through_main(tmp_path, monkeypatch, capsys, fault, status, message):
    """The real `main` on `train` (tiny shapes): a NaN loss exits 3, Ctrl-C inside the run 130, a user error 2;
    a message on standard error, never a traceback."""
    from reproduction import config
    from reproduction.training.mle import MLETrainer

    monkeypatch.setattr(config, "make_config", lambda method, profile, strategy=None, **kw: tiny_config(
        method=method, **kw))
    epoch, calls = MLETrainer.epoch, []

    def faulty_epoch(self, *args):
        calls.append(1)
        if len(calls) == 2 and fault == "numerical fault":
            return float("nan")
        if len(calls) == 2 and fault == "ctrl-c":
            raise KeyboardInterrupt
        return epoch(self, *args)

    monkeypatch.setattr(MLETrainer, "epoch", faulty_epoch)
    out = tmp_path / "run"
    if fault == "user error":
        (tmp_path / "a_file").write_text("")
        out = tmp_path / "a_file" / "run"
    assert main(["train", "--profile", "smoke", "--out", str(out), "--no-progress"]) == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if fault != "user error":  # stopped inside the run, which can be resumed from its checkpoint
        assert json.loads((out / "run.json").read_text())["status"] == "running"
        assert (out / "checkpoint.npz").exists()


def test_train_refuses_a_non_positive_adam_epsilon(tmp_path, capsys):
    code = main(["train", "--profile", "smoke", "--adam-epsilon", "0", "--out", str(tmp_path / "r")])
    assert code == 2 and "adam_epsilon must be positive" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_reproduce_gives_every_planned_run_its_adam_options(tmp_path, monkeypatch, mirror):
    from reproduction.sweeps import sweep

    planned = []
    monkeypatch.setattr(sweep, "train_all", lambda specs, *args, **kwargs: planned.extend(specs))
    code = main(["reproduce", "--profile", "smoke", "--seeds", "0", "--random-seeds", "--methods", "mle", "seqgan",
                 "--strategies", "d", "--datasets", "poems", "--real-seeds", "0", "--adam", "keras",
                 "--adam-epsilon", "1e-8", "--data-mirror", str(mirror), "--runs", str(tmp_path / "runs"),
                 "--results", str(tmp_path / "results"), "--train-only", "--no-progress"])
    assert code == 0
    assert [(s.cfg.method, s.cfg.dataset) for s in planned] == [
        ("seqgan", "synthetic"), ("mle", "synthetic"), ("seqgan", "synthetic"), ("seqgan", "poems"), ("mle", "poems")]
    assert {(s.cfg.adam, s.cfg.adam_epsilon) for s in planned} == {("keras", 1e-8)}


def test_oracle_spread_passes_its_adam_options(tmp_path, monkeypatch):
    from reproduction.config import AdamOptions
    from reproduction.publications import oracle_spread
    from reproduction.sweeps import sweep

    given, plan, published = [], oracle_spread.plan, oracle_spread.published_run
    monkeypatch.setattr(oracle_spread, "plan", lambda *args: given.append(args[5]) or plan(*args))
    monkeypatch.setattr(oracle_spread, "published_run", lambda *args: given.append(args[4]) or published(*args))
    monkeypatch.setattr(sweep, "train_all", lambda *args, **kwargs: None)
    monkeypatch.setattr(oracle_spread, "publish", lambda *args: None)
    assert main(["oracle-spread", "--profile", "smoke", "--adam-epsilon", "1e-8", "--no-progress", "--runs",
                 str(tmp_path / "runs"), "--results", str(tmp_path / "results")]) == 0
    assert given == [AdamOptions("fused", 1e-8)] * 2


@pytest.mark.parametrize("command", ["reproduce", "oracle-spread"])
def test_sweeps_refuse_a_non_positive_adam_epsilon(tmp_path, capsys, command):
    code = main([command, "--profile", "smoke", "--adam-epsilon", "-1", "--runs", str(tmp_path / "runs"),
                 "--results", str(tmp_path / "results"), "--no-progress"])
    assert code == 2 and "adam_epsilon must be positive" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists() and not (tmp_path / "results").exists()


def test_a_command_that_loads_tensorflow_prints_none_of_its_start_up_lines(tmp_path):
    """On a CPU machine TensorFlow announces oneDNN, absl's logging and a failed CUDA probe at start-up; no
    command passes them on (reproduction.quiet_tensorflow), and anything else it prints still gets through."""
    from reproduction import STARTUP_NOISE

    samples = write(tmp_path / "s.txt", "".join(" ".join(["1"] * 20) + "\n" for _ in range(3)))
    out = subprocess.run([sys.executable, "-m", "reproduction", "evaluate", "--samples", str(samples)], cwd=ROOT,
                         capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                              if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()
    assert not [line for line in out.stderr.splitlines() if STARTUP_NOISE.search(line)], out.stderr
    for noise in ("I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on.",
                  "E0000 00:00:1.0 1 cuda_platform.cc:52] failed call to cuInit: INTERNAL",
                  "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"):
        assert STARTUP_NOISE.search(noise)
    assert not STARTUP_NOISE.search("E0000 00:00:1.0 1 op_kernel.cc:1] OOM when allocating tensor")


FIRST_TENSORFLOW_IMPORT = """
import importlib.abc, json, sys
import reproduction
from reproduction.cli import COMMANDS, main

class Reached(BaseException):  # (not an Exception: no handler on the way swallows it)
    pass

def quiet():
    raise Reached("quiet")

class Loud(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "keras"):
            raise Reached("loud")

reproduction._load_tensorflow_quietly = quiet
sys.meta_path.insert(0, Loud())
seen = {}
for argv in json.loads(sys.argv[1]):
    try:
        seen[argv[0]] = f"returned {main(argv)}"
    except Reached as how:
        seen[argv[0]] = how.args[0]
print(json.dumps({"commands": sorted(COMMANDS), "seen": seen}))
"""


def test_every_command_quiets_tensorflow_before_it_first_imports_it(tmp_path):
    """The start-up lines can only be caught around TensorFlow's first import, so every command must reach
    quiet_tensorflow before any module that imports TensorFlow. Each command runs in one fresh interpreter up to
    its first import of TensorFlow or Keras, which is stopped there: through quiet_tensorflow ("quiet") or not
    ("loud"); a command that needs no TensorFlow returns. Every command is covered, each given what it needs to
    get that far."""
    samples = write(tmp_path / "s.txt", "".join(" ".join(["1"] * 20) + "\n" for _ in range(3)))
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_bytes((ROOT / "results/synthetic/quick/runs/mle_random_s0.json").read_bytes())
    write(run / "checkpoint.npz", b"")
    generator = write(tmp_path / "generator.keras", b"")
    runs, results = ["--runs", str(tmp_path / "runs")], ["--results", str(tmp_path / "results")]
    smoke = ["--profile", "smoke", *runs, *results]
    argvs = [["train", "--profile", "smoke", "--oracle", "random", "--out", str(tmp_path / "t")],
             ["evaluate", "--samples", str(samples)], ["sample", "--run", str(run)],
             ["reproduce", *smoke, "--seeds", "--random-seeds", "0", "--methods", "mle", "--strategies",
              "--datasets"],
             ["bleu", "--hypotheses", str(samples), "--references", str(samples)],
             ["rescore", "--run", str(tmp_path / "none")], ["bench", "--profile", "smoke", "--out",
                                                              str(tmp_path / "bench.md")],
             ["status", *runs], ["oracle-spread", *smoke, "--method", "mle", "--oracle-seeds", "1"],
             ["adam-epsilon", "--run", str(run)], ["highway-health", "--run", str(run)],
             ["reward-signal", "--run", str(run)], ["update-size", "--run", str(run)],
             ["benchmark", "--corpus", "coco", "--samples", str(samples), "--generator", str(generator),
              "--data-mirror", str(MIRROR)],
             ["precision-check", *smoke, "--seeds", "0", "--oracle", "random"]]
    (tmp_path / "runs").mkdir()
    out = subprocess.run([sys.executable, "-c", FIRST_TENSORFLOW_IMPORT, json.dumps(argvs)], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert sorted(result["seen"]) == result["commands"]
    assert {c: how for c, how in result["seen"].items() if how == "loud"} == {}
    no_tensorflow = {"bleu", "rescore", "status"}  # (rescore: a missing run here; a real one reads files only)
    assert {c for c, how in result["seen"].items() if how != "quiet"} == no_tensorflow, result["seen"]


def test_tensorflows_python_warnings_such_as_retracing_do_not_reach_the_user_but_its_errors_do():
    import logging

    import tensorflow as tf

    from reproduction import quiet_tensorflow

    tf.get_logger().setLevel("WARNING")
    quiet_tensorflow()  # (TensorFlow is loaded already here: only the logger's level is set)
    assert not tf.get_logger().isEnabledFor(logging.WARNING) and tf.get_logger().isEnabledFor(logging.ERROR)


def test_train_precision_reaches_the_discriminator_and_names_its_own_run_directory(tmp_path, monkeypatch, capsys):
    """`train --precision bfloat16` trains a discriminator computing in bfloat16 (nothing else changes) in a
    directory of its own by default, so that it never meets the float32 run of the same options; a precision
    that does not exist is refused with exit status 2."""
    from reproduction.training import driver

    trained = []
    monkeypatch.setattr(driver, "train", lambda cfg, out, *a, **k: trained.append((cfg, out)) or {})
    monkeypatch.chdir(tmp_path)
    for precision in ("float32", "bfloat16"):
        assert main(["train", "--profile", "smoke", "--seed", "1", "--strategy", "d", "--precision", precision,
                     "--no-progress"]) == 0
    (f32, out32), (b16, out16) = trained
    assert f32.discriminator.precision == "float32" and b16.discriminator.precision == "bfloat16"
    assert b16 == f32.__class__.from_dict({**f32.to_dict(), "discriminator": {**f32.to_dict()["discriminator"],
                                                                              "precision": "bfloat16"}})
    assert str(out32) == "runs/seqgan-strategy-d-random-smoke-s1"
    assert str(out16) == "runs/seqgan-strategy-d-bfloat16-random-smoke-s1"
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["train", "--profile", "smoke", "--precision", "float16"])
    assert stop.value.code == 2 and "invalid choice: 'float16'" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["sample", "--n", "2"], ["adam-epsilon"], ["update-size"]])
def test_a_command_needing_weights_says_a_run_restored_from_its_record_must_be_trained_again(tmp_path, capsys,
                                                                                             command):
    """A run put back from its record (a finished run's log and final samples, no checkpoint) cannot give the
    weights these commands read: they exit 2 saying so and what to do, not "train the run first" (`train` would
    find the run finished and do nothing)."""
    run = tmp_path / "seqgan-original-s0"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"status": "complete", "config": tiny_config().to_dict(),
                                              "restored_from": "results/synthetic/quick/runs/seqgan_original_s0.json"}))
    assert main([command[0], "--run", str(run), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert "restored from its record results/synthetic/quick/runs/seqgan_original_s0.json" in err
    assert "train it again in another directory" in err and "Traceback" not in err
