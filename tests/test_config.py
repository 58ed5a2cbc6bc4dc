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


def test_adam_epsilon_defaults_to_keras_and_a_run_json_without_it_reads_as_keras():
    from reproduction.config import AUTHORS_ADAM_EPSILON, KERAS_ADAM_EPSILON

    cfg = make_config("seqgan", "quick")
    assert cfg.adam_epsilon == KERAS_ADAM_EPSILON == 1e-7 and AUTHORS_ADAM_EPSILON == 1e-8
    written_before = {k: v for k, v in cfg.to_dict().items() if k != "adam_epsilon"}
    assert RunConfig.from_dict(written_before) == cfg
    with pytest.raises(UserError, match="adam_epsilon must be positive"):
        dataclasses.replace(cfg, adam_epsilon=0.0)


def test_the_authors_adam_epsilon_gets_its_own_pretraining_snapshots_and_the_default_keeps_its_keys():
    from reproduction.training import shared_pretraining

    cfg = make_config("seqgan", "paper", oracle="original")
    authors = dataclasses.replace(cfg, adam_epsilon=1e-8)
    assert shared_pretraining.key(cfg) == "5961430a645c28fb"  # the key before the field existed (paper, seed 0)
    assert shared_pretraining.key(cfg, "d_pretrain") == "c940680131ca1deb"
    assert shared_pretraining.key(authors) != shared_pretraining.key(cfg)
    assert shared_pretraining.key(authors, "d_pretrain") != shared_pretraining.key(cfg, "d_pretrain")
