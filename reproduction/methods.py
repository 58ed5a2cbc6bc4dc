"""The registry of training methods: for each, its phases (names and step counts, as data) and what it is
built from. The driver, the component builder, the model export, the bench's prices and a sweep's status all
read this one table, and it imports no TensorFlow, so `reproduce --status` and `--help` never load it.

The methods (paper Section 4, Figure 2; a phase is a loop of steps with an evaluation every `eval_every`):
  mle:            `mle` (MLE pretraining, Algorithm 1 line 2), then `mle_continued` (MLE for as many epochs
                  as the others have adversarial batches);
  ss:             `ss`, scheduled sampling (Bengio et al., 2015) from the start for all those epochs;
  pgbleu:         `mle`, then `adversarial` with BLEU rollout rewards (no discriminator);
  seqgan:         `mle`, `d_pretrain` (D on real against fresh negatives, lines 4-5), `adversarial`
                  (lines 6-19: g-steps of policy gradient with D's rollout rewards, Eq. 4 and 8, and d-steps);
  self-imitation: `mle`, then `adversarial` where every token's reward is 1: no rollouts, no discriminator.
                  The policy-gradient step (Eq. 8) with Q = 1 is MLE on the generator's own samples; a
                  control of what SeqGAN's gain is made of (docs/results.md).
With the same seed, the `mle` phase of every method that has one is identical (training/shared_pretraining.py).
Table 1's rows are these methods plus named settings: variants.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reproduction.config import RunConfig, Schedule


@dataclass(frozen=True)
class PhaseSpec:
    """One phase of a run: `steps` steps, an evaluation every `eval_every` steps (and after the last), which
    scores the generator's samples when `evaluates` (D pretraining logs D's numbers only)."""

    name: str
    steps: int
    eval_every: int
    evaluates: bool


# Every phase a method may have, and its counts under a schedule.
PHASES: dict[str, Callable[[Schedule], PhaseSpec]] = {
    "mle": lambda s: PhaseSpec("mle", s.mle_epochs, s.mle_eval_every, True),
    "d_pretrain": lambda s: PhaseSpec("d_pretrain", s.d_pretrain_rounds, 1, False),
    "adversarial": lambda s: PhaseSpec("adversarial", s.adv_batches, s.adv_eval_every, True),
    "mle_continued": lambda s: PhaseSpec("mle_continued", s.adv_batches, s.adv_eval_every, True),
    "ss": lambda s: PhaseSpec("ss", s.ss_epochs or s.mle_epochs + s.adv_batches, s.mle_eval_every, True),
}
SHARED_PHASES = ("mle", "d_pretrain")  # computed once for all runs with the same settings (shared_pretraining.py)
PRETRAINING_PHASES = ("mle", "ss")  # the phases on Figure 2's epoch axis before the dashed line


@dataclass(frozen=True)
class Method:
    """A training method: its phases in order, and the reward of its policy-gradient step (None: it has none).
    Rewards: `discriminator` (D scores N Monte Carlo rollouts, Eq. 4), `bleu` (BLEU scores them), `one` (every
    token's reward is 1, no rollouts)."""

    name: str
    phases: tuple[str, ...]
    reward: str | None = None

    @property
    def discriminator(self) -> bool:
        """Whether it builds and trains a discriminator."""
        return self.reward == "discriminator"

    @property
    def rollouts(self) -> bool:
        """Whether its rewards come from Monte Carlo rollouts (and so it builds a rollout policy)."""
        return self.reward in ("discriminator", "bleu")

    @property
    def adversarial(self) -> bool:
        """Whether it has the adversarial phase (policy-gradient updates of the generator)."""
        return "adversarial" in self.phases


METHODS: dict[str, Method] = {m.name: m for m in (
    Method("mle", ("mle", "mle_continued")),
    Method("ss", ("ss",)),
    Method("pgbleu", ("mle", "adversarial"), reward="bleu"),
    Method("seqgan", ("mle", "d_pretrain", "adversarial"), reward="discriminator"),
    Method("self-imitation", ("mle", "adversarial"), reward="one"),
)}
REAL_DATA_METHODS = ("mle", "seqgan", "self-imitation")  # the paper compares the first two on real data


def phase_plan(cfg: RunConfig) -> list[PhaseSpec]:
    """The phases of `cfg`'s run, in order, with their counts (nothing is built)."""
    return [PHASES[name](cfg.schedule) for name in METHODS[cfg.method].phases]


def shares_pretraining(cfg: RunConfig) -> bool:
    """Whether the run has an `mle` phase, the one shared through the shared-pretraining folder."""
    return "mle" in METHODS[cfg.method].phases
