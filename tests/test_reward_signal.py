"""`reward-signal`: how D ranks the generator's samples against the oracle's likelihood, per stage of a run."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from reproduction.cli import main
from reproduction.diagnostics import run_stages
from reproduction.diagnostics.reward_signal import reward_signal, spearman
from reproduction.models.generator import sample_many
from reproduction.seeding import derive
from reproduction.training.components import load_data


def test_spearman_is_one_for_any_increasing_relation_and_its_interval_narrows_with_n():
    x = np.random.default_rng(0).normal(size=400)
    assert spearman(x, np.exp(3 * x))[0] == pytest.approx(1.0)
    assert spearman(x, -x ** 3)[0] == pytest.approx(-1.0)
    noise = np.random.default_rng(1).normal(size=400)
    r, (low, high) = spearman(x, x + 2 * noise)
    assert low < r < high
    _, (low_small, high_small) = spearman(x[:50], (x + 2 * noise)[:50])
    assert high - low < high_small - low_small


def test_the_correlation_is_of_ds_probability_with_the_oracles_likelihood_of_the_same_samples(shared_run):
    run, cfg = shared_run
    signals = reward_signal(run, sequences=60)
    assert [s.stage.split(" (")[0] for s in signals] == ["after pretraining", "latest checkpoint"]
    latest = run_stages.stages(run, cfg)[-1]
    generator, d = run_stages.generator_at(latest, cfg), run_stages.discriminator_at(latest, cfg)
    samples = sample_many(generator, 60, derive(cfg.seed, "reward-signal"))
    oracle = load_data(cfg, None)[2]
    nll = oracle.sequence_nll(samples)
    expected = spearman(np.asarray(d.prob_real(samples), np.float64), -nll)[0]
    assert signals[-1].spearman == pytest.approx(expected, abs=1e-6)
    own = spearman(-generator.sequence_nll(samples).numpy(), -nll)[0]
    assert signals[-1].spearman_generator == pytest.approx(own, abs=1e-6)
    assert signals[-1].nll_oracle == pytest.approx(nll.mean())
    assert signals[-1].d_samples == pytest.approx(float(np.mean(d.prob_real(samples))), rel=1e-5)


def test_the_command_refuses_runs_it_cannot_judge(tmp_path, capsys, method_runs, shared_run):
    out = tmp_path / "r.md"
    assert main(["reward-signal", "--run", str(shared_run[0]), "--sequences", "30", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| after pretraining |" in printed and out.read_text().strip() == printed.strip()
    assert main(["reward-signal", "--run", str(shared_run[0]), "--sequences", "30", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["reward-signal", "--run", str(method_runs["pgbleu"][0])]) == 2
    assert "is a run of method pgbleu: only seqgan runs have a discriminator" in capsys.readouterr().err
    assert main(["reward-signal", "--run", str(shared_run[0]), "--sequences", "3"]) == 2
    assert "--sequences must be between 4 and 128" in capsys.readouterr().err


def test_the_update_size_diagnostic_sees_adams_scale_invariance_and_reports_every_reward(shared_run, tmp_path,
                                                                                        capsys, monkeypatch):
    """From a fresh Adam, one step's update is the same for reward 1 and 0.5 (Adam divides by the gradient's
    scale): the mechanism by which a constant reward acts like MLE on the generator's own samples; from the shared
    snapshots alone, so a run restored from its record has it too. The command reports the traces the function
    computed (computed once here, for both)."""
    from reproduction.cli import main
    from reproduction.diagnostics import update_size
    from reproduction.diagnostics.update_size import SCALES, cosine, update_sizes

    run, _ = shared_run
    restored = tmp_path / run.parent.name / run.name  # as a run restored from its record: no checkpoint.npz
    shutil.copytree(run, restored, ignore=shutil.ignore_patterns("checkpoint.npz"))
    shutil.copytree(run.parent / "shared", restored.parent / "shared")
    cfg, traces = update_sizes(restored, steps=2)  # needs only the shared snapshots beside the run
    by_name = {t.reward: t for t in traces}
    one, half = by_name["reward 1 for every token"], by_name["reward 0.5 for every token"]
    assert half.norms[0] == pytest.approx(one.norms[0], rel=1e-4)
    assert cosine(half.first_update, one.first_update) == pytest.approx(1.0, abs=1e-5)
    assert half.mean_rewards == [0.5, 0.5] and len(traces) == 2 + len(SCALES)
    calls = []
    monkeypatch.setattr(update_size, "update_sizes", lambda *args, **kw: calls.append((args, kw)) or (cfg, traces))
    out = tmp_path / "update.md"
    assert main(["update-size", "--run", str(run), "--steps", "1", "--out", str(out)]) == 0
    assert calls == [((run, 1), {"mirror": None})]
    assert out.with_suffix(".png").is_file() and "| reward 1e-05 for every token |" in out.read_text()
    # the file names the run as on any machine, not by this machine's folders (it is committed to results/)
    assert f"--run <runs>/{run.parent.name}/{run.name}`" in out.read_text() and str(run) not in out.read_text()
    monkeypatch.undo()  # the function itself refuses a bad count, before computing anything
    assert main(["update-size", "--run", str(run), "--steps", "0"]) == 2
    assert "--steps must be between 1 and 1000" in capsys.readouterr().err
