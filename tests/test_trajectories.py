"""Paths on the quality-coverage plane: the mean path over seeds after the pretraining, its crossing of a given
NLL-test, and which rows have a path at all."""

from __future__ import annotations

import json

import pytest

from reproduction.publications import trajectories


def _run(path, rows, phase_seconds=None):
    path.mkdir(parents=True)
    lines = ["phase,epoch,x,nll_oracle,nll_test"] + [f"{p},{x},{x},{o},{t}" for p, x, t, o in rows]
    (path / "metrics.csv").write_text("\n".join(lines) + "\n")
    (path / "run.json").write_text(json.dumps({"status": "complete",
                                               "summary": {"phase_seconds": phase_seconds or {}}}))


def test_the_mean_path_starts_at_the_end_of_pretraining_and_keeps_the_evaluations_every_seed_has(tmp_path):
    _run(tmp_path / "a", [("mle", 0, 10.0, 10.0), ("mle", 5, 9.0, 9.0), ("d_pretrain", 5, 9.0, 9.0),
                          ("adversarial", 6, 9.2, 8.8), ("adversarial", 7, 9.4, 8.6)])
    _run(tmp_path / "b", [("mle", 5, 9.2, 9.2), ("adversarial", 6, 9.4, 8.6)])
    assert trajectories.mean_path([tmp_path / "a", tmp_path / "b"]) == [
        (5.0, pytest.approx(9.1), pytest.approx(9.1)), (6.0, pytest.approx(9.3), pytest.approx(8.7))]


def test_a_path_is_read_at_an_nll_test_between_evaluations_or_not_at_all():
    path = [(0.0, 9.0, 9.0), (1.0, 9.2, 8.8), (2.0, 9.4, 8.4)]
    assert trajectories.at_nll_test(path, 9.3) == pytest.approx(8.6)
    assert trajectories.at_nll_test(path, 9.0) == pytest.approx(9.0)
    assert trajectories.at_nll_test(path, 9.5) is None


def test_every_row_but_scheduled_sampling_has_a_path_and_its_own_phase_is_timed(tmp_path):
    assert [m for m in ("mle", "ss", "ss-authors", "seqgan", "self-imitation", "pgbleu") if trajectories.has_path(m)] \
        == ["mle", "seqgan", "self-imitation", "pgbleu"]
    _run(tmp_path / "r", [("mle", 0, 9.0, 9.0)], {"mle": 3600.0, "d_pretrain": 1800.0, "adversarial": 7200.0})
    assert trajectories.adversarial_hours([tmp_path / "r"]) == pytest.approx(2.0)
