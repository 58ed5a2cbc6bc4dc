"""The four methods share one driver: each runs end to end; MLE, PG-BLEU and SeqGAN share the pretraining
curve; scheduled sampling really feeds model samples (instrumented inputs)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from reproduction.models.generator import make_generator
from reproduction.training import driver
from tests.conftest import TINY_SCHEDULE, TINY_SHAPE, tiny_config
from tests.test_driver import rows


@pytest.fixture(scope="module")
def runs(method_runs):
    return {m: (summary, rows(out)) for m, (out, summary) in method_runs.items()}


def test_each_methods_last_evaluation_is_of_its_final_generator_recomputed_from_the_checkpoint(method_runs):
    """NLL-oracle (fresh samples with the seed of the last evaluation's phase and step, scored by the oracle) and
    NLL-test (held-out data scored by the generator), recomputed from the final checkpoint, for every method; the
    summary reports the same numbers."""
    from oracle.network import sequence_nll
    from reproduction.models.generator import LSTMPolicy, sample_many
    from reproduction.seeding import derive
    from reproduction.training.checkpoint import load_model
    from reproduction.training.components import load_data

    _, held_out, oracle, _ = load_data(tiny_config(seed=0), None)
    for method, (out, summary) in method_runs.items():
        last = rows(out)[-1]
        generator = LSTMPolicy(TINY_SHAPE)
        load_model(out / "checkpoint.npz", "generator", generator)
        seed = derive(0, "eval", last["phase"], int(last["epoch"]))
        nll_oracle = oracle.sequence_nll(sample_many(generator, TINY_SCHEDULE.eval_samples, seed)).mean()
        nll_test = sequence_nll(generator, held_out).mean()
        assert float(last["nll_oracle"]) == pytest.approx(nll_oracle, abs=2e-6), method
        assert float(last["nll_test"]) == pytest.approx(nll_test, abs=2e-6), method
        assert summary["nll_oracle_final"] == pytest.approx(nll_oracle, abs=2e-6), method
        assert summary["nll_test_final"] == pytest.approx(nll_test, abs=2e-6), method


def test_every_method_exports_its_final_generator_and_only_seqgan_a_discriminator(method_runs):
    """generator.keras holds the checkpoint's final generator, for every method; discriminator.keras is written for
    the one method that has a discriminator (an MLE, SS or PG-BLEU run leaves none)."""
    from reproduction.models.generator import LSTMPolicy
    from reproduction.training.checkpoint import load_model
    from reproduction.training.export import load_network

    for method, (out, _) in method_runs.items():
        generator = LSTMPolicy(TINY_SHAPE)
        load_model(out / "checkpoint.npz", "generator", generator)
        exported = load_network(out / "generator.keras").get_params()
        assert all(np.array_equal(a, b) for a, b in zip(exported, generator.get_params(), strict=True)), method
        assert (out / "discriminator.keras").is_file() == (method == "seqgan"), method


def test_mle_pgbleu_and_seqgan_share_the_pretraining_curve(runs):
    pretrain = [[r for r in runs[m][1] if r["phase"] == "mle"] for m in ("mle", "pgbleu", "seqgan")]
    assert pretrain[0] and pretrain[0] == pretrain[1] == pretrain[2]


def test_phases_of_each_method(runs):
    e, b = TINY_SCHEDULE.mle_epochs, TINY_SCHEDULE.adv_batches
    phases = {m: sorted({r["phase"] for r in logged}) for m, (_, logged) in runs.items()}
    assert phases == {"mle": ["mle", "mle_continued"], "ss": ["ss"], "pgbleu": ["adversarial", "mle"],
                      "seqgan": ["adversarial", "d_pretrain", "mle"]}
    continued = [int(r["x"]) for r in runs["mle"][1] if r["phase"] == "mle_continued"]
    assert continued == [e + i for i in range(b)]
    ss = [r for r in runs["ss"][1]]
    assert int(ss[-1]["epoch"]) == e + b - 1
    assert float(ss[-1]["ss_rate"]) == pytest.approx(1 - 0.002 * (e + b - 1))
    assert all(0 <= float(r["mean_reward"]) <= 1 for r in runs["pgbleu"][1] if r["phase"] == "adversarial")


def test_scheduled_sampling_at_rate_one_is_teacher_forcing():
    g = make_generator(TINY_SHAPE, 1.0, np.random.default_rng(0))
    tokens = tf.constant(np.random.default_rng(1).integers(0, 40, (50, 8)), tf.int32)
    logits, fed = g.scheduled_logits(tokens, tf.constant(1.0), tf.constant([1, 2]))
    expected = np.concatenate([np.zeros((50, 1), np.int32), tokens.numpy()[:, :-1]], axis=1)
    np.testing.assert_array_equal(fed.numpy(), expected)
    np.testing.assert_allclose(logits.numpy(), g(tokens).numpy(), rtol=1e-5, atol=1e-5)


def test_scheduled_sampling_below_rate_one_feeds_the_models_own_samples():
    g = make_generator(TINY_SHAPE, 1.0, np.random.default_rng(0))
    # ground truth made of a token the model almost never samples: fed tokens that differ are its own samples
    tokens = tf.fill([400, 8], 39)
    g.out_bias.assign(np.r_[np.zeros(39), -30.0].astype(np.float32))
    _, fed0 = g.scheduled_logits(tokens, tf.constant(0.0), tf.constant([3, 4]))
    assert (fed0.numpy()[:, 1:] != 39).all()  # rate 0: every input after the start token is a model sample
    _, fed_half = g.scheduled_logits(tokens, tf.constant(0.5), tf.constant([3, 4]))
    truth_share = (fed_half.numpy()[:, 1:] == 39).mean()
    assert 0.45 < truth_share < 0.55  # a fresh coin for every token at every step
    per_row = (fed_half.numpy()[:, 1:] == 39).mean(axis=1)
    assert per_row.std() > 0.05  # not one frozen coin per batch or per row


def test_shared_pretraining_is_reused_and_changes_no_number(runs, tmp_path, monkeypatch):
    from reproduction.training.components import load_data

    share = tmp_path / "shared"
    driver.train(tiny_config(method="seqgan"), tmp_path / "donor", show_progress=False, share_dir=share)
    assert len(list(share.glob("pretrained-*.npz"))) == 1

    def no_pretraining(self, epoch, phase="mle", rate=1.0):
        assert phase != "mle", "the MLE pretraining should have come from the shared snapshot"
        return original(self, epoch, phase, rate)

    original = driver.Trainer.mle_step
    monkeypatch.setattr(driver.Trainer, "mle_step", no_pretraining)
    for method in ("pgbleu", "mle"):
        driver.train(tiny_config(method=method), tmp_path / method, show_progress=False, share_dir=share)
        assert rows(tmp_path / method) == runs[method][1]
    final = np.load(tmp_path / "pgbleu" / "final_samples.npz")
    assert final["tokens"].shape == (TINY_SCHEDULE.eval_samples, TINY_SHAPE.seq_len)
    oracle = load_data(tiny_config(method="pgbleu"), None)[2]
    np.testing.assert_allclose(final["nll_oracle"], oracle.sequence_nll(final["tokens"]), rtol=0, atol=1e-9)


class _StopAfterPretraining(Exception):
    pass


def test_the_mle_phase_leaves_bitwise_identical_weights_in_seqgan_pgbleu_and_mle(tmp_path, monkeypatch):
    """Sharing one pretraining between methods rests on this: with the same seed, the generator and its Adam state
    after the MLE phase are bitwise equal whatever the method (compared as arrays, not as rounded CSV values)."""
    def stop(self, *args, **kwargs):
        raise _StopAfterPretraining

    for name in ("d_pretrain_step", "adversarial_step", "mle_continued_step"):  # whatever comes after pretraining
        monkeypatch.setattr(driver.Trainer, name, stop)
    snapshots, checkpoints = {}, {}
    for method, seed in (("seqgan", 0), ("pgbleu", 0), ("mle", 0), ("mle", 1)):
        run, share = tmp_path / f"{method}-s{seed}", tmp_path / f"{method}-s{seed}-shared"  # a folder each
        with pytest.raises(_StopAfterPretraining):
            driver.train(tiny_config(method=method, seed=seed), run, show_progress=False, share_dir=share)
        snapshot, = share.glob("pretrained-*.npz")
        snapshots[method, seed] = snapshot
        checkpoints[method, seed] = np.load(run / "checkpoint.npz")  # written at the last MLE evaluation
    assert len({p.name for key, p in snapshots.items() if key[1] == 0}) == 1  # one key for the three methods
    reference = np.load(snapshots["seqgan", 0])
    weights = [k for k in reference.files if k.startswith(("generator/", "mle_adam/"))]
    assert any(k.startswith("generator/") for k in weights) and any(k.startswith("mle_adam/") for k in weights)
    assert set(reference.files) == {*weights, "__state__", "__format__", "__sha256__"}
    for method in ("seqgan", "pgbleu", "mle"):
        snapshot, ckpt = np.load(snapshots[method, 0]), checkpoints[method, 0]
        for key in weights:
            for arrays, what in ((snapshot, "snapshot"), (ckpt, "checkpoint")):
                a, b = arrays[key], reference[key]
                assert (a.dtype, a.shape) == (b.dtype, b.shape), f"{method} {what} {key}"
                assert a.tobytes() == b.tobytes(), \
                    f"{method} {what} {key}: max |difference| {np.abs(a.astype(np.float64) - b).max():.3g}"
    other_seed = np.load(snapshots["mle", 1])
    assert not np.array_equal(other_seed["generator/embedding"], reference["generator/embedding"])
