"""The training driver: a run's phases with evaluation, logs, checkpoints and resume. The training itself
lives elsewhere: Algorithm 1's adversarial batch in `adversarial.py`, MLE in `mle.py`, D in `discriminator.py`.

Each method's phases are data in `methods.py` (names and counts); `STEPS` below binds each phase to the
Trainer method that runs one of its steps. With the same seed, every method's `mle` phase is identical, so
they share one pretraining curve up to the dashed line of Figure 2. After every evaluation the driver appends a
row to metrics.csv (and TensorBoard) and writes a checkpoint, so a killed run resumes from the same command,
losing at most one evaluation interval. Every random draw is keyed by (seed, phase, step),
so the resumed run computes the same numbers as an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from reproduction import provenance
from reproduction.config import SS_FROZEN_COIN, RunConfig, differences
from reproduction.errors import NumericalFault, UserError
from reproduction.io_utils import remove_stale_temporaries, save_npz, temporary_pattern, write_text
from reproduction.methods import METHODS, PRETRAINING_PHASES, SHARED_PHASES, phase_plan
from reproduction.progress import Progress
from reproduction.run_log import FIELDS, REAL_DATA_FIELDS, Row, RunLog, advice, read_run_json
from reproduction.seeding import make_deterministic, numpy_rng
from reproduction.training import checkpoint, export, lock, shared_pretraining
from reproduction.training.components import build
from reproduction.training.evaluation import evaluate, final_samples
from reproduction.training.state import RunState

DONE = "done"
# The temporary files a killed write of this run's own files leaves (io_utils.atomic_write, export.save_keras);
# removed when the run starts again, under its lock.
STALE = (*(temporary_pattern(name) for name in ("checkpoint.npz", "checkpoint.previous.npz", "metrics.csv", "run.json",
                                                "final_samples.npz")), ".generator.*.keras", ".discriminator.*.keras")
QUALITY = ("nll_oracle", "bleu2", "bleu3", "bleu4", "self_bleu", "mse", "nll_test")


class Trainer:
    """Carries one run through its phases: builds its components, runs each phase's steps, evaluates, logs,
    checkpoints, and resumes from the last checkpoint."""

    def __init__(self, cfg: RunConfig, out: Path, mirror: str | Path | None = None, show_progress: bool = True,
                 share_dir: Path | None = None):
        make_deterministic()
        self.cfg, self.out, self.show_progress, self.share_dir = cfg, Path(out), show_progress, share_dir
        self.ckpt_path = self.out / "checkpoint.npz"
        self.parts = build(cfg, mirror)  # loads the oracle or corpus first: a bad input fails before any write
        self.objects = self.parts.checkpoint_objects()
        checkpoint.keyed_variables(self.objects)  # every variable's checkpoint key is its own: checked before training
        self.state = RunState(phase=phase_plan(cfg)[0].name)

    # ---- one step of each phase ------------------------------------------------------------------------------
    def mle_step(self, epoch: int, phase: str = "mle", rate: float = 1.0) -> Row:
        """One epoch of MLE (paper Algorithm 1, line 2), or of scheduled sampling when rate < 1."""
        rng = numpy_rng(self.cfg.seed, phase, epoch)
        return {"g_loss": self.parts.mle.epoch(self.parts.real, self.cfg.schedule.batch_size, rng, rate)}

    def mle_continued_step(self, epoch: int) -> Row:
        return self.mle_step(epoch, "mle_continued")

    def ss_step(self, epoch: int) -> Row:
        """Scheduled sampling: the teacher-forcing rate starts at 1 and falls by ss_decay per epoch. With the
        authors' frozen coin, one number decides every input of the epoch: ground truth while it is below the
        rate (always, within their 300 epochs), else the model's own samples."""
        rate = max(0.0, 1.0 - self.cfg.ss_decay * epoch)
        fed = rate if self.cfg.ss_coin == "per_token" else float(rate > SS_FROZEN_COIN)
        return {**self.mle_step(epoch, "ss", fed), "ss_rate": rate}

    def d_pretrain_step(self, round_: int) -> Row:
        """One round of discriminator pretraining (Algorithm 1, lines 4-5): fresh negatives, some epochs."""
        loss, accuracy = self.parts.d_step("d_pretrain", round_, epochs=self.cfg.schedule.d_pretrain_epochs)
        return {"d_loss": loss, "d_accuracy": accuracy}

    def adversarial_step(self, batch: int) -> Row:
        """One adversarial batch: Algorithm 1, lines 7-18 (training/adversarial.py)."""
        start = time.monotonic()
        row = self.parts.adversarial.batch(batch)
        self.state.adv_batch_seconds += time.monotonic() - start
        return row

    # ---- phases ---------------------------------------------------------------------------------------------
    def x_of(self, phase: str, step: int) -> int:
        """The epoch axis of Figure 2: MLE epochs, then adversarial batches (or further epochs)."""
        return step if phase in PRETRAINING_PHASES else self.cfg.schedule.mle_epochs + step

    def run(self) -> dict[str, Any]:
        restored = checkpoint.restore(self.ckpt_path, self.objects, log=self.out / "metrics.csv")  # the last good one
        if restored is not None:
            self.state = RunState.from_json(restored)
        if self.show_progress:  # say which run the bars below belong to
            where = "starting" if restored is None else f"resuming at {self.state.phase} step {self.state.step}"
            print(f"{self.out}: {where}", file=sys.stderr, flush=True)
        log = RunLog(self.out, self.state.rows, FIELDS if self.parts.oracle is not None else REAL_DATA_FIELDS)
        plan = phase_plan(self.cfg)
        names = [p.name for p in plan] + [DONE]
        for index, phase in enumerate(plan):
            if names.index(self.state.phase) > index:
                continue
            if phase.name in SHARED_PHASES and self._use_shared(phase.name, log):
                self._advance(names[index + 1])
                continue
            bar = Progress(phase.name, phase.steps, self.state.step, enabled=self.show_progress)
            t0 = time.monotonic()
            for step in range(self.state.step, phase.steps):
                row = {"phase": phase.name, "epoch": step, "x": self.x_of(phase.name, step),
                       **getattr(self, STEPS[phase.name])(step)}
                self._check_finite(row, phase.name, step)
                if step % phase.eval_every == 0 or step == phase.steps - 1:
                    if phase.evaluates:
                        row.update(evaluate(self.parts, phase.name, step))
                    self.state.tick(phase.name, time.monotonic() - t0)
                    t0 = time.monotonic()
                    log.append({**row, "wall_seconds": self.state.wall})
                    self.state.step, self.state.rows = step + 1, len(log.rows)
                    checkpoint.save(self.ckpt_path, self.objects, self.state.to_json())
                bar.update(step + 1, _describe(row))
            if phase.name in SHARED_PHASES and self.share_dir is not None:
                rows = [r for r in log.rows if r["phase"] == phase.name]
                shared_pretraining.save(self.share_dir, self.cfg, self.parts.pretraining_objects(phase.name), rows,
                                        self.state.phase_seconds.get(phase.name, 0.0), phase.name)
            self.state.phase, self.state.step = names[index + 1], 0
        checkpoint.save(self.ckpt_path, self.objects, self.state.to_json())
        self._save_final_samples()
        export.write_models(self.out, self.parts.generator, self.parts.discriminator)  # generator.keras, ...
        return summarise(log.rows, self.state, self.cfg)

    def _advance(self, phase: str) -> None:
        self.state.phase, self.state.step = phase, 0
        checkpoint.save(self.ckpt_path, self.objects, self.state.to_json())

    def _check_finite(self, row: Row, phase: str, step: int) -> None:
        """A NaN or infinite loss or reward stops the run (exit status 3), keeping the last good checkpoint."""
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise NumericalFault(f"{key} is {value} in phase {phase}, step {step}; the run stopped and its last "
                                     f"good checkpoint {self.ckpt_path} is kept")

    def _use_shared(self, phase: str, log: RunLog) -> bool:
        """Start from another run's identical pretraining phase (MLE, or D's), if the shared folder has it."""
        if self.share_dir is None or self.state.step != 0:
            return False
        shared = shared_pretraining.restore(self.share_dir, self.cfg, self.parts.pretraining_objects(phase), phase)
        if shared is None:
            return False
        for row in shared["rows"]:
            log.append(row)
        self.state.rows = len(log.rows)
        self.state.tick(phase, shared["seconds"])
        return True

    def _save_final_samples(self) -> None:
        path = self.out / "final_samples.npz"
        if not path.exists():
            save_npz(path, final_samples(self.parts))


# Each phase of methods.PHASES, bound to the Trainer method that runs one of its steps.
STEPS: dict[str, str] = {"mle": "mle_step", "d_pretrain": "d_pretrain_step", "adversarial": "adversarial_step",
                         "mle_continued": "mle_continued_step", "ss": "ss_step"}


def _describe(row: Row) -> str:
    keys = ("nll_oracle", "bleu2", "bleu3", "bleu4", "mse", "nll_test", "g_loss", "d_loss", "d_accuracy",
            "mean_reward")
    return " ".join(f"{k}={row[k]:.3f}" for k in keys if isinstance(row.get(k), float))


def summarise(rows: list[Row], state: RunState, cfg: RunConfig) -> dict[str, Any]:
    """Headline numbers of a finished run."""
    def column(key: str, phase: str | None = None) -> list[float]:
        return [float(r[key]) for r in rows
                if (phase is None or r["phase"] == phase) and r.get(key) not in (None, "")]

    nll, pretrain = column("nll_oracle"), column("nll_oracle", "mle")
    tests = column("nll_test")
    batches = cfg.schedule.adv_batches
    return {
        "nll_oracle_first": nll[0] if nll else None,
        "nll_oracle_end_of_mle": pretrain[-1] if pretrain else None,
        "nll_oracle_final": nll[-1] if nll else None,
        "nll_oracle_best": min(nll) if nll else None,
        "nll_test_final": tests[-1] if tests else None,
        "final": {k: column(k)[-1] for k in QUALITY if column(k)},  # the last evaluation's quality metrics
        "phase_seconds": state.phase_seconds,
        "seconds_per_adversarial_batch": state.adv_batch_seconds / batches
        if batches and METHODS[cfg.method].adversarial else None,
        "wall_seconds": state.wall,
    }


def _stored_config(meta: dict[str, Any]) -> RunConfig | None:
    """The configuration a run.json records (fields added since it was written take their defaults)."""
    try:
        return RunConfig.from_dict(meta["config"])
    except (KeyError, TypeError, ValueError, AttributeError, UserError):
        return None


def _read_meta(out: Path, cfg: RunConfig) -> dict[str, Any]:
    """The run.json of `out` ({} if none), refusing one of another configuration."""
    meta_path = out / "run.json"
    if not meta_path.exists():
        return {}
    meta = read_run_json(meta_path)  # a damaged one: a UserError naming it and what to do
    if "config" not in meta:
        raise UserError(f"{meta_path}: no configuration (its `config` is missing); {advice(meta_path)}")
    stored = _stored_config(meta)
    if stored != cfg:
        which = "unreadable" if stored is None else ", ".join(differences(stored, cfg))
        raise UserError(f"{out} holds a run with another configuration ({which}); use the same options to resume "
                        "it, or choose another --out")
    return meta


def train(cfg: RunConfig, out: Path, mirror: str | Path | None = None, show_progress: bool = True,
          share_dir: Path | None = None) -> dict[str, Any]:
    """Run (or resume) the training run `cfg` in directory `out`; returns its summary. With `share_dir`, the
    MLE pretraining is taken from (or left for) other runs with the same settings. While it trains, the
    process holds the lock of `out` (training/lock.py): a second process on the same directory is refused."""
    out = Path(out)
    meta_path = out / "run.json"
    config = json.loads(json.dumps(cfg.to_dict()))  # as stored in run.json (tuples become lists)
    meta = _read_meta(out, cfg)
    if meta.get("status") == "complete":
        if show_progress:
            print(f"{out}: complete, nothing to train", file=sys.stderr, flush=True)
        return meta["summary"]
    trainer = Trainer(cfg, out, mirror, show_progress, share_dir)  # loads the oracle and data: fails before writing
    with lock.hold(out):  # one writer per run directory; a lock left by a killed process is already released
        meta = _read_meta(out, cfg)  # again, under the lock: another process may have written it meanwhile
        if meta.get("status") == "complete":
            return meta["summary"]
        if stale := remove_stale_temporaries(out, STALE):  # left by a killed write of this run (no other writer now)
            print(f"{out}: removed what a killed write left: {', '.join(p.name for p in stale)}", file=sys.stderr,
                  flush=True)
        meta.setdefault("config", config)
        meta.setdefault("started", provenance.now())
        meta.update(status="running", profile=cfg.profile, seed=cfg.seed, method=cfg.method,
                    commit=provenance.commit(), machine=provenance.machine())
        meta.setdefault("sessions", []).append(provenance.now())
        write_text(meta_path, json.dumps(meta, indent=2))
        summary = trainer.run()
        meta.update(status="complete", finished=provenance.now(), summary=summary)
        write_text(meta_path, json.dumps(meta, indent=2))
    return summary
