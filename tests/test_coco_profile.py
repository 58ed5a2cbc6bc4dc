"""Texygen's COCO configuration, the `texygen` profile (config.texygen_config; issue 43): its counts, valid run
configurations for SeqGAN, MLE and self-imitation, sized for the COCO corpus, and models that build. Nothing
trains."""

from __future__ import annotations

import numpy as np
import pytest

from reproduction.config import (
    PROFILE_SCHEDULES,
    TEXYGEN_DISCRIMINATOR,
    TEXYGEN_ROLLOUT_UPDATE_RATE,
    TEXYGEN_SHAPE,
    for_corpus,
    texygen_config,
)


def test_schedule_is_texygens_coco_schedule():
    s = PROFILE_SCHEDULES["texygen"]
    assert (TEXYGEN_SHAPE.emb_dim, TEXYGEN_SHAPE.hidden_dim, TEXYGEN_SHAPE.seq_len, s.batch_size) == (32, 32, 37, 64)
    assert (s.mle_epochs, s.adv_batches, s.rollout_num, TEXYGEN_ROLLOUT_UPDATE_RATE) == (80, 100, 16, 0.8)
    assert (s.d_pretrain_rounds, s.d_steps, s.g_steps, s.k_epochs) == (80, 15, 1, 1)
    # each d-step: 3 minibatches of 64 mixed real and generated sequences, like one train_discriminator call
    assert (s.d_positives + s.d_negatives) * s.d_pretrain_epochs / s.batch_size == 3
    d = TEXYGEN_DISCRIMINATOR
    assert (d.emb_dim, d.filter_sizes, d.num_filters, d.dropout_keep, d.l2_reg) == (32, (2, 3), (100, 200), 1.0, 0.2)


@pytest.mark.parametrize("method", ["seqgan", "mle", "self-imitation"])
def test_texygen_config_is_a_valid_run_configuration(method):
    cfg = texygen_config(method)
    assert cfg.shape == TEXYGEN_SHAPE and cfg.profile == "texygen" and cfg.dataset == "coco"
    assert cfg.rollout_update_rate == (0.8 if method == "seqgan" else None)
    assert cfg.schedule.adv_batches == (0 if method == "mle" else 100)  # Texygen's MLE: its 80 epochs only
    assert cfg.schedule.d_steps == 15 and cfg.schedule.d_positives == 96


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
