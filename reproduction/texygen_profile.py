"""Texygen's SeqGAN and MLE schedule on COCO captions as a run configuration: the `texygen` profile of issue 43.
A configuration only: nothing here trains, and COCO is not yet a training dataset of `train` or `reproduce`
(config.DATASETS); the COCO runs of issue 43 build their RunConfig from `texygen_fields` once it is.

Read from geek-ai/Texygen (models/seqgan/Seqgan.py `train_real`, SeqganGenerator.py, SeqganDiscriminator.py,
SeqganReward.py, SeqganDataLoader.py, models/mle/Mle.py `train_real`, main.py):

- generator: embedding 32, hidden 32 (LSTMShape's defaults), Adam 0.01, gradient clip 5.0, N(0, 0.1) initial
  weights (GeneratorConfig's defaults); vocabulary and length of the corpus (4,681 with `<eos>`, 37);
- data: the whole training file in batches of 64 (156 whole batches of the 10,000 captions);
- MLE: 80 epochs, evaluated every 5 (`mle_epochs`, `mle_eval_every`); Texygen's MLE row is these 80 epochs and
  nothing after them (Mle.py), so `texygen_fields("mle")` has no continued phase;
- discriminator pretraining: 80 calls of `train_discriminator`, each sampling 10,000 fresh negatives, shuffling
  them with the 10,000 training captions and training on 3 minibatches of 64 of the mix. Here: 80 d-steps of 96
  real and 96 fresh generated sequences for one epoch, that is 3 shuffled minibatches of 64, the same mix in
  expectation (`d_pretrain_rounds=80`, `d_pretrain_epochs=1`, `d_positives=d_negatives=96`);
- adversarial training: 100 epochs, each one generator step with 16 rollouts, then the rollout network's update
  with rate 0.8 (`Reward(generator, .8)`, `update_params`), then 15 `train_discriminator` calls
  (`adv_batches=100`, `g_steps=1`, `rollout_num=16`, `d_steps=15`, `k_epochs=1`, `rollout_update_rate=0.8`),
  evaluated every 5 epochs;
- discriminator: embedding 32 (Texygen passes the generator's), filters of widths 2 and 3, 100 and 200 of them,
  L2 0.2, Adam 1e-4, highway gate without bias offset (as ours), and no dropout: Seqgan sets
  dropout_keep_prob 0.75 but never passes it to Discriminator, whose default keep probability is 1;
- evaluation: 10,000 samples (main.py sets generate_num 10,000; Texygen wrote 9,984, 156 batches of 64).

Not carried over: Texygen's start token is id 0 of its vocabulary, a word (its ids come from a Python set), where
ours is `<eos>`; Texygen sets no seed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from oracle.shape import LSTMShape
from reproduction.config import DiscriminatorConfig, Schedule

PROFILE = "texygen"
ROLLOUT_UPDATE_RATE = 0.8
SHAPE = LSTMShape(vocab_size=4_681, emb_dim=32, hidden_dim=32, seq_len=37)  # datasets/coco.py: 4,680 words + <eos>
SCHEDULE = Schedule(
    num_train=10_000, batch_size=64, mle_epochs=80, mle_eval_every=5, d_pretrain_rounds=80, d_pretrain_epochs=1,
    d_negatives=96, d_positives=96, adv_batches=100, g_steps=1, d_steps=15, k_epochs=1, rollout_num=16,
    adv_eval_every=5, eval_samples=10_000)
DISCRIMINATOR = DiscriminatorConfig(emb_dim=32, filter_sizes=(2, 3), num_filters=(100, 200), dropout_keep=1.0,
                                    l2_reg=0.2, learning_rate=1e-4)
# Seconds, for tests: the same structure (d-steps of 3 minibatches, 15 per adversarial batch) on tiny counts.
SMOKE_SCHEDULE = dataclasses.replace(SCHEDULE, num_train=256, mle_epochs=2, mle_eval_every=1, d_pretrain_rounds=2,
                                     adv_batches=2, rollout_num=2, adv_eval_every=1, eval_samples=256)


def texygen_fields(method: str = "seqgan", smoke: bool = False) -> dict[str, Any]:
    """The RunConfig fields of Texygen's schedule for `method` (seqgan or mle): shape, schedule, discriminator and
    the rollout update rate (SeqGAN only). MLE trains its 80 epochs and stops, as Texygen's Mle.py did."""
    if method not in ("seqgan", "mle"):
        from reproduction.errors import UserError

        raise UserError(f"Texygen's COCO schedule covers seqgan and mle, not {method!r}")
    schedule = SMOKE_SCHEDULE if smoke else SCHEDULE
    if method == "mle":
        schedule = dataclasses.replace(schedule, adv_batches=0)
    return {"shape": SHAPE, "schedule": schedule, "discriminator": DISCRIMINATOR,
            "rollout_update_rate": ROLLOUT_UPDATE_RATE if method == "seqgan" else None}
