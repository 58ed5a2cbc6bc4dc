"""Texygen's COCO configuration, the `texygen` profile (config.texygen_config; issue 43): its counts, valid run
configurations for SeqGAN, MLE and self-imitation, sized for the COCO corpus, and models that build. Nothing
trains."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from reproduction.config import (
    PROFILE_SCHEDULES,
    TEXYGEN_DISCRIMINATOR,
    TEXYGEN_SHAPE,
    RunConfig,
    for_corpus,
    make_config,
    texygen_config,
)
from reproduction.errors import UserError
from reproduction.methods import phase_plan


def test_schedule_is_texygens_coco_schedule():
    s = PROFILE_SCHEDULES["texygen"]
    assert (TEXYGEN_SHAPE.emb_dim, TEXYGEN_SHAPE.hidden_dim, TEXYGEN_SHAPE.seq_len, s.batch_size) == (32, 32, 37, 64)
    assert (s.mle_epochs, s.adv_batches, s.rollout_num) == (80, 100, 16)
    assert (s.d_pretrain_rounds, s.d_steps, s.g_steps, s.k_epochs) == (80, 15, 1, 1)
    # each d-step: 3 minibatches of 64 mixed real and generated sequences, like one train_discriminator call
    assert (s.d_positives + s.d_negatives) * s.d_pretrain_epochs / s.batch_size == 3
    d = TEXYGEN_DISCRIMINATOR
    assert (d.emb_dim, d.filter_sizes, d.num_filters, d.dropout_keep, d.l2_reg) == (32, (2, 3), (100, 200), 1.0, 0.2)


@pytest.mark.parametrize("method", ["seqgan", "mle", "self-imitation"])
def test_texygen_config_is_a_valid_run_configuration(method):
    """The profile's run of each method, as `make_config` gives it: Texygen's shape and discriminator on COCO, the
    profile's schedule (MLE: its pretraining only, as Texygen's Mle.py), rollouts by the generator itself
    (Texygen's declared delayed copy never reached its rollout graph);
    it reads back from its run.json unchanged."""
    cfg = texygen_config(method)
    assert make_config(method, "texygen") == cfg and RunConfig.from_dict(cfg.to_dict()) == cfg
    assert (cfg.profile, cfg.dataset, cfg.shape, cfg.discriminator) == (
        "texygen", "coco", TEXYGEN_SHAPE, TEXYGEN_DISCRIMINATOR)
    assert cfg.rollout_update_rate is None
    full = PROFILE_SCHEDULES["texygen"]
    assert cfg.schedule == (dataclasses.replace(full, adv_batches=0) if method == "mle" else full)
    phases = {"seqgan": ["mle", "d_pretrain", "adversarial"], "mle": ["mle"], "self-imitation": ["mle", "adversarial"]}
    assert [p.name for p in phase_plan(cfg) if p.steps] == phases[method]


def test_the_texygen_profile_refuses_other_corpora_methods_and_strategies():
    with pytest.raises(UserError, match="texygen profile is Texygen's configuration on COCO"):
        make_config("seqgan", "texygen", dataset="poems")
    with pytest.raises(UserError, match="configures mle, seqgan, self-imitation"):
        make_config("pgbleu", "texygen")
    with pytest.raises(UserError, match="strategies are the paper's"):
        make_config("seqgan", "texygen", strategy="c")


def test_configuration_fits_the_coco_corpus(mirror):
    from reproduction.datasets.registry import load_corpus

    corpus = load_corpus("coco", mirror)
    cfg = texygen_config("seqgan")
    sized = for_corpus(cfg, corpus.vocab_size, corpus.seq_len, len(corpus.train))
    assert sized.shape == cfg.shape and sized.schedule == cfg.schedule  # already COCO's size: nothing changes


def test_models_of_the_profile_build_without_training():
    from reproduction.models.discriminator import Discriminator
    from reproduction.models.generator import make_generator

    shape = TEXYGEN_SHAPE
    generator = make_generator(shape, 0.1, np.random.default_rng(0))
    discriminator = Discriminator(TEXYGEN_DISCRIMINATOR, shape.vocab_size, shape.seq_len, 0)
    tokens = np.zeros((2, shape.seq_len), np.int32)
    assert generator(tokens).shape == (2, shape.seq_len, shape.vocab_size)
    assert tuple(discriminator(tokens).shape) == (2, 2)
