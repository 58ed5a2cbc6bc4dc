"""Configuration: the paper's defaults, and out-of-range values refused with a message naming the field."""

from __future__ import annotations

import dataclasses

import pytest

from reproduction.config import PROFILE_SCHEDULES, RunConfig, Schedule, make_config
from reproduction.errors import UserError


def test_defaults_are_the_papers_values():
    cfg = RunConfig()
    assert (cfg.shape.vocab_size, cfg.shape.emb_dim, cfg.shape.hidden_dim, cfg.shape.seq_len) == (5000, 32, 32, 20)
    assert (cfg.generator.init_stddev, cfg.generator.learning_rate, cfg.generator.grad_clip) == (0.1, 0.01, 5.0)
    d = cfg.discriminator
    assert (d.emb_dim, sum(d.num_filters), d.dropout_keep, d.l2_reg, d.learning_rate) == (64, 1720, 0.75, 0.2, 1e-4)
    assert cfg.rollout_update_rate is None and cfg.schedule == PROFILE_SCHEDULES["paper"]


@pytest.mark.parametrize("field,value,message", [
    ("rollout_num", 0, "rollout_num must be at least 1"),
    ("mle_epochs", -1, "mle_epochs must be non-negative"),
    ("batch_size", 0, "batch_size must be at least 1"),
    ("k_epochs", -3, "k_epochs must be non-negative"),
    ("d_positives", 20_000, "exceeds num_train"),
])
def test_out_of_range_schedule_values_are_refused(field, value, message):
    with pytest.raises(UserError, match=message):
        RunConfig(schedule=dataclasses.replace(Schedule(), **{field: value}))


def test_unknown_profile_or_method_is_refused():
    with pytest.raises(UserError, match="unknown profile 'fast'"):
        make_config("seqgan", "fast")
    with pytest.raises(UserError, match="unknown method 'gan'"):
        make_config("gan", "quick")


def test_config_round_trips_through_its_dictionary():
    cfg = make_config("seqgan", "quick", seed=3, rollout_update_rate=0.8)
    assert RunConfig.from_dict(cfg.to_dict()) == cfg
