"""Shared fixtures: tiny shapes, the data mirror (../shared/data), an isolated data directory."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from reproduction.config import DiscriminatorConfig, LSTMShape, RunConfig, Schedule
from reproduction.io_utils import built_once

ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("SEQGAN_DATA_MIRROR") or ROOT.parent / "shared" / "data")

TINY_SHAPE = LSTMShape(vocab_size=40, emb_dim=8, hidden_dim=8, seq_len=8)
TINY_DISC = DiscriminatorConfig(emb_dim=8, filter_sizes=(1, 2, 3, 8), num_filters=(4, 4, 4, 6))
TINY_SCHEDULE = Schedule(num_train=128, batch_size=16, mle_epochs=3, mle_eval_every=2, d_pretrain_rounds=2,
                         d_pretrain_epochs=1, d_negatives=64, d_positives=64, adv_batches=3, d_steps=2,
                         k_epochs=1, rollout_num=2, adv_eval_every=1, eval_samples=64)


def tiny_config(**overrides) -> RunConfig:
    defaults = {"profile": "smoke", "shape": TINY_SHAPE, "discriminator": TINY_DISC, "schedule": TINY_SCHEDULE}
    return RunConfig(**{**defaults, **overrides})


def session_dir(tmp_path_factory) -> Path:
    """The session's own temporary folder, one for all xdist workers (their base folders' parent)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


# TensorFlow rewrites every traced function's graph (grappler) before its first call. At the tests' tiny shapes
# that costs more than it saves (measured turn about on an AMD EPYC Zen 4: a tiny SeqGAN run and a tiny MLE run,
# 3.6 s against 4.5; five files of in-process training tests, 59 and 72 s against 66 and 75), so the tests'
# processes skip it; every user's run keeps it. The rewrites fuse operations, so a number can differ in its last
# bits between a process with them and one without (a g_loss of 208.715790 against 208.715775): a script that a
# test runs in a process of its own to compare its numbers with this one's starts with these lines too
# (kill_when_flagged, test_api's run_python); sweeps a test starts in two processes to compare with each other
# keep the rewrites in both.
SKIP_GRAPH_REWRITES = ("import tensorflow as tf\n"
                       "tf.config.optimizer.set_experimental_options({'disable_meta_optimizer': True})\n")


@pytest.fixture(scope="session", autouse=True)
def without_graph_rewrites():
    """SKIP_GRAPH_REWRITES in the tests' own processes; session-wide and autouse, so set before any fixture traces
    a function."""
    exec(SKIP_GRAPH_REWRITES, {})


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory):
    """Session-wide, so that module- and session-scoped fixtures (set up before any function-scoped one) also
    cache their oracle data and preprocessed corpora in the session's temporary folder, never in the project's
    data/. Under xdist the workers share one folder (their base folders' parent, the session's own): a corpus
    built by one worker (Nottingham's takes about 20 s) is read by the other, which waits while it is built
    (corpus.read_or_build), as a user's second command would."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEQGAN_DATA_DIR", str(session_dir(tmp_path_factory) / "data"))
        mp.delenv("SEQGAN_DATA_MIRROR", raising=False)
        yield


@pytest.fixture(scope="session")
def method_runs(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """One finished tiny run of each method with seed 0: its directory and summary (shared by the test modules
    and the xdist workers; read them, copy them to change them)."""
    from reproduction.training import driver

    base = session_dir(tmp_path_factory) / "method-runs"
    with built_once(base):  # under xdist the first worker trains them; the others wait, then find them finished
        return {m: (base / m, driver.train(tiny_config(method=m), base / m, show_progress=False))
                for m in ("seqgan", "pgbleu", "mle", "ss")}


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory) -> tuple[Path, RunConfig]:
    """A finished tiny SeqGAN run with its sweep's shared pretraining snapshots beside it (RUNS/shared/), as
    `reproduce` leaves them: the diagnostics read it after pretraining as well as at its end."""
    from reproduction.training import driver

    cfg = tiny_config(method="seqgan")
    base = session_dir(tmp_path_factory) / "shared-run"
    with built_once(base):
        driver.train(cfg, base / "seqgan", show_progress=False, share_dir=base / "shared")
    return base / "seqgan", cfg


def require_mirror(*files: str) -> Path:
    """The data mirror (../shared/data or SEQGAN_DATA_MIRROR, read when the tests were collected), holding `files`:
    the test is skipped without it, and fails under CI."""
    missing = [f for f in files if not (MIRROR / f).is_file()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the data mirror at {MIRROR} (missing: {', '.join(missing)})")
        pytest.skip(f"no data mirror with {', '.join(missing)} at {MIRROR} (set SEQGAN_DATA_MIRROR)")
    return MIRROR


@pytest.fixture
def mirror() -> Path:
    return require_mirror("seqgan_original/target_params_py3.pkl")


def assert_republished(args: list[str], folder: str, pattern: str, tmp_path: Path, mirror: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """results/ is what the code makes: copy the committed records of results/`folder`/runs/ alone into a scratch
    folder, run the command `args` on them with training forbidden, and compare every committed .csv and .md of
    results/`folder` matching `pattern` with what it made, byte for byte."""
    import shutil

    from reproduction.cli import main
    from reproduction.training import driver

    def no_training(*a, **k):
        raise AssertionError("a committed run has no matching record: it would be trained")

    monkeypatch.setattr(driver.Trainer, "run", no_training)
    results = tmp_path / "results"
    shutil.copytree(ROOT / "results" / folder / "runs", results / folder / "runs")  # the records alone
    assert main([*args, "--no-progress", "--data-mirror", str(mirror), "--runs", str(tmp_path / "runs"),
                 "--results", str(results)]) == 0
    committed = sorted(p for p in (ROOT / "results" / folder).glob(pattern)
                       if p.is_file() and p.suffix in (".csv", ".md"))
    assert committed, f"nothing committed under results/{folder} matches {pattern}"
    for path in committed:
        made = results / folder / path.name
        assert made.is_file(), f"results/{folder}/{path.name} is committed but the records do not make it"
        assert made.read_bytes() == path.read_bytes(), f"results/{folder}/{path.name} differs from what its " \
                                                       "records make: republish it, do not edit it"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than 15 s (deselect with -m 'not slow')")


def pytest_collection_modifyitems(config, items):
    """Whole files in the order the workers take them (--dist=loadfile, --no-loadscope-reorder): those with the
    most slow tests first, then by their number of tests, so that the last files handed out are short and the
    two workers finish together; a file's own order is kept."""
    from collections import Counter

    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    count = Counter(item.path for item in items)
    items.sort(key=lambda item: (-slow[item.path], -count[item.path], str(item.path)))


def kill_when_flagged(script: str, flag: Path, timeout: float = 300.0) -> None:
    """Run `script` in a fresh Python process from the project's root (without graph rewrites, as the tests run)
    and SIGKILL it as soon as it has created `flag` (it must, within `timeout` seconds): a crash at a chosen point,
    as a lost machine would leave a run."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", SKIP_GRAPH_REWRITES + script], cwd=ROOT,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert flag.exists(), proc.stderr.read().decode()[-2000:] if proc.poll() is not None else "timed out"
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def shrink_text_curves(mp: pytest.MonkeyPatch) -> None:
    """Real-text temperature curves (training/temperature_curve.text_curve) at two temperatures, with each NLL set
    cut to its first sequences: tests that train whole runs on a real corpus keep them to seconds."""
    import dataclasses

    from reproduction.datasets import benchmark_view
    from reproduction.training import temperature_curve

    view_of = benchmark_view.load_data

    def small(name, mirror=None):
        d = view_of(name, mirror)
        return dataclasses.replace(d, train_ids=d.train_ids[:128], heldout_ids=d.heldout_ids[:64])

    mp.setattr(benchmark_view, "load_data", small)
    mp.setattr(temperature_curve, "TEXT_TEMPERATURES", (0.8, 1.0))
