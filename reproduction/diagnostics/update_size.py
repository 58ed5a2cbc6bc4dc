"""How large is the generator's policy-gradient update, and does it depend on the reward's scale? (Issue "what
SeqGAN's gain is made of", the mechanism.)

Eq. (8)'s gradient is linear in the rewards Q, but Adam divides each coordinate's step by the root of its
running second moment: once that moment has seen a few gradients, scaling every reward by c scales the
gradient by c and leaves the step unchanged, until sqrt(v) nears Adam's epsilon. If so, a reward that is
about equal for every token acts like reward 1, that is like MLE on the generator's own samples, whatever its
level, and the discriminator's contribution is only in how rewards differ between tokens and samples.

Measured from a SeqGAN run's state after pretraining (the sweep's shared snapshots beside the run), where
every adversarial phase starts, with a fresh policy-gradient Adam as each run has: `steps` g-steps (Algorithm
1, lines 8-12; D as pretrained, no d-steps), with SeqGAN's rewards, with the batch's mean D reward for every
token (the constant control), and with constant rewards c (`SCALES`). After each step: the norm of the
generator's parameter change and the mean reward; and the cosine between each reward's first update and reward
1's (1: the same direction). The same sample seeds for every reward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from reproduction.config import RunConfig
from reproduction.errors import UserError
from reproduction.run_log import run_config, run_label

SCALES = (1.0, 0.5, 1e-2, 1e-3, 1e-4, 1e-5)


@dataclass
class Trace:
    reward: str
    norms: list[float] = field(default_factory=list)  # ||theta after - theta before|| of each g-step
    mean_rewards: list[float] = field(default_factory=list)
    first_update: list[float] = field(default_factory=list, repr=False)  # step 1's parameter change (flattened)


def update_sizes(run: Path, steps: int = 10, scales: tuple[float, ...] = SCALES,
                 mirror: str | Path | None = None) -> tuple[RunConfig, list[Trace]]:
    """The traces of `steps` g-steps from the run's pretrained state, for SeqGAN's reward, the constant
    control and each constant reward in `scales`."""
    import tensorflow as tf

    from reproduction.diagnostics.run_stages import PRETRAINED, discriminator_at, generator_at, stages
    from reproduction.models.rollout import RolloutPolicy
    from reproduction.training import checkpoint
    from reproduction.training.adversarial import AdversarialTraining
    from reproduction.training.components import load_data
    from reproduction.training.policy_gradient import PolicyGradientTrainer
    from reproduction.training.rewards import ConstantReward, DiscriminatorReward

    cfg = run_config(run)
    if not 1 <= steps <= 1000:
        raise UserError(f"--steps must be between 1 and 1000, got {steps}")
    pretrained = [s for s in stages(run, cfg, latest=False) if s.name == PRETRAINED]  # (no checkpoint needed)
    if not pretrained and not (Path(run) / "checkpoint.npz").is_file():  # e.g. restored from its record: say so
        raise checkpoint.missing(Path(run) / "checkpoint.npz")
    if not pretrained:
        raise UserError(f"{run}: no shared pretraining snapshots beside it ({Path(run).parent / 'shared'}); run it "
                        "through `reproduce`, which keeps them")
    load_data(cfg, mirror)  # the oracle must load (a clear error otherwise), though only the models are used
    discriminator = discriminator_at(pretrained[0], cfg)

    def trace(name: str, make_reward) -> Trace:
        generator = generator_at(pretrained[0], cfg)
        reward = make_reward(generator)
        adversarial = AdversarialTraining(generator, None, PolicyGradientTrainer(generator, cfg.generator, cfg.adam,
                                                                                 cfg.adam_epsilon),
                                          reward, None, cfg.schedule, cfg.seed)
        out = Trace(name)
        for g in range(steps):
            before = np.concatenate([v.numpy().ravel() for v in generator.trainable_variables])
            stats = adversarial.g_step(0, g)
            after = np.concatenate([v.numpy().ravel() for v in generator.trainable_variables])
            out.norms.append(float(np.linalg.norm(after - before)))
            if g == 0:
                out.first_update = (after - before).tolist()
            out.mean_rewards.append(float(stats["mean_reward"]))
        return out

    def d_reward(generator):
        return DiscriminatorReward(RolloutPolicy(generator, cfg.rollout_update_rate), discriminator,
                                   cfg.schedule.rollout_num)

    def constant(c: float):
        return lambda generator: lambda samples, seed: tf.fill(tf.shape(samples), tf.constant(c, tf.float32))

    traces = [trace("SeqGAN (D's rollout rewards)", d_reward),
              trace("constant control (the batch's mean D reward)", lambda g: ConstantReward(d_reward(g)))]
    traces += [trace(f"reward {c:g} for every token", constant(c)) for c in scales]
    return cfg, traces


def markdown(run: Path, cfg: RunConfig, traces: list[Trace], figure: str | None = None) -> str:
    unit = next((t for t in traces if t.reward == "reward 1 for every token"), traces[0])
    lines = [f"# The generator's update size against the reward's scale: {Path(run).name}", "",
             f"{len(unit.norms)} g-steps from the run's state after pretraining, a fresh policy-gradient Adam "
             f"(learning rate {cfg.generator.pg_learning_rate or cfg.generator.learning_rate:g}, epsilon "
             f"{cfg.adam_epsilon:g}, clip {cfg.generator.grad_clip:g}), D as pretrained and not trained; the same "
             "sample seeds for every reward (reproduction/diagnostics/update_size.py; "
             f"`python -m reproduction update-size --run {run_label(run)}`).", "",
             "| reward | mean reward | update norm, step 1 | step 2 | last step | last step / reward 1's | "
             "cosine of step 1's update with reward 1's |",
             "|---|---|---|---|---|---|---|"]
    for t in traces:
        second = f"{t.norms[1]:.4g}" if len(t.norms) > 1 else ""
        lines.append(f"| {t.reward} | {np.mean(t.mean_rewards):.4g} | {t.norms[0]:.4g} | {second} | "
                     f"{t.norms[-1]:.4g} | {t.norms[-1] / unit.norms[-1]:.3f} | "
                     f"{cosine(t.first_update, unit.first_update):.4f} |")
    if figure:
        lines += ["", f"![update norm per g-step]({figure})"]
    return "\n".join(lines) + "\n"


def cosine(a: list[float], b: list[float]) -> float:
    x, y = np.asarray(a), np.asarray(b)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def plot(traces: list[Trace], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.2))
    for t in traces:
        ax.plot(range(1, len(t.norms) + 1), t.norms, marker="o", markersize=3, label=t.reward)
    ax.set_yscale("log")
    ax.set_xlabel("g-step of the adversarial phase")
    ax.set_ylabel("norm of the generator's update")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
