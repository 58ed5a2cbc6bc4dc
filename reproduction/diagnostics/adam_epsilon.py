"""Would another Adam epsilon change a run's updates? Read from the run's own checkpoint.

Adam's update is w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps) (training/optimizers.py). The moments
m and v depend only on the gradients, not on eps, so from a checkpoint's moments the next update under another
eps is known exactly: per variable, the ratio of its norm under `epsilon` to its norm under the run's own, and
how many entries have sqrt(v) below either. A ratio near 1 means eps is not what drives the run at that point;
eps matters only where sqrt(v) is not far above it. This is a one-step comparison: over many steps the
trajectories would part, but only through such per-step differences.

The paper is silent on eps; the authors' TF1 code used 1e-8, Keras's default (ours) is 1e-7
(docs/deviations.md). `python -m reproduction adam-epsilon --run DIR` prints the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reproduction.config import AUTHORS_ADAM_EPSILON, RunConfig
from reproduction.errors import UserError
from reproduction.run_log import run_config, run_label
from reproduction.training import checkpoint

# A checkpoint's Adams (training/components.py) and the model each updates: the MLE (pretraining, scheduled
# sampling) and the policy-gradient one of the generator, and the discriminator's.
OPTIMIZERS = {"mle_adam": "generator", "pg_adam": "generator", "d_adam": "discriminator"}


@dataclass(frozen=True)
class VariableEffect:
    name: str
    size: int
    sqrt_v: tuple[float, float, float]  # 10th, 50th, 90th percentile
    below_current: float  # share of entries with sqrt(v) < the run's eps
    below_other: float  # likewise for the other eps
    norm_ratio: float  # |update under the other eps| / |update under the run's|


@dataclass(frozen=True)
class EpsilonEffect:
    run: str
    optimizer: str
    step: int  # the optimizer's update count t
    progress: str  # where the run was when the checkpoint was written
    current: float
    other: float
    variables: tuple[VariableEffect, ...]
    norm_ratio: float  # over all of the model's variables together

    def markdown(self) -> str:
        run = run_label(self.run)
        lines = [f"# Adam epsilon {self.other:g} instead of {self.current:g}: {self.optimizer} of {run}", "",
                 f"From the checkpoint ({self.progress}), after {self.step} updates of {self.optimizer}. "
                 f"Ratio: the norm of the next update under eps = {self.other:g} over its norm under the run's "
                 f"eps = {self.current:g}, with the moments as they are (reproduction/diagnostics/adam_epsilon.py; "
                 f"`python -m reproduction adam-epsilon --run {run} --epsilon {self.other:g}`).",
                 "", "| variable | entries | sqrt(v) p10 | p50 | p90 | sqrt(v) < "
                 f"{self.current:g} | < {self.other:g} | update norm ratio |", "|---|---|---|---|---|---|---|---|"]
        for v in self.variables:
            lines.append(f"| {v.name} | {v.size:,} | {v.sqrt_v[0]:.2e} | {v.sqrt_v[1]:.2e} | {v.sqrt_v[2]:.2e} | "
                         f"{v.below_current:.1%} | {v.below_other:.1%} | {v.norm_ratio:.4f} |")
        lines.append(f"| **all** | {sum(v.size for v in self.variables):,} | | | | | | **{self.norm_ratio:.4f}** |")
        return "\n".join(lines) + "\n"


def epsilon_effects(run: Path, epsilon: float = AUTHORS_ADAM_EPSILON,
                    optimizers: list[str] | None = None) -> list[EpsilonEffect]:
    """How the next update of each of `optimizers` (default: every Adam in `run`'s checkpoint) would change
    under `epsilon`."""
    run = Path(run)
    if not epsilon > 0:
        raise UserError(f"--epsilon must be positive, got {epsilon}")
    cfg = run_config(run)
    path = run / "checkpoint.npz"
    if not path.is_file():
        raise checkpoint.missing(path)
    arrays = checkpoint.read(path)  # verified: a damaged one is refused, naming it
    found = [name for name in OPTIMIZERS if any(k.startswith(f"{name}/") for k in arrays)]
    for name in optimizers or []:
        if name not in found:
            raise UserError(f"{path} holds no {name}; this {cfg.method} run has {', '.join(found)}")
    return [_effect(run, cfg, arrays, name, epsilon) for name in optimizers or found]


def _effect(run: Path, cfg: RunConfig, arrays: dict[str, np.ndarray], optimizer: str,
            epsilon: float) -> EpsilonEffect:
    names, adam = _optimizer(cfg, optimizer)
    held = {k: a for k, a in arrays.items() if k in checkpoint.RESERVED or k.startswith(f"{optimizer}/")}
    found = checkpoint.entries(run / "checkpoint.npz", held, {optimizer: adam},
                               f"it is not a {optimizer} of this run's configuration")
    slots = [found[f"{optimizer}/{slot}/{name}"] for name in names for slot in ("momentum", "velocity")]
    effects, new_sq, old_sq = [], 0.0, 0.0
    for name, m, v in zip(names, slots[0::2], slots[1::2], strict=True):
        root = np.sqrt(v.astype(np.float64))
        m = m.astype(np.float64)
        new, old = np.sum((m / (root + epsilon)) ** 2), np.sum((m / (root + cfg.adam_epsilon)) ** 2)
        new_sq, old_sq = new_sq + new, old_sq + old
        effects.append(VariableEffect(name, int(v.size), tuple(float(p) for p in np.percentile(root, [10, 50, 90])),
                                      float(np.mean(root < cfg.adam_epsilon)), float(np.mean(root < epsilon)),
                                      float(np.sqrt(new / old)) if old > 0 else 1.0))
    return EpsilonEffect(str(run), optimizer, int(found[f"{optimizer}/iteration"]), checkpoint.progress(arrays),
                         cfg.adam_epsilon, epsilon, tuple(effects),
                         float(np.sqrt(new_sq / old_sq)) if old_sq > 0 else 1.0)


def _optimizer(cfg: RunConfig, optimizer: str) -> tuple[list[str], Any]:
    """The paths of the trainable variables `optimizer` updates, in its order, and that optimizer as the run
    builds it (not loaded): what the checkpoint's entries are matched against."""
    from reproduction.training.optimizers import NamedAdam

    model = _model(cfg, OPTIMIZERS[optimizer])
    adam = NamedAdam(name=optimizer)
    adam.build(model.trainable_variables)
    return [v.path for v in model.trainable_variables], adam


def _model(cfg: RunConfig, model: str) -> Any:
    """The model, built (not loaded)."""
    if model == "generator":
        from reproduction.models.generator import LSTMPolicy

        built = LSTMPolicy(cfg.shape)
    else:
        from reproduction.models.discriminator import Discriminator

        built = Discriminator(cfg.discriminator, cfg.shape.vocab_size, cfg.shape.seq_len, cfg.seed)
    return built
