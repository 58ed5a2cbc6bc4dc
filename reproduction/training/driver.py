"""The training driver: the phases of paper Algorithm 1 with evaluation, logs, checkpoints and resume.

Phases by method (the methods share this one driver, generator and evaluation path):
  seqgan: `mle` (pretrain G by MLE), `d_pretrain` (D on real vs fresh negatives), `adversarial` (g-steps of
          policy gradient with D's rollout rewards, rollout update, d-steps of k epochs each);
  pgbleu: `mle`, then `adversarial` with BLEU rollout rewards (no discriminator);
  mle:    `mle`, then `mle_continued` (MLE for as many epochs as the others have adversarial batches);
  ss:     `ss`, scheduled sampling from the start for all those epochs (its own curve in Figure 2).
With the same seed, the `mle` phase of seqgan, pgbleu and mle is identical, so they share one pretraining
curve up to the dashed line of Figure 2. After every evaluation the driver
appends a row to metrics.csv (and TensorBoard) and writes a checkpoint, so a killed run resumes from the
same command, losing at most one evaluation interval. Every random draw is keyed by (seed, phase, step),
so the resumed run computes the same numbers as an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oracle.lstm import load_oracle
from reproduction import provenance
from reproduction.config import RunConfig
from reproduction.datasets.corpus import load_corpus
from reproduction.datasets.synthetic import oracle_data
from reproduction.errors import NumericalFault, UserError
from reproduction.io_utils import save_npz, write_text
from reproduction.metrics import real_data
from reproduction.metrics.nll import mean_nll
from reproduction.models.discriminator import Discriminator
from reproduction.models.generator import make_generator, sample_many
from reproduction.models.rollout import RolloutPolicy
from reproduction.progress import Progress
from reproduction.run_log import FIELDS, REAL_DATA_FIELDS, Row, RunLog
from reproduction.seeding import derive, make_deterministic, numpy_rng
from reproduction.training import checkpoint, shared_pretraining
from reproduction.training.discriminator import DiscriminatorTrainer
from reproduction.training.mle import MLETrainer
from reproduction.training.pg_bleu import PGBLEUStep
from reproduction.training.policy_gradient import PolicyGradientTrainer
from reproduction.training.seqgan import SeqGANStep

DONE = "done"
QUALITY = ("nll_oracle", "bleu2", "bleu3", "bleu4", "self_bleu", "mse", "nll_test")


def check_finite(value: float, what: str, phase: str, step: int, ckpt: Path) -> float:
    if not math.isfinite(value):
        raise NumericalFault(f"{what} is {value} in phase {phase}, step {step}; the run stopped and its last good "
                             f"checkpoint {ckpt} is kept")
    return value


class Trainer:
    """Builds the oracle, data and models of a run and carries it through the phases."""

    def __init__(self, cfg: RunConfig, out: Path, mirror: str | Path | None = None, show_progress: bool = True,
                 share_dir: Path | None = None):
        make_deterministic()
        self.cfg, self.out, self.show_progress, self.share_dir = cfg, Path(out), show_progress, share_dir
        self.ckpt_path = self.out / "checkpoint.npz"
        sched, seed = cfg.schedule, cfg.seed
        self.oracle, self.corpus = None, None
        if cfg.dataset == "synthetic":
            self.oracle = load_oracle(cfg.oracle, cfg.shape, cfg.oracle_seed, mirror)
            self.real = oracle_data(self.oracle, sched.num_train, seed)
            self.held_out = oracle_data(self.oracle, sched.num_train, seed, split="test")  # never trained on
        else:
            self.corpus = load_corpus(cfg.dataset, mirror)
            if (cfg.shape.vocab_size, cfg.shape.seq_len) != (self.corpus.vocab_size, self.corpus.seq_len) or \
                    sched.num_train > len(self.corpus.train):
                raise UserError(f"this configuration does not fit the {cfg.dataset} corpus "
                                f"({self.corpus.describe()}); size it with config.for_corpus")
            self.real, self.held_out = self.corpus.train[:sched.num_train], self.corpus.test
        self.generator = make_generator(cfg.shape, cfg.generator.init_stddev, numpy_rng(seed, "generator"))
        self.mle = MLETrainer(self.generator, cfg.generator)
        self.objects: dict[str, Any] = {"generator": self.generator, "mle_adam": self.mle.optimizer}
        if cfg.method in ("seqgan", "pgbleu"):
            self.rollout = RolloutPolicy(self.generator, cfg.rollout_update_rate)
            self.pg = PolicyGradientTrainer(self.generator, cfg.generator)
            self.objects["pg_adam"] = self.pg.optimizer
            if self.rollout.policy is not self.generator:
                self.objects["rollout"] = self.rollout.policy
        if cfg.method == "seqgan":
            self.discriminator = Discriminator(cfg.discriminator, cfg.shape.vocab_size, cfg.shape.seq_len, seed)
            self.d_trainer = DiscriminatorTrainer(self.discriminator, cfg.discriminator)
            self.seqgan = SeqGANStep(self.generator, self.discriminator, self.rollout, self.pg, sched.batch_size,
                                     sched.rollout_num)
            self.objects.update(discriminator=self.discriminator, d_adam=self.d_trainer.optimizer)
        if cfg.method == "pgbleu":
            self.pgbleu = PGBLEUStep(self.generator, self.rollout, self.pg, self.real, sched.batch_size,
                                     sched.rollout_num, cfg.bleu_order)
        self.state: dict[str, Any] = {"phase": self.phase_plan()[0][0], "step": 0, "wall": 0.0, "rows": 0,
                                      "phase_seconds": {}, "adv_batch_seconds": 0.0, "d_stats": [None, None]}

    # ---- one step of each phase ------------------------------------------------------------------------------
    def evaluate(self, phase: str, step: int) -> Row:
        """Quality of fresh samples (NLL-oracle; on real data BLEU against the test split, Self-BLEU, MSE for
        music) and NLL-test: the generator's NLL of held-out data (coverage)."""
        seed = derive(self.cfg.seed, "eval", phase, step)
        samples = sample_many(self.generator, self.cfg.schedule.eval_samples, seed)
        where = f"evaluation in phase {phase}, step {step}"
        row: Row = {"nll_test": mean_nll(self.generator, self.held_out, where)}
        if self.oracle is not None:
            row["nll_oracle"] = mean_nll(self.oracle.model, samples, where)
        else:
            row.update(real_data.evaluate(self.cfg.dataset, samples, self.held_out, self.corpus.end_token))
        return row

    def d_step(self, phase: str, step: int, *keys: int, epochs: int) -> Row:
        """Fresh negatives from G, real positives, `epochs` passes (Algorithm 1, lines 12-13); the loss is
        checked and the discriminator's latest loss and accuracy are recorded."""
        sched, seed = self.cfg.schedule, self.cfg.seed
        negatives = sample_many(self.generator, sched.d_negatives, derive(seed, "negatives", phase, step, *keys))
        rng = numpy_rng(seed, "d-step", phase, step, *keys)
        positives = self.real
        if sched.d_positives < len(self.real):
            positives = self.real[rng.choice(len(self.real), sched.d_positives, replace=False)]
        loss, accuracy = self.d_trainer.train(positives, negatives, epochs, sched.batch_size, rng)
        check_finite(loss, "the discriminator loss", phase, step, self.ckpt_path)
        self.state["d_stats"] = [loss, accuracy]
        return {"d_loss": loss, "d_accuracy": accuracy}

    def mle_step(self, epoch: int, phase: str = "mle", rate: float = 1.0) -> Row:
        rng = numpy_rng(self.cfg.seed, phase, epoch)
        loss = self.mle.epoch(self.real, self.cfg.schedule.batch_size, rng, rate)
        return {"g_loss": check_finite(loss, "the MLE loss", phase, epoch, self.ckpt_path)}

    def mle_continued_step(self, epoch: int) -> Row:
        return self.mle_step(epoch, "mle_continued")

    def ss_step(self, epoch: int) -> Row:
        """Scheduled sampling: the teacher-forcing rate starts at 1 and falls by ss_decay per epoch."""
        rate = max(0.0, 1.0 - self.cfg.ss_decay * epoch)
        return {**self.mle_step(epoch, "ss", rate), "ss_rate": rate}

    def d_pretrain_step(self, round_: int) -> Row:
        return self.d_step("d_pretrain", round_, epochs=self.cfg.schedule.d_pretrain_epochs)

    def adversarial_step(self, batch: int) -> Row:
        """One adversarial batch (Algorithm 1, lines 6-15): g-steps of policy gradient with the method's rollout
        rewards (D for SeqGAN, BLEU for PG-BLEU), the rollout update, then d-steps if there is a discriminator."""
        sched, seed, seqgan = self.cfg.schedule, self.cfg.seed, self.cfg.method == "seqgan"
        g_step = self.seqgan.g_step if seqgan else self.pgbleu.g_step
        start = time.monotonic()
        row: Row = {}
        for g in range(sched.g_steps):
            loss, reward = (float(x) for x in g_step(derive(seed, "g-step", batch, g)))
            row["g_loss"] = check_finite(loss, "the policy-gradient loss", "adversarial", batch, self.ckpt_path)
            row["mean_reward"] = check_finite(reward, "the mean reward", "adversarial", batch, self.ckpt_path)
        self.rollout.update()
        if seqgan:
            for d in range(sched.d_steps):
                self.d_step("adversarial", batch, d, epochs=sched.k_epochs)
            row["d_loss"], row["d_accuracy"] = self.state["d_stats"]
        self.state["adv_batch_seconds"] += time.monotonic() - start
        return row

    # ---- phases ---------------------------------------------------------------------------------------------
    def phase_plan(self) -> list[tuple[str, int, Callable[[int], Row], int, bool]]:
        """(phase, steps, step function, evaluation interval, evaluates NLL-oracle) for this run's method."""
        s = self.cfg.schedule
        pretrain = ("mle", s.mle_epochs, self.mle_step, s.mle_eval_every, True)
        return {
            "seqgan": [pretrain, ("d_pretrain", s.d_pretrain_rounds, self.d_pretrain_step, 1, False),
                       ("adversarial", s.adv_batches, self.adversarial_step, s.adv_eval_every, True)],
            "pgbleu": [pretrain, ("adversarial", s.adv_batches, self.adversarial_step, s.adv_eval_every, True)],
            "mle": [pretrain, ("mle_continued", s.adv_batches, self.mle_continued_step, s.adv_eval_every, True)],
            "ss": [("ss", s.mle_epochs + s.adv_batches, self.ss_step, s.mle_eval_every, True)],
        }[self.cfg.method]

    def x_of(self, phase: str, step: int) -> int:
        """The epoch axis of Figure 2: MLE epochs, then adversarial batches (or further epochs)."""
        return step if phase in ("mle", "ss") else self.cfg.schedule.mle_epochs + step

    def run(self) -> dict[str, Any]:
        restored = checkpoint.restore(self.ckpt_path, self.objects)
        if restored is not None:
            self.state = restored
        if self.show_progress:  # say which run the bars below belong to
            where = "starting" if restored is None else f"resuming at {self.state['phase']} step {self.state['step']}"
            print(f"{self.out}: {where}", file=sys.stderr, flush=True)
        log = RunLog(self.out, self.state["rows"], FIELDS if self.oracle is not None else REAL_DATA_FIELDS)
        plan = self.phase_plan()
        names = [p[0] for p in plan] + [DONE]
        for index, (phase, total, step_fn, every, evaluates) in enumerate(plan):
            if names.index(self.state["phase"]) > index:
                continue
            if phase == "mle" and self._use_shared_pretraining(log):
                self.state.update(phase=names[index + 1], step=0)
                checkpoint.save(self.ckpt_path, self.objects, self.state)
                continue
            bar = Progress(phase, total, self.state["step"], enabled=self.show_progress)
            t0 = time.monotonic()
            for step in range(self.state["step"], total):
                row = {"phase": phase, "epoch": step, "x": self.x_of(phase, step), **step_fn(step)}
                if step % every == 0 or step == total - 1:
                    if evaluates:
                        row.update(self.evaluate(phase, step))
                    self._tick(phase, t0)
                    t0 = time.monotonic()
                    log.append({**row, "wall_seconds": self.state["wall"]})
                    self.state.update(step=step + 1, rows=len(log.rows))
                    checkpoint.save(self.ckpt_path, self.objects, self.state)
                bar.update(step + 1, _describe(row))
            if phase == "mle" and self.share_dir is not None:
                shared_pretraining.save(self.share_dir, self.cfg, self._pretraining_objects(), log.rows,
                                        self.state["phase_seconds"].get("mle", 0.0))
            self.state.update(phase=names[index + 1], step=0)
        checkpoint.save(self.ckpt_path, self.objects, self.state)
        self._save_final_samples()
        return summarise(log.rows, self.state, self.cfg)

    def _pretraining_objects(self) -> dict[str, Any]:
        return {"generator": self.generator, "mle_adam": self.mle.optimizer}

    def _use_shared_pretraining(self, log: RunLog) -> bool:
        """Start from another run's identical MLE pretraining, if the shared folder has it."""
        if self.share_dir is None or self.state["step"] != 0:
            return False
        shared = shared_pretraining.restore(self.share_dir, self.cfg, self._pretraining_objects())
        if shared is None:
            return False
        for row in shared["rows"]:
            log.append(row)
        self.state["rows"] = len(log.rows)
        self.state["phase_seconds"]["mle"] = shared["seconds"]
        self.state["wall"] += shared["seconds"]
        return True

    def _save_final_samples(self) -> None:
        """10,000 samples of the final generator with their per-sequence NLL-oracle, or on real data their
        per-sequence BLEU (and MSE), for significance tests."""
        path = self.out / "final_samples.npz"
        if not path.exists():
            samples = sample_many(self.generator, self.cfg.schedule.eval_samples, derive(self.cfg.seed, "final"))
            if self.oracle is not None:
                scores = {"nll_oracle": self.oracle.sequence_nll(samples)}
            else:
                scores = real_data.per_sequence(self.cfg.dataset, samples, self.held_out, self.corpus.end_token)
            save_npz(path, {"tokens": samples, **scores})

    def _tick(self, phase: str, t0: float) -> None:
        elapsed = time.monotonic() - t0
        self.state["wall"] += elapsed
        self.state["phase_seconds"][phase] = self.state["phase_seconds"].get(phase, 0.0) + elapsed


def _describe(row: Row) -> str:
    keys = ("nll_oracle", "bleu2", "bleu3", "bleu4", "mse", "nll_test", "g_loss", "d_loss", "d_accuracy",
            "mean_reward")
    return " ".join(f"{k}={row[k]:.3f}" for k in keys if isinstance(row.get(k), float))


def summarise(rows: list[Row], state: dict[str, Any], cfg: RunConfig) -> dict[str, Any]:
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
        "phase_seconds": state["phase_seconds"],
        "seconds_per_adversarial_batch": state["adv_batch_seconds"] / batches
        if batches and cfg.method in ("seqgan", "pgbleu") else None,
        "wall_seconds": state["wall"],
    }


def _stored_config(meta: dict[str, Any]) -> RunConfig | None:
    """The configuration a run.json records (fields added since it was written take their defaults)."""
    try:
        return RunConfig.from_dict(meta["config"])
    except (KeyError, TypeError, UserError):
        return None


def train(cfg: RunConfig, out: Path, mirror: str | Path | None = None, show_progress: bool = True,
          share_dir: Path | None = None) -> dict[str, Any]:
    """Run (or resume) the training run `cfg` in directory `out`; returns its summary. With `share_dir`, the
    MLE pretraining is taken from (or left for) other runs with the same settings."""
    out = Path(out)
    meta_path = out / "run.json"
    meta: dict[str, Any] = {}
    config = json.loads(json.dumps(cfg.to_dict()))  # as stored in run.json (tuples become lists)
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise UserError(f"{meta_path} is unreadable ({e}); delete {out} or choose another --out") from e
        if _stored_config(meta) != cfg:
            raise UserError(f"{out} holds a run with another configuration; use the same options to resume it, "
                            "or choose another --out")
        if meta.get("status") == "complete":
            if show_progress:
                print(f"{out}: complete, nothing to train", file=sys.stderr, flush=True)
            return meta["summary"]
    trainer = Trainer(cfg, out, mirror, show_progress, share_dir)  # loads the oracle and data: fails before writing
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
