"""Configuration: frozen dataclasses whose defaults are the paper's synthetic experiment (Section 4).

Every value cites its source: the paper, or the authors' code (github.com/LantaoYu/SeqGAN) where the paper
is silent. A profile (`smoke`, `quick`, `paper`) only changes counts in `Schedule`; model sizes, the oracle,
batch size and learning rates are the same for all three. `describe_profile` lists what a profile changes.
The fourth profile, `texygen`, is not the paper's: it is Texygen's SeqGAN and MLE configuration on COCO captions
(Zhu et al., SIGIR 2018; issue 43), models and counts both, for COCO only (TEXYGEN_* below; docs/benchmark.md).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from oracle.shape import LSTMShape
from reproduction.errors import UserError
from reproduction.methods import METHODS, REAL_DATA_METHODS

PROFILES = ("smoke", "quick", "paper", "texygen")
# synthetic: the oracle (Section 4); poems, obama, nottingham: Section 5; coco: Texygen's benchmark (issue 43)
DATASETS = ("synthetic", "poems", "obama", "nottingham", "coco")
TEXYGEN_METHODS = ("mle", "seqgan", "self-imitation")  # the methods the texygen profile configures
REWARDS = ("discriminator", "shuffled", "constant")  # SeqGAN's reward and two controls (training/rewards.py)
BASELINES = ("none", "batch-mean")  # subtracted from SeqGAN's rewards (training/rewards.py)
# The authors' old SS script drew its coin once, when the graph was built, right after random.seed(88):
# `tf.constant(random.random())`, the same number under Python 2.7 and 3.
SS_FROZEN_COIN = 0.3974888769814575
ADAM_IMPLEMENTATIONS = ("fused", "keras")  # training/optimizers.py
KERAS_ADAM_EPSILON = 1e-7  # Keras's default, which every committed run used
AUTHORS_ADAM_EPSILON = 1e-8  # TF1 tf.train.AdamOptimizer's default, which the authors' code used
PRECISIONS = ("float32", "bfloat16")  # the discriminator's compute dtype (models/discriminator.py)


@dataclass(frozen=True)
class GeneratorConfig:
    """The generator's training hyperparameters (authors' code: N(0, 0.1) init, Adam 0.01, clip 5.0)."""

    init_stddev: float = 0.1
    learning_rate: float = 0.01
    grad_clip: float = 5.0
    pg_learning_rate: float | None = None  # policy-gradient Adam; None: learning_rate (authors' SeqGAN code)


@dataclass(frozen=True)
class DiscriminatorConfig:
    """The authors' highway CNN (code: discriminator.py, sequence_gan.py)."""

    emb_dim: int = 64
    filter_sizes: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
    num_filters: tuple[int, ...] = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
    dropout_keep: float = 0.75
    l2_reg: float = 0.2
    learning_rate: float = 1e-4
    precision: str = "float32"  # compute dtype of the convolutions and highway layer; bfloat16 is opt-in (weights,
    # optimizer and loss stay float32). Not the paper's setting: see docs/speed.md.


@dataclass(frozen=True)
class Schedule:
    """Counts of the training schedule. Defaults = the `paper` profile (the authors' schedule)."""

    num_train: int = 10_000  # paper: 10,000 oracle sequences (the code makes 156 x 64 = 9,984)
    batch_size: int = 64
    mle_epochs: int = 120  # code head (an older commit used 240)
    mle_eval_every: int = 5  # epochs; the code evaluates after epochs 0, 5, 10, ...
    d_pretrain_rounds: int = 50  # each with fresh negatives
    d_pretrain_epochs: int = 3
    d_negatives: int = 10_000  # negatives generated per d-step (code: generated_num = 10,000 -> 9,984)
    d_positives: int = 10_000  # real sequences used per d-step (all the training data)
    adv_batches: int = 200
    g_steps: int = 1
    d_steps: int = 5
    k_epochs: int = 3
    rollout_num: int = 16
    adv_eval_every: int = 5  # adversarial batches
    ss_epochs: int | None = None  # scheduled sampling's epochs; None: mle_epochs + adv_batches (Figure 2's x-axis)
    eval_samples: int = 10_000  # generator samples scored by the oracle at each evaluation


PROFILE_SCHEDULES: dict[str, Schedule] = {
    "paper": Schedule(),
    # A scaled schedule for a 2-core CPU: same models, oracle, batch size and learning rates.
    "quick": Schedule(
        mle_epochs=50,
        d_pretrain_rounds=10,
        d_pretrain_epochs=1,
        d_negatives=5_000,
        d_positives=5_000,
        adv_batches=50,
        d_steps=1,
        k_epochs=1,
    ),
    # Seconds, for tests: every phase runs, on tiny counts.
    "smoke": Schedule(
        num_train=256,
        mle_epochs=2,
        mle_eval_every=1,
        d_pretrain_rounds=1,
        d_pretrain_epochs=1,
        d_negatives=128,
        d_positives=128,
        adv_batches=2,
        d_steps=1,
        k_epochs=1,
        rollout_num=2,
        adv_eval_every=1,
        eval_samples=256,
    ),
    # Texygen's COCO schedule (geek-ai/Texygen models/seqgan/Seqgan.py `train_real`; docs/benchmark.md): all 10,000
    # training captions in batches of 64; 80 MLE epochs; 80 discriminator pretraining steps, each one epoch of 96
    # real and 96 fresh generated captions (3 minibatches of 64, as one Texygen `train_discriminator` call); 100
    # adversarial epochs of one generator step with 16 rollouts and then 15 such d-steps; evaluated every 5
    # epochs on 10,000 samples. Texygen's MLE row stops after its 80 epochs (texygen_config sets adv_batches 0).
    "texygen": Schedule(
        num_train=10_000, mle_epochs=80, mle_eval_every=5, d_pretrain_rounds=80, d_pretrain_epochs=1,
        d_negatives=96, d_positives=96, adv_batches=100, g_steps=1, d_steps=15, k_epochs=1, rollout_num=16,
        adv_eval_every=5, eval_samples=10_000),
}


@dataclass(frozen=True)
class Strategy:
    """A training strategy of paper Figure 3: per adversarial batch, g-steps of the generator, then d-steps
    of the discriminator (fresh negatives each) of k epochs each."""

    g_steps: int
    d_steps: int
    k_epochs: int


STRATEGIES: dict[str, Strategy] = {
    "a": Strategy(g_steps=100, d_steps=1, k_epochs=10),
    "b": Strategy(g_steps=30, d_steps=1, k_epochs=30),
    "c": Strategy(g_steps=1, d_steps=1, k_epochs=10),
    "d": Strategy(g_steps=1, d_steps=5, k_epochs=3),  # the default schedule (paper, code)
}
# Figure 3 under a scaled profile: each strategy's adversarial phase in batches, evaluated after every batch.
# (c) and (d), the pair the paper's claim ("(d) is the most stable and lowest") is about, run the profile's
# whole adversarial phase; (a) and (b), whose batches hold 100 and 30 g-steps (an (a) batch takes about 7 minutes
# at quick on 2 cores), run 20 batches: 20 evaluations, 2,000 and 600 generator updates. The paper profile keeps
# its 200 batches for all four, evaluated every 5.
STRATEGY_ALL_SEEDS = ("c", "d")  # the strategies `reproduce` trains on every seed; (a) and (b) on the first
STRATEGY_ADV_BATCHES: dict[str, dict[str, int]] = {
    "smoke": {"a": 2, "b": 2, "c": 2, "d": 2},
    "quick": {"a": 20, "b": 20, "c": 50, "d": 50},
}


# Texygen's models on COCO (Texygen's SeqganGenerator, SeqganDiscriminator, SeqganReward; docs/benchmark.md): a
# generator of embedding and hidden 32 over COCO's vocabulary (4,680 words + <eos>, datasets/coco.py) and length;
# a discriminator of embedding 32 with filters of widths 2 and 3, 100 and 200 of them, and no dropout (Texygen sets
# a keep probability of 0.75 but never passes it on). The rollouts use the generator itself (beta = theta): Texygen's
# SeqganReward declares a delayed copy updated at rate 0.8 (`update_params`), but builds its rollout graph once, from
# tf.identity of the generator's live variables, so the update never reaches it, as in the authors' code
# (docs/benchmark.md); `--rollout-update-rate 0.8` gives the declared copy.
TEXYGEN_SHAPE = LSTMShape(vocab_size=4_681, emb_dim=32, hidden_dim=32, seq_len=37)
TEXYGEN_DISCRIMINATOR = DiscriminatorConfig(emb_dim=32, filter_sizes=(2, 3), num_filters=(100, 200), dropout_keep=1.0,
                                            l2_reg=0.2, learning_rate=1e-4)


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a training run's numbers."""

    method: str = "seqgan"
    profile: str = "paper"
    seed: int = 0
    dataset: str = "synthetic"  # or a real-world corpus; its vocabulary and length set `shape` (for_corpus)
    oracle: str = "random"  # random | original | PATH to a parameter file
    oracle_seed: int = 0  # seed of the random N(0, 1) oracle
    rollout_update_rate: float | None = None  # None: rollout = generator (paper); 0.8: authors' delayed copy
    ss_decay: float = 0.002  # scheduled sampling: the teacher-forcing rate falls this much per epoch (paper)
    ss_coin: str = "per_token"  # per_token: a fresh coin per token and step (Bengio et al.); frozen: SS_FROZEN_COIN
    bleu_order: int = 3  # PG-BLEU reward: BLEU-3 (authors' old code)
    bleu_rule: str = "method1"  # PG-BLEU reward: nltk + smoothing method1, or legacy (nltk 3.2.x, authors' script)
    reward_references: float = 1.0  # PG-BLEU: fraction of the training data used as BLEU references (script: 0.4)
    reward: str = "discriminator"  # SeqGAN's reward: discriminator (paper), or a control: shuffled | constant
    baseline: str = "none"  # none (paper, code): Q as it is; batch-mean: Q minus the batch's mean Q at each step
    adam: str = "fused"  # fused | keras: one Adam update, two implementations (training/optimizers.py)
    adam_epsilon: float = KERAS_ADAM_EPSILON  # every Adam's; the paper is silent; the authors' code: 1e-8
    shape: LSTMShape = field(default_factory=LSTMShape)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    schedule: Schedule = field(default_factory=Schedule)

    def __post_init__(self) -> None:
        validate(self)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> RunConfig:
        """The configuration a run.json records. A field added since it was written takes the value that matches
        what the code did before the field existed: its default, except `adam`, which came with the fused
        update; every run before it used Keras's."""
        d = dict(d)
        d.setdefault("adam", "keras")
        disc = dict(d.pop("discriminator"))
        disc["filter_sizes"] = tuple(disc["filter_sizes"])
        disc["num_filters"] = tuple(disc["num_filters"])
        return RunConfig(
            shape=LSTMShape(**d.pop("shape")),
            generator=GeneratorConfig(**d.pop("generator")),
            discriminator=DiscriminatorConfig(**disc),
            schedule=Schedule(**d.pop("schedule")),
            **d,
        )


def make_config(method: str = "seqgan", profile: str = "paper", strategy: str | None = None,
                **overrides: Any) -> RunConfig:
    """The run configuration for `method` under `profile`; `overrides` replace top-level fields; `strategy`
    (a, b, c, d) applies one of the training strategies of Figure 3."""
    if profile not in PROFILE_SCHEDULES:
        raise UserError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
    if profile == "texygen":
        cfg = texygen_config(method, **overrides)
    else:
        cfg = RunConfig(method=method, profile=profile, schedule=PROFILE_SCHEDULES[profile], **overrides)
    return cfg if strategy is None else apply_strategy(cfg, strategy)


def texygen_config(method: str = "seqgan", **overrides: Any) -> RunConfig:
    """`method` on COCO under Texygen's configuration (profile `texygen`): its schedule, generator shape and
    discriminator; the rollouts use the generator itself, as Texygen's did in effect. MLE trains its 80 epochs and
    stops, as Texygen's Mle.py did; self-imitation (issue 42) takes SeqGAN's schedule, and has no discriminator or
    rollouts."""
    if method not in TEXYGEN_METHODS:
        raise UserError(f"the texygen profile configures {', '.join(TEXYGEN_METHODS)} on COCO, not {method!r}")
    schedule = PROFILE_SCHEDULES["texygen"]
    if method == "mle":
        schedule = dataclasses.replace(schedule, adv_batches=0)
    fields: dict[str, Any] = {"dataset": "coco", "shape": TEXYGEN_SHAPE, "discriminator": TEXYGEN_DISCRIMINATOR}
    return RunConfig(method=method, profile="texygen", schedule=schedule, **{**fields, **overrides})


def apply_strategy(cfg: RunConfig, name: str) -> RunConfig:
    """`cfg` with the g-steps, d-steps and k of strategy `name` (Figure 3), and, under a scaled profile, the
    strategy's adversarial phase (STRATEGY_ADV_BATCHES) evaluated after every batch."""
    if name not in STRATEGIES:
        raise UserError(f"unknown strategy {name!r}: choose one of {', '.join(STRATEGIES)} (paper Figure 3)")
    if cfg.profile == "texygen":
        raise UserError("Figure 3's strategies are the paper's; the texygen profile keeps Texygen's schedule")
    if not METHODS[cfg.method].adversarial:
        raise UserError(f"a training strategy sets the g-steps and d-steps of an adversarial phase; {cfg.method} has "
                        "none")
    changes: dict[str, int] = dataclasses.asdict(STRATEGIES[name])
    if cfg.profile in STRATEGY_ADV_BATCHES:
        batches = min(cfg.schedule.adv_batches, STRATEGY_ADV_BATCHES[cfg.profile][name])
        changes.update(adv_batches=batches, adv_eval_every=1)
    return dataclasses.replace(cfg, schedule=dataclasses.replace(cfg.schedule, **changes))


def with_precision(cfg: RunConfig, precision: str) -> RunConfig:
    """`cfg` with the discriminator's compute in `precision` (PRECISIONS; bfloat16 is opt-in, not the paper's)."""
    return dataclasses.replace(cfg, discriminator=dataclasses.replace(cfg.discriminator, precision=precision))


def for_corpus(cfg: RunConfig, vocab_size: int, seq_len: int, num_train: int) -> RunConfig:
    """`cfg` sized for a real-world corpus: its vocabulary and sequence length, all of its training split as
    the real data, and each d-step on at most that many real and as many generated sequences. The models,
    learning rates, batch size and the profile's other counts are unchanged."""
    s = cfg.schedule
    d_data = min(s.d_positives, num_train)
    return dataclasses.replace(
        cfg, shape=dataclasses.replace(cfg.shape, vocab_size=vocab_size, seq_len=seq_len),
        schedule=dataclasses.replace(s, num_train=num_train, d_positives=d_data,
                                     d_negatives=min(s.d_negatives, d_data)))


def describe_profile(profile: str) -> list[str]:
    """Lines 'field: paper -> profile' for every count the profile changes."""
    paper, other = PROFILE_SCHEDULES["paper"], PROFILE_SCHEDULES[profile]
    return [
        f"{f.name}: {getattr(paper, f.name)} -> {getattr(other, f.name)}"
        for f in dataclasses.fields(Schedule)
        if getattr(paper, f.name) != getattr(other, f.name)
    ]


@dataclass(frozen=True)
class AdamOptions:
    """The Adam every run of a sweep uses (`reproduce --adam`, `--adam-epsilon`): RunConfig.adam and
    RunConfig.adam_epsilon, set together on every run an experiment plans."""

    implementation: str = "fused"  # ADAM_IMPLEMENTATIONS
    epsilon: float = KERAS_ADAM_EPSILON

    def fields(self) -> dict[str, Any]:
        """The RunConfig fields these options set."""
        return {"adam": self.implementation, "adam_epsilon": self.epsilon}


DEFAULT_ADAM = AdamOptions()


def differences(a: RunConfig, b: RunConfig) -> list[str]:
    """The fields where configuration `a` (e.g. a stored run's) differs from `b` (the one asked for), as
    'FIELD: A, not B', nested fields dotted, sorted."""
    def walk(x: dict[str, Any], y: dict[str, Any], prefix: str) -> list[str]:
        out = []
        for key in x.keys() | y.keys():
            u, v = x.get(key), y.get(key)
            if isinstance(u, dict) and isinstance(v, dict):
                out += walk(u, v, f"{prefix}{key}.")
            elif u != v:
                out.append(f"{prefix}{key}: {u!r}, not {v!r}")
        return out

    return sorted(walk(a.to_dict(), b.to_dict(), ""))


def validate(cfg: RunConfig) -> None:
    """Reject out-of-range values with a message naming the field (raises UserError)."""
    if cfg.method not in METHODS:
        raise UserError(f"unknown method {cfg.method!r}: choose one of {', '.join(METHODS)}")
    if cfg.profile not in PROFILES:
        raise UserError(f"unknown profile {cfg.profile!r}: choose one of {', '.join(PROFILES)}")
    if cfg.dataset not in DATASETS:
        raise UserError(f"unknown dataset {cfg.dataset!r}: choose one of {', '.join(DATASETS)}")
    if cfg.profile == "texygen" and cfg.dataset != "coco":
        raise UserError(f"the texygen profile is Texygen's configuration on COCO captions; it does not apply to "
                        f"{cfg.dataset} (use quick or paper)")
    if cfg.dataset != "synthetic" and cfg.method not in REAL_DATA_METHODS:
        raise UserError(f"method {cfg.method} is not run on real data; choose one of {', '.join(REAL_DATA_METHODS)}")
    if cfg.seed < 0 or cfg.oracle_seed < 0:
        raise UserError("seeds must be non-negative integers")
    if not 0.0 <= cfg.ss_decay <= 1.0:
        raise UserError(f"ss_decay must be in [0, 1], got {cfg.ss_decay}")
    if cfg.adam not in ADAM_IMPLEMENTATIONS:
        raise UserError(f"unknown Adam implementation {cfg.adam!r}: choose one of {', '.join(ADAM_IMPLEMENTATIONS)}")
    if not cfg.adam_epsilon > 0.0:
        raise UserError(f"adam_epsilon must be positive, got {cfg.adam_epsilon}")
    if cfg.ss_coin not in ("per_token", "frozen"):
        raise UserError(f"unknown ss_coin {cfg.ss_coin!r}: choose per_token or frozen")
    if cfg.bleu_rule not in ("method1", "legacy"):
        raise UserError(f"unknown BLEU rule {cfg.bleu_rule!r}: choose method1 or legacy")
    if not 0.0 < cfg.reward_references <= 1.0:
        raise UserError(f"reward_references must be in (0, 1], got {cfg.reward_references}")
    if cfg.reward not in REWARDS:
        raise UserError(f"unknown reward {cfg.reward!r}: choose one of {', '.join(REWARDS)}")
    if cfg.reward != "discriminator" and cfg.method != "seqgan":
        raise UserError(f"the reward {cfg.reward!r} is a control of SeqGAN; it does not apply to {cfg.method}")
    if cfg.baseline not in BASELINES:
        raise UserError(f"unknown baseline {cfg.baseline!r}: choose one of {', '.join(BASELINES)}")
    if cfg.baseline != "none" and cfg.method != "seqgan":
        raise UserError(f"a reward baseline applies to SeqGAN's rewards; it does not apply to {cfg.method}")
    if cfg.bleu_order < 1:
        raise UserError(f"bleu_order must be at least 1, got {cfg.bleu_order}")
    if cfg.rollout_update_rate is not None and not 0.0 <= cfg.rollout_update_rate < 1.0:
        raise UserError(f"--rollout-update-rate must be in [0, 1), got {cfg.rollout_update_rate}")
    s = cfg.schedule
    positive = ("num_train", "batch_size", "rollout_num", "mle_eval_every", "adv_eval_every", "eval_samples",
                "d_negatives", "d_positives")
    for name in positive:
        if getattr(s, name) < 1:
            raise UserError(f"schedule.{name} must be at least 1, got {getattr(s, name)}")
    for name in ("mle_epochs", "d_pretrain_rounds", "d_pretrain_epochs", "adv_batches", "g_steps",
                 "d_steps", "k_epochs"):
        if getattr(s, name) < 0:
            raise UserError(f"schedule.{name} must be non-negative, got {getattr(s, name)}")
    if s.d_positives > s.num_train:
        raise UserError(f"schedule.d_positives ({s.d_positives}) exceeds num_train ({s.num_train})")
    d = cfg.discriminator
    if d.precision not in PRECISIONS:
        raise UserError(f"unknown discriminator precision {d.precision!r}: choose one of {', '.join(PRECISIONS)}")
    if len(d.filter_sizes) != len(d.num_filters):
        raise UserError("discriminator.filter_sizes and num_filters must have the same length")
    if max(d.filter_sizes) > cfg.shape.seq_len:
        raise UserError(f"a filter of width {max(d.filter_sizes)} does not fit sequences of length "
                        f"{cfg.shape.seq_len}")
    sh = cfg.shape
    if not 0 <= sh.start_token < sh.vocab_size:
        raise UserError(f"start token {sh.start_token} outside the vocabulary of {sh.vocab_size}")
