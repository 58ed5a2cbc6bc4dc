"""The evaluation (paper Eq. 9) scores the right data with the right model: NLL-oracle is the oracle's NLL of
the generator's fresh samples, NLL-test the generator's NLL of held-out oracle data; both recomputed here
independently, in a setup where every mix-up of model and data gives a clearly different number."""

from __future__ import annotations

import numpy as np
import pytest

from oracle.network import sequence_nll
from oracle.params import random_params
from reproduction.models.generator import sample_many
from reproduction.seeding import derive
from reproduction.training.components import build
from reproduction.training.evaluation import evaluate
from tests.conftest import TINY_SHAPE, tiny_config


@pytest.fixture(scope="module")
def parts():
    """A run's parts whose generator is a peaked random LSTM (N(0, 2) weights) unlike the oracle: its own samples
    and the oracle's held-out samples score very differently under each of the two models (all four pairs of model
    and data at least 1.7 nats apart)."""
    c = build(tiny_config(seed=0))
    c.generator.set_params(random_params(TINY_SHAPE, 2.0, np.random.default_rng(1)))
    return c


def independent(parts, phase, step):
    """NLL-oracle and NLL-test computed without the evaluation module, and the values a mix-up would give."""
    samples = sample_many(parts.generator, parts.cfg.schedule.eval_samples, derive(parts.cfg.seed, "eval", phase, step))
    return {
        "nll_oracle": parts.oracle.sequence_nll(samples).mean(),  # the oracle scores the generator's samples
        "nll_test": sequence_nll(parts.generator, parts.held_out).mean(),  # the generator scores held-out data
        # what the evaluation would report with model or data swapped
        "generator_on_samples": sequence_nll(parts.generator, samples).mean(),
        "oracle_on_held_out": parts.oracle.sequence_nll(parts.held_out).mean(),
    }


@pytest.mark.parametrize("phase,step", [("mle", 0), ("adversarial", 2), ("ss", 5)])
def test_evaluation_scores_generator_samples_with_the_oracle_and_held_out_data_with_the_generator(parts, phase, step):
    expected = independent(parts, phase, step)
    got = evaluate(parts, phase, step)
    assert got["nll_oracle"] == pytest.approx(expected["nll_oracle"], abs=1e-6)
    assert got["nll_test"] == pytest.approx(expected["nll_test"], abs=1e-6)
    # the setup can tell the right pairing from every wrong one: all four model/data pairs differ clearly
    values = sorted(expected.values())
    assert min(np.diff(values)) > 1.0, expected


def test_evaluation_samples_afresh_for_each_phase_and_step(parts):
    """The samples are drawn with the seed derived from (seed, "eval", phase, step): another step, another draw."""
    a, b = evaluate(parts, "adversarial", 1), evaluate(parts, "adversarial", 2)
    assert a["nll_oracle"] != b["nll_oracle"]
    assert a["nll_test"] == b["nll_test"]  # the same generator and held-out data: NLL-test has no randomness
    assert evaluate(parts, "adversarial", 1) == a
