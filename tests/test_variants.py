"""Table 1's rows (config.VARIANTS): the baselines as the authors' scripts ran them and SeqGAN's controls
change exactly their named settings, and each setting does what it says."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import tensorflow as tf

from reproduction.config import SS_FROZEN_COIN, make_config
from reproduction.errors import UserError
from reproduction.methods import phase_plan
from reproduction.training import shared_pretraining
from reproduction.training.components import build, reward_references
from reproduction.training.driver import Trainer
from reproduction.training.rewards import BaselineReward, ConstantReward, OneReward, ShuffledReward
from reproduction.variants import VARIANTS, make_variant
from tests.conftest import tiny_config


def _diff(a, b, prefix=""):
    out = {}
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if dataclasses.is_dataclass(x):
            out.update(_diff(x, y, f"{f.name}."))
        elif x != y:
            out[prefix + f.name] = y
    return out


@pytest.mark.parametrize("profile", ["paper", "quick"])
def test_each_variant_changes_only_its_named_settings(profile):
    def changes(name):
        return _diff(make_config(VARIANTS[name].method, profile), make_variant(name, profile))

    for paper_reading in ("mle", "ss", "pgbleu", "seqgan"):
        assert changes(paper_reading) == {}
    batches = make_config("pgbleu", profile).schedule.adv_batches
    assert changes("pgbleu-authors") == {"bleu_rule": "legacy", "reward_references": 0.4,
                                         "generator.pg_learning_rate": 0.001, "schedule.rollout_num": 1,
                                         "schedule.adv_eval_every": 1, "schedule.adv_batches": 4 * batches}
    ss = {"ss_coin": "frozen", "generator.learning_rate": 0.001, "schedule.mle_eval_every": 1}
    assert changes("ss-authors") == (ss | {"schedule.ss_epochs": 300} if profile == "paper" else ss)
    assert changes("seqgan-shuffled") == {"reward": "shuffled"}
    assert changes("seqgan-constant") == {"reward": "constant"}
    assert changes("seqgan-frozen-d") == {"schedule.d_steps": 0}
    assert changes("self-imitation") == {}  # a method of its own (methods.py), with SeqGAN's settings
    assert changes("seqgan-baseline") == {"baseline": "batch-mean"}
    assert changes("seqgan-baseline-shuffled") == {"reward": "shuffled", "baseline": "batch-mean"}


def test_an_unknown_variant_or_a_control_on_another_method_is_refused():
    with pytest.raises(UserError, match="unknown method 'seqgan-foo'"):
        make_variant("seqgan-foo", "quick")
    with pytest.raises(UserError, match="control of SeqGAN"):
        make_config("mle", "quick", reward="shuffled")
    with pytest.raises(UserError, match="baseline applies to SeqGAN"):
        make_config("pgbleu", "quick", baseline="batch-mean")


def test_the_frozen_coin_is_what_the_authors_script_drew_after_random_seed_88():
    assert random.Random(88).random() == SS_FROZEN_COIN


def test_the_frozen_coin_teacher_forces_while_below_the_rate_and_never_after(tmp_path, monkeypatch):
    trainer = Trainer(dataclasses.replace(tiny_config(method="ss"), ss_coin="frozen"), tmp_path, show_progress=False)
    fed = []
    monkeypatch.setattr(trainer, "mle_step", lambda epoch, phase="mle", rate=1.0: fed.append(rate) or {"g_loss": 1.0})
    for epoch in (0, 299, 301, 302):  # rate 1 - 0.002 epoch: 1.0, 0.402, 0.398 > coin; 0.396 < coin
        trainer.ss_step(epoch)
    assert fed == [1.0, 1.0, 1.0, 0.0]
    per_token = Trainer(tiny_config(method="ss"), tmp_path / "p", show_progress=False)
    monkeypatch.setattr(per_token, "mle_step", lambda epoch, phase="mle", rate=1.0: fed.append(rate) or {})
    per_token.ss_step(100)
    assert fed[-1] == pytest.approx(0.8)  # the paper's reading feeds the rate itself to a per-token coin


def _fixed_rewards(batch: int = 8, length: int = 5):
    rewards = tf.constant(np.arange(batch * length, dtype=np.float32).reshape(batch, length) / 100.0)

    def inner(samples, seed):
        return rewards

    return inner, rewards.numpy()


def test_shuffled_rewards_give_every_sample_another_samples_rewards():
    inner, rewards = _fixed_rewards()
    out = ShuffledReward(inner)(tf.zeros([8, 5], tf.int32), tf.constant([1, 2])).numpy()
    source = [int(np.flatnonzero((rewards == row).all(axis=1))[0]) for row in out]
    assert sorted(source) == list(range(8))  # the same rows, moved: the magnitudes are D's
    assert all(s != i for i, s in enumerate(source))  # no sample keeps its own rewards


def test_a_constant_reward_is_the_batchs_mean_reward_everywhere():
    inner, rewards = _fixed_rewards()
    out = ConstantReward(inner)(tf.zeros([8, 5], tf.int32), tf.constant([1, 2])).numpy()
    np.testing.assert_allclose(out, np.full_like(rewards, rewards.mean()), rtol=1e-6)


def test_pgbleu_references_are_a_seeded_fraction_of_the_training_data():
    real = np.arange(4000, dtype=np.int32).reshape(1000, 4)
    cfg = dataclasses.replace(tiny_config(method="pgbleu"), reward_references=0.4)
    refs = reward_references(real, cfg)
    assert 340 < len(refs) < 460 and {tuple(r) for r in refs} <= {tuple(r) for r in real}
    np.testing.assert_array_equal(refs, reward_references(real, cfg))
    assert reward_references(real, tiny_config(method="pgbleu")) is real


def test_the_policy_gradient_has_its_own_learning_rate_and_the_pretraining_is_still_shared():
    cfg = tiny_config(method="pgbleu")
    authors = dataclasses.replace(cfg, generator=dataclasses.replace(cfg.generator, pg_learning_rate=0.001))
    parts = build(authors)
    assert float(parts.adversarial.policy_gradient.optimizer.learning_rate) == pytest.approx(0.001)
    assert float(parts.mle.optimizer.learning_rate) == pytest.approx(0.01)
    assert shared_pretraining.key(authors) == shared_pretraining.key(cfg) == shared_pretraining.key(
        tiny_config(method="seqgan"))
    keras_adam = dataclasses.replace(cfg, adam="keras")
    assert shared_pretraining.key(keras_adam) != shared_pretraining.key(cfg)  # another pretraining


def test_the_frozen_discriminator_control_never_trains_the_discriminator():
    cfg = tiny_config()
    parts = build(dataclasses.replace(cfg, schedule=dataclasses.replace(cfg.schedule, d_steps=0)))
    before = [v.numpy().copy() for v in parts.discriminator.variables]
    stats = parts.adversarial.batch(0)
    assert "d_loss" not in stats and "g_loss" in stats
    for a, b in zip(before, parts.discriminator.variables, strict=True):
        np.testing.assert_array_equal(a, b.numpy())


def _rows(run):
    import csv

    with open(run / "metrics.csv", newline="") as f:
        return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in csv.DictReader(f)]


def test_controls_share_the_discriminator_pretraining_and_get_the_numbers_they_would_compute(tmp_path):
    from reproduction.training.driver import train

    base = tiny_config()
    control = dataclasses.replace(base, reward="constant")  # its discriminator keeps training: D's Adam state matters
    share = tmp_path / "shared"
    train(base, tmp_path / "seqgan", show_progress=False, share_dir=share)  # leaves both snapshots
    train(control, tmp_path / "control-shared", show_progress=False, share_dir=share)  # starts from them
    train(control, tmp_path / "control-alone", show_progress=False)  # computes everything itself
    assert len(list(share.glob("d-pretrained-*.npz"))) == 1 and len(list(share.glob("pretrained-*.npz"))) == 1
    assert _rows(tmp_path / "control-shared") == _rows(tmp_path / "control-alone")
    phases = [r["phase"] for r in _rows(tmp_path / "control-shared")]
    assert phases.count("d_pretrain") == base.schedule.d_pretrain_rounds


def test_self_imitation_rewards_every_token_with_exactly_one_and_builds_no_discriminator():
    parts = build(tiny_config(method="self-imitation"))
    assert parts.discriminator is None and parts.d_step is None and parts.adversarial.rollout is None
    assert isinstance(parts.adversarial.reward, OneReward)
    samples = tf.constant(np.arange(12, dtype=np.int32).reshape(3, 4) % 5)
    np.testing.assert_array_equal(parts.adversarial.reward(samples, tf.constant([1, 2])).numpy(), np.ones((3, 4)))
    stats = parts.adversarial.batch(0)
    assert stats["mean_reward"] == 1.0 and "d_loss" not in stats
    assert [p.name for p in phase_plan(tiny_config(method="self-imitation"))] == ["mle", "adversarial"]


def test_baseline_rewards_sum_to_zero_over_the_batch_at_every_step():
    inner, rewards = _fixed_rewards()
    out = BaselineReward(inner)(tf.zeros([8, 5], tf.int32), tf.constant([1, 2])).numpy()
    np.testing.assert_allclose(out.sum(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(out, rewards - rewards.mean(axis=0), rtol=1e-5, atol=1e-6)
    constant = BaselineReward(lambda samples, seed: tf.fill([8, 5], 0.7))(tf.zeros([8, 5], tf.int32), None)
    np.testing.assert_allclose(constant.numpy(), 0.0, atol=1e-6)  # a reward common to the batch gives no gradient


def test_the_shuffled_baseline_twin_gives_no_sample_its_own_rewards():
    cfg = tiny_config(reward="shuffled", baseline="batch-mean")
    reward = build(cfg).adversarial.reward
    assert isinstance(reward, BaselineReward) and isinstance(reward.inner, ShuffledReward)
    inner, rewards = _fixed_rewards()
    out = BaselineReward(ShuffledReward(inner))(tf.zeros([8, 5], tf.int32), tf.constant([3, 4])).numpy()
    centred = rewards - rewards.mean(axis=0)
    source = [int(np.flatnonzero(np.isclose(centred, row, atol=1e-6).all(axis=1))[0]) for row in out]
    assert sorted(source) == list(range(8)) and all(s != i for i, s in enumerate(source))
